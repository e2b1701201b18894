// Every device bundle must parse as ES5 and use nothing Espruino 2v29 lacks (the gate:
// host/app/es5-gate.ts): a board would fail at load or at first use.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as acorn from "acorn";
import { describe, expect, it } from "vitest";
import { BOARDS, bundleLoader, MODULES, root } from "../scripts/device-bundle.mjs";
import { scopeHazards } from "../scripts/scope-check.mjs";
import { espruinoProblems } from "../host/app/es5-gate";

describe("device bundles are ES5 that Espruino can run", () => {
  // Every file written to a board: the app, its Storage modules, and the boot loader.
  for (const board of BOARDS) {
    for (const file of ["app.js", ...MODULES.map((m) => m.file)]) {
      it(board + " " + file, () => {
        const code = readFileSync(join(root, "dist", "device", board, file), "utf8");
        expect(code.length).toBeGreaterThan(0);
        expect(espruinoProblems(code)).toEqual([]);
        // Nothing is hoisted on Espruino: no use may run before its declaration.
        expect(scopeHazards(code, file)).toEqual([]);
      });
    }
    it(board + " boot loader", async () => {
      const code = await bundleLoader(board);
      expect(espruinoProblems(code)).toEqual([]);
      expect(scopeHazards(code, "boot")).toEqual([]);
      // The script it evaluates reuses short global names: the loader leaves only pwBoot.
      const top = (acorn.parse(code, { ecmaVersion: 5 }) as any).body;
      expect(top.filter((s: any) => s.type === "VariableDeclaration" || s.type === "FunctionDeclaration")).toEqual([]);
    });
  }

  it("the checker itself catches what Espruino lacks", () => {
    expect(espruinoProblems("let a = 1;")[0]).toMatch(/not ES5/);
    expect(espruinoProblems("var m = new Map();")).toEqual(["uses Map at 12"]);
    expect(espruinoProblems("var x = Math.imul(1,2);")[0]).toMatch(/Math.imul/);
    expect(espruinoProblems("var x = Array.from(y);")[0]).toMatch(/Array.from/);
    expect(espruinoProblems("var x = ArrayBuffer.isView(y);")[0]).toMatch(/isView/);
    expect(espruinoProblems("var x = b.slice(1);")[0]).toMatch(/slice/);
    expect(espruinoProblems("var x = [].slice.call(b, 1);")).toEqual([]);
    expect(espruinoProblems('var s = "\u00ff";')[0]).toMatch(/non-ASCII/);
  });
});
