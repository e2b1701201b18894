// The virtual board resolves names as Espruino 2v29 does (host/vboard/scoping.ts): the answers
// in scoping-cases.ts were measured on the interpreter and are checked there again by
// test/espruino/vboard-scoping.test.ts.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VirtualBoard } from "../host/vboard/index";
import { SCOPING, scopingScript } from "./scoping-cases";

let b: VirtualBoard;
let dir: string;
let answers: string[];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "vboard-scope-"));
  b = new VirtualBoard({ storageDir: dir });
  b.flash(scopingScript());
  expect(await b.boot()).toBe(true);
  answers = (await b.eval("R")) as string[];
});
afterAll(async () => {
  await b.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("Espruino's scoping on the virtual board", () => {
  SCOPING.forEach(([name, , espruino], i) => {
    it(name, () => {
      expect(answers[i]).toBe(espruino);
    });
  });

  it("a minified function that declares its var after using it overwrites the outer one (issue 9)", async () => {
    // The pattern the minifier produced: `o` assigned before `var o` in the same function.
    const r = await b.eval('var o = function () { return "readU16BE"; }; function appCommand() { o = 7; var o; return o; } appCommand(); typeof o');
    expect(r).toBe("number");
  });

  it("a function shows the source it was written with, not the rewrite that runs", async () => {
    await b.eval("function shown(a) { var x = 1; return function () { return x + a; }; }");
    expect(await b.eval("String(shown)")).toBe("function shown(a) { var x = 1; return function () { return x + a; }; }");
    expect(await b.eval("'' + shown(1)")).toBe("function () { return x + a; }");
  });

  it("code typed at the console gets the same rules", async () => {
    await expect(b.eval("callMe(); function callMe() {}")).rejects.toThrow(/callMe/);
    expect(await b.eval('var k = 1; (function () { k = 2; var k = 3; })(); k')).toBe(2);
  });

  it("a script evaluated inside a function keeps that function's scope alive", async () => {
    const fresh = new VirtualBoard({ storageDir: join(dir, "inner") });
    try {
      fresh.storage.write("lib", Buffer.from("function libFn() { return typeof big; } var libVar = 1;"));
      await fresh.boot('function run() { var big = [1, 2, 3]; eval(require("Storage").read("lib")); global.keep = libFn; } run();');
      // libFn and libVar live in run()'s scope: not globals, and libFn still sees `big`.
      expect(await fresh.eval("typeof libVar + ' ' + typeof global.libFn + ' ' + keep()")).toBe("undefined undefined object");
    } finally {
      await fresh.stop();
    }
  });
});
