// Every device bundle must parse as ES5 and use nothing Espruino 2v29 lacks
// (../shared/notes/espruino.md): a board would fail at load or at first use.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as acorn from "acorn";
import * as walk from "acorn-walk";
import { describe, expect, it } from "vitest";
import { BOARDS, bundleLoader, MODULES, root } from "../scripts/device-bundle.mjs";
import { scopeHazards } from "../scripts/scope-check.mjs";

const MISSING_GLOBALS = ["Map", "Set", "Symbol", "WeakMap", "WeakSet", "Reflect", "Proxy"];
const MISSING_MEMBERS: Record<string, string[]> = { Math: ["imul"], Array: ["from", "of"], ArrayBuffer: ["isView"] };

// Returns what Espruino would choke on, one line each.
export function espruinoProblems(code: string): string[] {
  const problems: string[] = [];
  let ast: acorn.Node;
  try {
    ast = acorn.parse(code, { ecmaVersion: 5 });
  } catch (e) {
    return ["not ES5: " + (e as Error).message];
  }
  for (let i = 0; i < code.length; i++) if (code.charCodeAt(i) > 127) {
    problems.push("non-ASCII character at " + i);
    break;
  }
  walk.full(ast, (node: any) => {
    if (node.type === "Identifier" && MISSING_GLOBALS.includes(node.name)) problems.push("uses " + node.name + " at " + node.start);
    if (node.type === "MemberExpression" && !node.computed) {
      const obj = node.object.type === "Identifier" ? node.object.name : "";
      const prop = node.property.name;
      if (MISSING_MEMBERS[obj]?.includes(prop)) problems.push("uses " + obj + "." + prop + " at " + node.start);
      // Uint8Array#slice returns a plain Array and Array.prototype.slice is undefined there.
      if (prop === "slice" && obj !== "" && /^(Array|Uint8Array)$/.test(obj)) problems.push("uses " + obj + ".slice");
      if (node.object.type === "MemberExpression" && node.object.property.name === "prototype" && prop === "slice")
        problems.push("uses X.prototype.slice at " + node.start);
    }
    if (node.type === "CallExpression" && node.callee.type === "MemberExpression" && node.callee.property.name === "slice") {
      problems.push("calls .slice at " + node.start + " (typed-array slice returns an Array on Espruino: use subarray or [].slice.call)");
    }
  });
  return problems;
}

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
