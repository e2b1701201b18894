// Builds every board's device bundle once, before any suite: the suites boot them.
import { BOARDS, buildBoard } from "../scripts/device-bundle.mjs";

export default async function setup(): Promise<void> {
  for (const b of BOARDS) await buildBoard(b);
}
