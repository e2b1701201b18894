// `pinwire flash`: puts pinwire on a board over its console (USB serial, or tcp:// for the
// ESP8266 telnet console and the virtual board). The Storage files are written by the real
// `espruino` CLI: the boot loader as `.bootcde` (so it runs from flash at every boot), the app
// as `pw.a`, the app's optional modules (`pw.ota` the OTA receiver; `pw.ws` the WebSocket
// client, only when the config's link is ws:// or wss://), the boot state `pw.st`, and the
// board's `pinwire.json`. Each file's CRC32 is then read back from the board (E.CRC32) and
// compared before the board is restarted.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BOARDS, bundleLoader, MODULES, moduleFiles, root } from "../scripts/device-bundle.mjs";
import { buildBoard } from "../host/app/build";
import { checkConfig, linkMode, parseUrl } from "../device/config";
import { VERSION } from "../device/version";
import { crc32 } from "../shared/crc32";
import { SLOT_A, SLOT_B, STATE_FILE } from "../device/ota/state";
import { startConsoleRelay } from "./console-relay";
import { boardFile, runEspruinoCli } from "./espruino-cli";
import { type Binding, FlashError, openConsole } from "./ports";

export const CONFIG_FILE = "pinwire.json";

export interface FlashOptions {
  board: string;
  port?: string; // serial path or tcp://host[:port]; default: the only serial port
  config: unknown; // the board's pinwire.json (object)
  baud?: number;
  binding?: Binding;
  app?: string; // the app bundle; default: built now for the board
  modules?: { name: string; data: Buffer }[]; // its Storage modules; default: dist/device/<board>/
  run?: boolean; // restart into the new script when verified (default true)
  timeoutMs?: number; // for the whole upload (default 180 s)
  answerMs?: number; // how long the board may take to answer its first question (default 5 s)
  onProgress?: (sent: number, total: number) => void;
}

export interface FlashedFile {
  name: string;
  bytes: number;
  crc: number;
}

export interface FlashResult {
  port: string;
  files: FlashedFile[];
  uploadBytes: number; // console bytes sent (the CLI's upload code)
  ms: number;
}

// The boot loader bundle, kept in dist/device/<board>/boot.js until its sources change
// (bundling runs tsc over all of device/, which takes seconds).
export async function loaderCode(board: string): Promise<string> {
  const out = join(root, "dist", "device", board, "boot.js");
  const srcs = ["boot.ts", "state.ts"].map((f) => statSync(join(root, "device", "ota", f)).mtimeMs);
  if (existsSync(out) && statSync(out).mtimeMs > Math.max(...srcs)) return readFileSync(out, "latin1");
  const code = await bundleLoader(board);
  mkdirSync(join(root, "dist", "device", board), { recursive: true });
  writeFileSync(out, code);
  return code;
}

// Whether a (vetted) config's link runs over a WebSocket: the board then needs pw.ws.
export function needsWs(config: any): boolean {
  const u = parseUrl(linkMode(config) === "mqtt" ? config.broker : config.gateway);
  return !!u && u.ws;
}

// The Storage files for a board: loader, app, modules, boot state, config (in that order).
// `modules` (from dist/device/<board>/ by default, built when missing) go with a given `app`.
export async function flashFiles(board: string, config: unknown, app?: string, modules?: { name: string; data: Buffer }[]): Promise<{ name: string; data: Buffer }[]> {
  if (!BOARDS.includes(board)) throw new FlashError("board", "unknown board '" + board + "' (one of: " + BOARDS.join(", ") + ")");
  const bad = checkConfig(config, board);
  if (bad) throw new FlashError("config", CONFIG_FILE + " is not usable on " + board + ": bad '" + bad + "'");
  const code = app ?? readFileSync((await buildBoard(board)).file, "latin1");
  if (!modules) {
    if (!MODULES.every((m) => existsSync(join(root, "dist", "device", board, m.file)))) await buildBoard(board);
    modules = moduleFiles(board);
  }
  const ws = needsWs(config);
  const loader = await loaderCode(board);
  return [
    { name: ".bootcde", data: Buffer.from(loader, "latin1") },
    { name: SLOT_A, data: Buffer.from(code, "latin1") },
    ...modules.filter((m) => ws || m.name !== "pw.ws"),
    { name: STATE_FILE, data: Buffer.from(JSON.stringify({ c: SLOT_A, v: VERSION })) },
    { name: CONFIG_FILE, data: Buffer.from(JSON.stringify(config)) },
  ];
}

// The console text EspruinoTools sends for one Storage file (utils.js getUploadFileCode,
// 384-byte pieces through atob), to size the progress bar.
export function uploadTextLength(name: string, bytes: number): number {
  let n = 0;
  for (let i = 0; i < bytes; i += 384) {
    const part = Math.min(384, bytes - i);
    n += `\x10require("Storage").write(${JSON.stringify(name)},atob(""),${i}${i === 0 ? "," + bytes : ""})\n`.length + 4 * Math.ceil(part / 3);
  }
  return n;
}

// What the files take in Storage, with room beside the app for the next script pushed over the
// air (the receiver writes it to the other slot while the running one stays). Each file costs
// its data plus a 32-byte header (Espruino's JsfFileHeader: size and a 28-byte name), rounded
// up to 8 bytes (src/jsflash.c keeps headers 8-byte aligned for flash written 64 bits at a time).
export function storageNeeded(files: { name: string; data: Buffer }[]): number {
  const cost = (n: number) => 32 + Math.ceil(n / 8) * 8;
  const app = files.find((f) => f.name === SLOT_A);
  return files.reduce((n, f) => n + cost(f.data.length), 0) + (app ? cost(app.data.length) : 0);
}

