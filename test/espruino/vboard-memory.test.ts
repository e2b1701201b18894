// The virtual board's process.memory() against Espruino 2v29's own, on the ESP8266 (1,700) and
// ESP32 (2,500) pools:
//  - per construct: what each kind of value costs (jsvar-cases.ts), measured on both;
//  - the application: the board bundle built now, laid out in Storage as `pinwire flash`
//    writes it (flashFiles), booted and connected to a broker: free JsVars within 10 %.
// Prints the figures (with the machine's load average) as it goes.
import { readFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { flashFiles } from "../../flash/usb";
import { VirtualBoard } from "../../host/vboard";
import { root } from "../../scripts/device-bundle.mjs";
import { type TestBroker, useAedes, type Watcher } from "../device-harness";
import { APPROXIMATE, CASES, COPIES, RUNNER } from "./jsvar-cases";
import { Espruino, type Pool } from "./interpreter";

type BoardPool = "esp8266" | "esp32";
const POOLS: BoardPool[] = ["esp8266", "esp32"];
const TOLERANCE = 0.1;
const load = () => loadavg().map((l) => l.toFixed(2)).join(" ");

let dirs: string[] = [];
function vboard(pool: BoardPool): VirtualBoard {
  const dir = mkdtempSync(join(tmpdir(), "pinwire-vbm-"));
  dirs.push(dir);
  // The ESP8266 application on either pool, as on the interpreters (their pins are D0-D32).
  return new VirtualBoard({ board: "esp8266", pool, storageDir: dir });
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

describe("JsVars per construct: virtual board vs Espruino 2v29", () => {
  for (const pool of POOLS)
    it(`${pool} pool: every construct costs what the interpreter says`, async () => {
      const names = Object.keys(CASES);
      const blob = { name: "blob", data: Buffer.from("z".repeat(200)) };
      const real: Record<string, number> = {};
      const e = await Espruino.start(pool as Pool);
      try {
        await e.writeFiles([blob, { name: ".bootcde", data: Buffer.from(RUNNER) }]);
        for (const n of names) {
          await e.writeFiles([{ name: "c", data: Buffer.from(CASES[n]) }]);
          await e.boot();
          real[n] = await e.eval<number>("D");
        }
      } finally {
        await e.close();
      }
      const b = vboard(pool);
      const vb: Record<string, number> = {};
      try {
        b.flash(RUNNER);
        b.storage.write(blob.name, blob.data);
        for (const n of names) {
          b.storage.write("c", Buffer.from(CASES[n]));
          await b.boot();
          vb[n] = (await b.eval("D")) as number;
        }
      } finally {
        await b.stop();
      }
      const rows = names.map((n) => `  ${n.padEnd(48)} ${String(real[n] / COPIES).padStart(6)} ${String(vb[n] / COPIES).padStart(6)}`);
      console.log(`JsVars per copy (${COPIES} copies each), ${pool} pool: construct, real, vboard (load ${load()})\n` + rows.join("\n"));
      for (const n of names) expect(Math.abs(vb[n] - real[n]), n + ": real " + real[n] + ", vboard " + vb[n]).toBeLessThanOrEqual(APPROXIMATE[n] ?? 2);
    });
});

describe("free JsVars after boot + connect: virtual board vs Espruino 2v29", () => {
  let broker: TestBroker;
  let w: Watcher;
  useAedes((b, watcher) => {
    broker = b;
    w = watcher;
  });

  // Online and its retained snapshot sent (the last thing connecting makes the board send).
  const connected = async (id: string, from: number, timeoutMs: number) => {
    await w.next((m) => m.topic === "pinwire/" + id + "/status" && m.payload.toString() === "online", from, timeoutMs);
    await w.next((m) => m.topic === "pinwire/" + id + "/state" && m.payload.length === 32, from, timeoutMs);
  };

  for (const pool of POOLS)
    it(`${pool} pool: within ${TOLERANCE * 100} % of the interpreter on the bundle built now`, async () => {
      const app = readFileSync(join(root, "dist", "device", "esp8266", "app.js"), "latin1");
      const files = (id: string) => flashFiles("esp8266", { id, broker: "mqtt://127.0.0.1:" + broker.port }, app);

      // the real interpreter
      const realId = "vbm-real-" + pool;
      const e = await Espruino.start(pool as Pool);
      let real: { free: number; usage: number; total: number };
      let realOnline = true;
      try {
        await e.writeFiles(await files(realId));
        const from = w.msgs.length;
        const mark = e.mark;
        await e.boot();
        const oom = e.waitFor(/OUT OF MEMORY/, 30000, mark).then(() => "oom" as const);
        const up = connected(realId, from, 30000).then(() => "online" as const);
        realOnline = (await Promise.race([up, oom])) === "online";
        oom.catch(() => undefined);
        up.catch(() => undefined);
        real = await e.memory();
      } finally {
        await e.close();
      }

      // the virtual board, same files
      const vbId = "vbm-vb-" + pool;
      const b = vboard(pool);
      let vb: { free: number; usage: number; total: number };
      try {
        for (const f of await files(vbId)) b.storage.write(f.name, f.data);
        const from = w.msgs.length;
        await b.boot();
        await connected(vbId, from, 30000);
        vb = await b.memory();
      } finally {
        await b.stop();
      }

      const err = (vb.free - real.free) / real.free;
      console.log(
        `${pool} pool (${real.total} JsVars), app ${app.length} bytes: real ${realOnline ? "online" : "OUT OF MEMORY"}, ${real.free} free; ` +
          `vboard ${vb.free} free (${(err * 100).toFixed(1)} %); load ${load()}`,
      );
      expect(vb.total).toBe(real.total);
      if (realOnline) expect(Math.abs(err)).toBeLessThanOrEqual(TOLERANCE);
      // A board that ran out of memory while connecting: the model must see its pool all but
      // used up (it counts what stays alive, not the peak of building the CONNECT packet).
      else expect(vb.free).toBeLessThan(real.total * 0.05);
    });
});
