// npm run build:device -- --board <esp8266|esp32|linux>   (no --board: every board)
import { parseArgs } from "node:util";
import { BOARDS, buildBoard } from "./device-bundle.mjs";

let values;
try {
  ({ values } = parseArgs({ options: { board: { type: "string", multiple: true } } }));
} catch (e) {
  console.error(e.message + "\nusage: npm run build:device -- [--board " + BOARDS.join("|") + "]");
  process.exit(2);
}
try {
  for (const b of values.board ?? BOARDS) {
    const r = await buildBoard(b);
    console.log(`${r.board}: ${r.file} ${r.bytes} bytes; modules ${r.modules.map((m) => m.name + " " + m.bytes).join(", ")}`);
  }
} catch (e) {
  console.error(e.message + "\nusage: npm run build:device -- [--board " + BOARDS.join("|") + "]");
  process.exit(2);
}
