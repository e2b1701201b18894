// The protocol core compiled to Lua (npm run build:lua) runs the same vectors as Node on
// Debian's lua5.1 + lua-bitop, luajit and lua5.3: CRC-32, topics, float32, board messages, C
// structs (the reference vectors and random ones), MQTT packets against mqtt-packet (encode,
// and parse + re-encode byte for byte), WebSocket frames against ws, SHA-1, base64 and the
// handshake's accept key. Each interpreter runs the whole batch twice: with plain Lua tables
// as byte arrays (what a board runs) and in strict mode, where every store into a byte array is
// checked (an integer 0..255 inside the array), which JavaScript's typed arrays would wrap or drop.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildLua, isStale, outDir, ROOT } from "../scripts/build-lua.mjs";
import { INTERPRETERS, makeVectors, mismatches, runLua, type Vector } from "./lua-vectors";

const RUNNER = join(ROOT, "lua", "vectors.lua");
let dir = "";
let file = "";
let vectors: Vector[] = [];

// One run per interpreter and mode, all started at once; each test awaits its own.
const runs = new Map<string, Promise<string[]>>();
const key = (cmd: string, strict: boolean) => cmd + (strict ? " strict" : "");

beforeAll(() => {
  if (isStale()) buildLua({ log: () => {} });
  vectors = makeVectors();
  dir = mkdtempSync(join(tmpdir(), "pinwire-lua-"));
  file = join(dir, "vectors.txt");
  writeFileSync(file, vectors.map((v) => v.line).join("\n") + "\n");
  for (const { cmd, build } of INTERPRETERS) {
    for (const strict of [false, true]) {
      const p = runLua(cmd, outDir(build), file, strict, RUNNER);
      p.catch(() => {}); // reported by the test that awaits it
      runs.set(key(cmd, strict), p);
    }
  }
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("shared/ compiled to Lua gives the same answers as Node", () => {
  it("has vectors of every kind", () => {
    const kinds = new Set(vectors.map((v) => v.line.split(" ")[0]));
    expect([...kinds].sort()).toEqual(["accept", "b64", "crc", "crc2", "f32", "msg", "msgd", "mqttenc", "mqttparse", "spack", "sunpack", "sha1", "topic", "wsenc", "wsrecv"].sort());
    expect(vectors.length).toBeGreaterThan(2000);
  });

  for (const { cmd, build } of INTERPRETERS) {
    for (const strict of [false, true]) {
      it(`${cmd} (dist/lua/${build}${strict ? ", strict byte arrays" : ""})`, async () => {
        const got = await runs.get(key(cmd, strict))!;
        expect(mismatches(vectors, got)).toEqual([]);
      }, 60_000);
    }
  }
});
