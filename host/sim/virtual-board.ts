// `pinwire sim` and the board `npm start` adds: the board bundle (dist/device/<board>/app.js,
// built on demand: the reference app) on the virtual Espruino board (host/vboard), its Storage
// laid out as `pinwire flash` lays out a chip's (flash/usb.ts flashFiles: the boot loader as
// .bootcde, the app as pw.a, the modules, the boot state, pinwire.json), so it is a real board
// for OTA: a push replaces the script it runs, and a script that fails is rolled back. Its
// analog inputs wander so the dashboard has something to show. With consolePort its REPL is on
// TCP, where the `espruino` CLI can upload to it. Falls back to a fake board (fake-board.ts,
// the same app's catalogue in plain Node) if the bundle cannot be built.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "../log";
import type { BoardName } from "../../shared/boards";
import { FakeBoard } from "./fake-board";

export interface SimOptions {
  id: string;
  broker: string; // mqtt://, mqtts://, ws://host:port/mqtt (the board's own URL syntax)
  board?: BoardName;
  username?: string;
  password?: string;
  log: Logger;
  driftMs?: number; // how often analog inputs wander, default 1000; 0 = they stay put
  consolePort?: number; // serve the board's REPL on this TCP port (0: a free one)
}

export interface Sim {
  kind: "virtual" | "fake";
  consolePort?: number; // where the REPL is served, when asked for
  stop(): Promise<void>;
}

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
// The app the board bundle runs.
export const REFERENCE_APP = join(root, "examples", "servo-light", "app.ts");

// The app and the Storage modules it loads (dist/device/<board>/: app.js, ota.js, ws.js).
async function bundlePath(board: string): Promise<string> {
  const file = join(root, "dist", "device", board, "app.js");
  const { MODULES } = await import("../../scripts/device-bundle.mjs");
  const { buildBoard } = await import("../app/build");
  if (!existsSync(file) || !MODULES.every((m) => existsSync(join(root, "dist", "device", board, m.file)))) await buildBoard(board);
  return file;
}

function withCredentials(url: string, user?: string, pass?: string): string {
  if (!user) return url;
  const u = new URL(url);
  u.username = user;
  if (pass !== undefined) u.password = pass;
  return u.toString().replace(/\/$/, "");
}

// The analog input pins the app declares for this board.
async function analogPins(board: BoardName): Promise<string[]> {
  const { loadApp } = await import("../app/declaration");
  const { app } = await loadApp(REFERENCE_APP);
  const pins: string[] = [];
  for (const p of Object.values(app.parts ?? {})) {
    const pin = p.kind === "analogIn" ? p.pins[board] : null;
    if (typeof pin === "string") pins.push(pin);
  }
  return pins;
}

export async function startVirtualBoard(o: SimOptions): Promise<Sim> {
  const log = o.log.child({ c: "sim", id: o.id });
  const board = o.board ?? "esp8266";
  const period = o.driftMs ?? 1000;
  let app: string;
  let VirtualBoard: typeof import("../vboard/index").VirtualBoard;
  try {
    app = await bundlePath(board);
    ({ VirtualBoard } = await import("../vboard/index"));
  } catch (e) {
    log.warn({ event: "sim-fallback", err: String((e as Error)?.message ?? e) }, "board bundle unavailable; a fake board in Node speaks its app instead");
    const { loadApp } = await import("../app/declaration");
    const { catalogue } = await loadApp(REFERENCE_APP);
    const dev = await new FakeBoard({ id: o.id, url: o.broker, username: o.username, password: o.password, app: catalogue, driftMs: period, reconnect: true }).start();
    return { kind: "fake", stop: () => dev.stop() };
  }
  const dir = mkdtempSync(join(tmpdir(), "pinwire-sim-"));
  const vb = new VirtualBoard({ board, storageDir: dir, consolePort: o.consolePort, console: (t) => log.debug({ event: "console", text: t.trimEnd() }, "board console") });
  const { moduleFiles } = await import("../../scripts/device-bundle.mjs");
  const { flashFiles } = await import("../../flash/usb");
  const config = { id: o.id, broker: withCredentials(o.broker, o.username, o.password) };
  for (const f of await flashFiles(board, config, readFileSync(app, "latin1"), moduleFiles(board))) vb.storage.write(f.name, f.data);
  vb.on("uncaught", (e: unknown) => log.warn({ event: "board-uncaught", err: String(e) }, "uncaught error on the virtual board"));
  await vb.boot();
  const pins = period ? await analogPins(board).catch(() => []) : [];
  const levels = pins.map(() => 0.5);
  const timer = pins.length
    ? setInterval(() => {
        pins.forEach((p, i) => {
          levels[i] = Math.max(0, Math.min(1, levels[i] + (Math.random() * 2 - 1) * 0.08));
          vb.pins.setAnalog(p, levels[i]);
        });
      }, period)
    : null;
  timer?.unref();
  const consolePort = vb.consolePort;
  log.info(
    { event: "sim-start", id: o.id, board, broker: o.broker, kind: "virtual", console: consolePort === undefined ? null : "tcp://127.0.0.1:" + consolePort },
    "virtual board running the board bundle" + (consolePort === undefined ? "" : "; its console: tcp://127.0.0.1:" + consolePort + " (espruino -p tcp://127.0.0.1:" + consolePort + ")"),
  );
  return {
    kind: "virtual",
    consolePort,
    async stop() {
      if (timer) clearInterval(timer);
      await vb.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
