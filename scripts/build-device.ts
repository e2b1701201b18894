// npm run build:device -- [--board <esp8266|esp32|linux>]... : the reference app
// (examples/servo-light) and the runtime's Storage modules for each board, in dist/device/<board>/.
import { parseArgs } from "node:util";
import { BOARDS } from "./device-bundle.mjs";
import { buildBoard } from "../host/app/build";

const usage = "usage: npm run build:device -- [--board " + BOARDS.join("|") + "]";
let values: { board?: string[] };
try {
  ({ values } = parseArgs({ options: { board: { type: "string", multiple: true } } }));
} catch (e) {
  console.error((e as Error).message + "\n" + usage);
  process.exit(2);
}
for (const b of values.board ?? BOARDS) {
  if (!BOARDS.includes(b)) {
    console.error("unknown board '" + b + "'\n" + usage);
    process.exit(2);
  }
}
try {
  for (const b of values.board ?? BOARDS) {
    const r = await buildBoard(b);
    console.log(`${r.board}: ${r.file} ${r.bytes} bytes; modules ${r.modules.map((m) => m.name + " " + m.bytes).join(", ")}`);
  }
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
