// Prints the minified ES5 size of the board's WebSocket client (bench/ws-size-entry.ts), whole
// and net of the shared helpers (bytes.ts, errors.ts) that the MQTT client brings anyway.
// tsconfig.device.json compiles shared/ and device/ only, so the entries are compiled here
// first into the same output tree that bundleES5 reads.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { bundleES5, root } from "../scripts/device-bundle.mjs";

execFileSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", join(root, "bench", "tsconfig.ws-size.json")], {
  stdio: "inherit",
});
const code = await bundleES5("bench/ws-size-entry.ts");
const base = await bundleES5("bench/ws-size-base.ts");
console.log("ws client (handshake + encoder + receiver + WsClient): " + code.length + " bytes minified, " + gzipSync(code).length + " gzipped");
console.log("shared helpers it uses (bytes.ts, errors.ts): " + base.length + " bytes; ws client net of them: " + (code.length - base.length) + " bytes");
if (process.argv.includes("--print")) console.log(code);
