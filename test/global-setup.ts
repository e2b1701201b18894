// Builds every board's device bundle once, before any suite: the suites boot them.
import { BOARDS } from "../scripts/device-bundle.mjs";
import { buildBoard } from "../host/app/build";

export default async function setup(): Promise<void> {
  for (const b of BOARDS) await buildBoard(b);
}
