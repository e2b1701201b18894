// `pinwire sim` and the virtual board `npm start` adds: the device app (dist/device/<board>/app.js,
// built on demand) on the virtual Espruino board (host/vboard), configured through its
// pinwire.json to reach the broker. The light level drifts so the dashboard has something
// to show. Falls back to a FakeDevice (same topics, plain Node) if the bundle cannot be built.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "../log";
import { FakeDevice } from "./fake-device";

export interface SimOptions {
  id: string;
  broker: string; // mqtt://, mqtts://, ws://host:port/mqtt (the board's own URL syntax)
  board?: "esp8266" | "esp32" | "linux";
  username?: string;
  password?: string;
  log: Logger;
  lightPeriodMs?: number; // default 1000; 0 = the light stays put
}

export interface Sim {
  kind: "vboard" | "fake";
  stop(): Promise<void>;
}

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

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

export async function startVirtualDevice(o: SimOptions): Promise<Sim> {
  const log = o.log.child({ c: "sim", id: o.id });
  const board = o.board ?? "esp8266";
  const period = o.lightPeriodMs ?? 1000;
  let app: string;
  let VirtualBoard: typeof import("../vboard/index").VirtualBoard;
  try {
    app = await bundlePath(board);
    ({ VirtualBoard } = await import("../vboard/index"));
  } catch (e) {
    log.warn({ event: "sim-fallback", err: String((e as Error)?.message ?? e) }, "device bundle unavailable; simulating the device in Node");
    const dev = await new FakeDevice({ id: o.id, url: o.broker, username: o.username, password: o.password, lightPeriodMs: period }).start();
    return { kind: "fake", stop: () => dev.stop() };
  }
  const dir = mkdtempSync(join(tmpdir(), "pinwire-sim-"));
  const vb = new VirtualBoard({ board, storageDir: dir, console: (t) => log.debug({ event: "console", text: t.trimEnd() }, "board console") });
  vb.storage.write(".bootcde", readFileSync(app));
  const { moduleFiles } = await import("../../scripts/device-bundle.mjs");
  for (const f of moduleFiles(board)) vb.storage.write(f.name, f.data);
  vb.storage.write("pinwire.json", Buffer.from(JSON.stringify({ id: o.id, broker: withCredentials(o.broker, o.username, o.password) })));
  vb.on("uncaught", (e: unknown) => log.warn({ event: "board-uncaught", err: String(e) }, "uncaught error on the virtual board"));
  await vb.boot();
  let light = 50;
  const timer = period
    ? setInterval(() => {
        light = Math.max(0, Math.min(100, light + Math.round(Math.random() * 16 - 8)));
        vb.setLight({ percent: light });
      }, period)
    : null;
  timer?.unref();
  log.info({ event: "sim-start", id: o.id, board, broker: o.broker, kind: "vboard" }, "virtual board running the device app");
  return {
    kind: "vboard",
    async stop() {
      if (timer) clearInterval(timer);
      await vb.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
