// The interface between a script and the Storage modules `pinwire flash` installs, declared in
// device/modules.ts: each module, built as the installers build it, exports exactly the names
// MODULE_EXPORTS declares (an export added or removed without the declaration fails here) with
// the interface version MODULES_VERSION; and a script refuses a module of another version,
// saying so, and carries on without it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MODULE_EXPORTS, MODULES_VERSION } from "../device/modules";
import { flashFiles } from "../flash/usb";
import { VirtualBoard, type BoardName } from "../host/vboard";
import { BOARDS, bundleES5, MODULES, root } from "../scripts/device-bundle.mjs";
import { tempDir } from "./host-helpers";

const boards: VirtualBoard[] = [];
const cleanups: (() => void)[] = [];
afterEach(async () => {
  while (boards.length) await boards.pop()!.stop();
  while (cleanups.length) cleanups.pop()!();
});

async function board(name: BoardName, files: { name: string; data: Buffer }[]): Promise<{ b: VirtualBoard; out: () => string }> {
  const { dir, cleanup } = tempDir("pinwire-modif-");
  cleanups.push(cleanup);
  let text = "";
  const b = new VirtualBoard({ board: name, storageDir: dir, console: (t) => (text += t) });
  boards.push(b);
  for (const f of files) b.storage.write(f.name, f.data);
  await b.boot();
  return { b, out: () => text };
}

describe("the Storage modules' interface (device/modules.ts)", () => {
  it("declares every module the build makes, and only those", () => {
    expect(MODULES.map((m) => m.name).sort()).toEqual(Object.keys(MODULE_EXPORTS).sort());
  });

  for (const name of BOARDS as BoardName[])
    for (const m of MODULES)
      it(`${name}: ${m.name} as built exports exactly ${Object.keys(MODULE_EXPORTS[m.name as keyof typeof MODULE_EXPORTS]).join(", ")}, version ${MODULES_VERSION}`, async () => {
        const code = await bundleES5(m.entry, { PINWIRE_BOARD: name }, [], { module: true });
        const { b } = await board(name, [{ name: m.name, data: Buffer.from(code, "latin1") }]);
        const got = (await b.eval(`(function () { var x = require(${JSON.stringify(m.name)}), k = [], n; for (n in x) k.push(n + ":" + typeof x[n]); return { k: k.sort(), v: x.v }; })()`)) as { k: string[]; v: number };
        const declared = Object.keys(MODULE_EXPORTS[m.name as keyof typeof MODULE_EXPORTS]);
        expect(got.k.map((k) => k.split(":")[0])).toEqual([...declared].sort());
        expect(got.v).toBe(MODULES_VERSION);
        // Every member but the version is a function.
        for (const k of got.k) expect(k).toBe(k.startsWith("v:") ? "v:number" : k.split(":")[0] + ":function");
      });

  it("a script refuses a module of another interface version, says so, and stays up", async () => {
    const code = readFileSync(join(root, "dist", "device", "esp8266", "app.js"), "latin1");
    const other = Buffer.from(`exports.v = ${MODULES_VERSION + 1}; exports.p = function () { return true; }; exports.g = function () { throw new Error("called"); };`);
    const files = await flashFiles("esp8266", { id: "mv1", gateway: "ws://127.0.0.1:9/ws/mv1", pins: { light: null } }, code, [{ name: "pw.ws", data: other }]);
    const { b, out } = await board("esp8266", files);
    await b.waitForOutput(`pinwire: pw.ws is interface ${MODULES_VERSION + 1}, needs ${MODULES_VERSION}: pinwire flash`);
    expect(b.openSockets).toBe(0);
    expect(out()).not.toContain("called");
    expect(await b.eval("1+1")).toBe(2);
  });
});