// Asked of the board before anything is written: its Storage capacity (getStats, 2v05 and
// later; getFree of a board without it).
const STORAGE_QUERY = `\x10var S=require("Storage");print("PWSTOR:"+(S.getStats?S.getStats().totalBytes:S.getFree()))\n`;

const KB = (n: number) => (n / 1024).toFixed(1) + " KB";

// Refuses a board whose Storage cannot hold pinwire and its next update. An ESP8266 module with
// 512 KB of flash (ESP-01, ESP-01S) has 16 KB of Storage; the 4 MB modules (ESP-12E/F:
// NodeMCU, Wemos D1 mini) have 64 KB with Espruino's ESP8266_4MB firmware.
export function storageProblem(board: string, capacity: number, need: number): string | null {
  if (capacity >= need) return null;
  const hint =
    board === "esp8266"
      ? " (an ESP8266 with 512 KB of flash has 16 KB): use a module with 4 MB of flash (ESP-12E/F, NodeMCU, Wemos D1 mini) with Espruino's ESP8266_4MB firmware"
      : ": use a board with more flash for Storage";
  return "the board's Storage holds " + KB(capacity) + ", and pinwire for " + board + " needs " + KB(need) + " (its files and room for one update over the air)" + hint;
}

// Board-side check, run after the uploads: drops the spare OTA slot and prints each file's CRC.
export function verifyCode(names: string[]): string {
  return (
    `require("Storage").erase(${JSON.stringify(SLOT_B)});` +
    `print("PWCRC:"+${JSON.stringify(names)}.map(function(f){return E.CRC32(require("Storage").read(f))}).join(","));\n`
  );
}

export async function flashBoard(o: FlashOptions): Promise<FlashResult> {
  const t0 = Date.now();
  const files = await flashFiles(o.board, o.config, o.app, o.modules);
  const dir = mkdtempSync(join(tmpdir(), "pinwire-flash-"));
  const link = await openConsole(o.port, { baud: o.baud, binding: o.binding });
  const names = files.map((f) => f.name);
  const verify = verifyCode(names);
  const total = files.reduce((n, f) => n + uploadTextLength(f.name, f.data.length), 0) + verify.length + 64;
  const relay = await startConsoleRelay(link, (n) => o.onProgress?.(Math.min(n, total), total));
  try {
    // Nothing is written to a board that cannot hold it all.
    const stor = relay.expect(/PWSTOR:(\d+)/);
    link.write(STORAGE_QUERY);
    let timer: NodeJS.Timeout | undefined;
    const cap = await Promise.race([stor, new Promise<null>((r) => (timer = setTimeout(() => r(null), o.answerMs ?? 5000)))]);
    clearTimeout(timer);
    if (!cap) throw new FlashError("no-answer", "the board on " + (o.port ?? link.name) + " did not answer at its console (is Espruino running on it, at " + (o.baud ?? 115200) + " baud?)");
    const problem = storageProblem(o.board, Number(cap[1]), storageNeeded(files));
    if (problem) throw new FlashError("storage", problem);
    const args = ["-p", relay.url, "-b", String(o.baud ?? 115200), "--board", boardFile(dir, o.board)];
    // The CLI pauses 250 ms after each 384-byte Storage write because a serial line has no
    // flow control fast enough; TCP has its own, so a tcp:// console goes without the pauses.
    if (o.port?.startsWith("tcp://")) args.push("--config", "STORAGE_UPLOAD_METHOD=1");
    files.forEach((f, i) => {
      const p = join(dir, "f" + i);
      writeFileSync(p, f.data);
      args.push("--storage", f.name + ":" + p);
    });
    const verifyFile = join(dir, "verify.js");
    writeFileSync(verifyFile, verify);
    args.push(verifyFile);
    const marker = relay.expect(/PWCRC:([-0-9,]+)/);
    const cli = runEspruinoCli(args, o.timeoutMs ?? 180000);
    // The CLI may hang after the upload: the board's answer is what counts.
    const first = await Promise.race([marker.then((m) => ({ m })), cli.done.then((code) => ({ code }))]);
    let m: RegExpMatchArray;
    if ("m" in first) m = first.m;
    else {
      // The CLI ended first: the answer may still be on its way, but not for long.
      let timer: NodeJS.Timeout | undefined;
      const late = await Promise.race([marker, new Promise<null>((r) => (timer = setTimeout(() => r(null), 3000)))]);
      clearTimeout(timer);
      if (!late) throw new FlashError("upload", "the espruino CLI ended (exit " + first.code + ") without the board confirming the upload:\n" + cli.output().trim().split("\n").slice(-15).join("\n"));
      m = late;
    }
    cli.kill();
    await cli.done;
    const got = m[1].split(",").map(Number);
    const result: FlashedFile[] = files.map((f, i) => ({ name: f.name, bytes: f.data.length, crc: crc32(f.data) }));
    result.forEach((f, i) => {
      if (got[i] >>> 0 !== f.crc)
        throw new FlashError("verify", "Storage file " + f.name + " reads back with CRC32 " + (got[i] >>> 0).toString(16) + ", expected " + f.crc.toString(16));
    });
    o.onProgress?.(total, total);
    // load() restarts the interpreter into .bootcde, exactly as a reset of the board would.
    if (o.run !== false) link.write("\x10load()\n");
    return { port: o.port ?? link.name, files: result, uploadBytes: relay.sent(), ms: Date.now() - t0 };
  } finally {
    await relay.close();
    await link.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
