// `pinwire build` and what it refuses: the board typings (types/), the Espruino rules of
// host/app/check.ts at the app's own lines, the ES5 gate on every file the bundle takes in
// (host/app/es5-gate.ts), and the CLI's output and exit codes.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BoardChecker, boardOptions, espruinoRules, SYNTAX } from "../host/app/check";
import { espruinoProblems } from "../host/app/es5-gate";
import { AppBuilder, BuildError, findProject } from "../host/app/project";
import { buildApp, REFERENCE_APP } from "../host/app/build";
import { root } from "../scripts/device-bundle.mjs";
import { run } from "./host-helpers";
import { tempProject, type TempProject } from "./helpers/projects";

const tsx = join(root, "node_modules", "tsx", "dist", "cli.mjs");
const pinwire = (args: string[], cwd: string) => run(process.execPath, [tsx, join(root, "host", "cli.ts"), ...args], { timeoutMs: 60000, cwd });

let p: TempProject;
let checker: BoardChecker;
beforeAll(() => {
  p = tempProject("checked");
  checker = new BoardChecker(p.dir);
});
afterAll(() => p.cleanup());

// Type-checks main.ts with `body` after the template's imports; the problems as line: text.
function problems(body: string): { line: number; code: string; message: string }[] {
  p.write("main.ts", 'import { log } from "pinwire/device";\n' + body + "\nlog(0);\n");
  return checker.check([p.file("main.ts"), p.file("app.ts")], [p.file("app.ts")]).map((d) => ({ line: d.line, code: d.code, message: d.message }));
}

describe("the Espruino rules, at the line that breaks them", () => {
  const cases: [string, string, RegExp | string][] = [
    ["const m = new Map<string, number>();", "Map", /^Espruino 2v29 has no Map: use a plain object/],
    ["const s: Set<number> | null = null;", "Set as a type", /^Espruino 2v29 has no Set/],
    ["const k = Symbol();", "Symbol", /has no Symbol/],
    ["const w = new WeakMap();", "WeakMap", /has no WeakMap/],
    ["const a = Array.from([1]);", "Array.from", /has no Array\.from/],
    ["const n = Math.imul(2, 3);", "Math.imul", /has no Math\.imul/],
    ["const n = Math.trunc(2.5);", "Math.trunc", /has no Math\.trunc/],
    ["const n = Number.isInteger(2);", "Number.isInteger", /has no Number\.isInteger/],
    ["const i = [1, 2].lastIndexOf(2);", "Array#lastIndexOf (ES5, missing on the board)", /has no Array#lastIndexOf/],
    ["const o = Object.freeze({ a: 1 });", "Object.freeze", /has no Object\.freeze/],
    ["const s = new Uint8Array(4).slice(1);", "typed-array slice", /slice\(\) returns a plain Array: use subarray/],
    ["const e = new Error('x').name;", "Error#name", /errors have no name property/],
    ["const r = new RangeError('x');", "RangeError", /has no RangeError/],
    ["Promise.resolve(1).finally(() => 0);", "Promise#finally", /has no Promise#finally/],
    ["const a = [1]; const b = [0, ...a];", "array spread", SYNTAX.arraySpread],
    ["function f(x: number, y: number) { return x + y; } f(1, ...[2]);", "spread among arguments", SYNTAX.callSpread],
    ["class P { constructor(a: number) {} } const a = [1]; new P(...(a as [number]));", "new with spread", SYNTAX.newSpread],
    ["async function go() { await Promise.resolve(1); }", "async/await", SYNTAX.async],
    ["function* g() { yield 1; }", "generator", SYNTAX.generator],
    ["class Oops extends Error {}", "class extends Error", /a class that extends Error does not work on Espruino 2v29/],
    ["class L extends Array<number> {}", "class extends Array", /a class that extends Array/],
    ["outer: for (let i = 0; i < 2; i++) { break outer; }", "label", SYNTAX.label],
    ["const a = [1, 2]; a.length = 0;", "array length assigned", SYNTAX.length],
    ["const s = Array.prototype.slice.call([1], 0);", "Array.prototype.slice", /keeps built-in methods off Array\.prototype/],
  ];
  for (const [code, what, why] of cases) {
    it(what, () => {
      const got = problems(code);
      const hit = got.find((d) => d.code === "espruino" && (typeof why === "string" ? d.message === why : why.test(d.message)));
      expect(hit, JSON.stringify(got)).toBeDefined();
      expect(hit!.line).toBe(2);
    });
  }

  it("lets through what the board runs: spread alone, object spread and rest, destructuring, default parameters, ?., classes, find/includes/assign/padStart, Promise.then", () => {
    const ok = [
      "function f(...xs: number[]) { return xs.length; }",
      "const a = [1, 2]; f(...a); Math.max.apply(null, a);",
      "const o = { x: 1, y: 2 }; const c = { ...o, z: 3 }; const { x, ...rest } = c;",
      "const [p, q] = a; function d(v = 5) { return v + p + q + x; } d();",
      "const z: any = null; const w = z?.y ?? 2;",
      "class A { n = 1; get m() { return this.n; } } class B extends A {} new B().m;",
      "[1].find((v) => v > 0); [1].includes(1); Object.assign({}, o); 'a'.padStart(3); Object.keys(o); Object.entries(o);",
      "Promise.resolve(1).then((v) => v + 1, () => 0);",
      "const u = new Uint8Array(4).subarray(1); const s = 'abc'.slice(1) + [1, 2].slice(1).join();",
      "for (const v of a) w + v; for (const ch of 'ab') ch;",
      "setTimeout(() => {}, 10); E.toString(u); global.require('Storage').read('x'); digitalWrite(D2, 1); process.memory().free;",
    ].join("\n");
    expect(problems(ok + "\nvoid [c, rest, s];")).toEqual([]);
  });

  it("keeps TypeScript's own errors, at their lines", () => {
    expect(problems("const n: number = 'x';")).toEqual([{ line: 2, code: "TS2322", message: "Type 'string' is not assignable to type 'number'." }]);
  });

  it("does not hold the declaration (evaluated on the host) to the board's rules", () => {
    p.write("app.ts", readFileSync(join(root, "template", "app.ts"), "utf8").replace("{{name}}", "checked") + "\nexport const names = [...['a'], 'b'];\n");
    try {
      expect(problems("")).toEqual([]);
    } finally {
      p.write("app.ts", readFileSync(join(root, "template", "app.ts"), "utf8").replace("{{name}}", "checked"));
    }
  });

  it("the runtime and the examples (the board tree) follow the rules themselves", () => {
    const cfg = ts.getParsedCommandLineOfConfigFile(join(root, "tsconfig.device.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
    const program = ts.createProgram(cfg.fileNames, boardOptions().options);
    const found = program
      .getSourceFiles()
      .filter((sf) => !sf.isDeclarationFile && !program.isSourceFileDefaultLibrary(sf))
      .flatMap((sf) => espruinoRules(sf, program).map((d) => d.file + ":" + d.line + " " + d.message));
    expect(found).toEqual([]);
  }, 60000);

  it("plain tsc (an editor) refuses what ES5 lacks too, naming it as not on Espruino", () => {
    const q = tempProject("plain", { "main.ts": "const m = new Map();\nconst a = Array.from([1]);\nexport {};\n" });
    let out = "";
    try {
      execFileSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", q.dir, "--noEmit"], { encoding: "utf8" });
    } catch (e) {
      out = String((e as { stdout?: string }).stdout);
    } finally {
      q.cleanup();
    }
    expect(out).toMatch(/main\.ts\(1,\d+\): error TS2351: This expression is not constructable\.\s+Type 'NotOnEspruino<"Map">' has no construct signatures/);
    expect(out).toMatch(/main\.ts\(2,\d+\): error TS2349: This expression is not callable\.\s+Type 'NotOnEspruino<"Array\.from">' has no call signatures/);
  });
});

describe("the ES5 gate on every file the bundle takes in", () => {
  it("finds what Espruino lacks in JavaScript and says where", () => {
    expect(espruinoProblems("let a = 1;")[0]).toMatch(/not ES5/);
    expect(espruinoProblems("var m = new Map();")).toEqual(["uses Map at 12"]);
    expect(espruinoProblems("var x = b.slice(1);", { anySlice: false })).toEqual([]);
  });

  it("reports a name the type check cannot see (shadowed by a declaration) at the app's line", async () => {
    const q = tempProject("gated", { "main.ts": 'import { log } from "pinwire/device";\ndeclare const Map: any;\nconst m = new Map();\nlog(m);\n' });
    try {
      const e = await new AppBuilder(findProject(q.file("main.ts"))).build("esp8266").catch((x) => x);
      expect(e).toBeInstanceOf(BuildError);
      expect(e.stage).toBe("gate");
      expect(e.diagnostics).toMatchObject([{ file: q.file("main.ts"), line: 3, column: 15, message: "Espruino 2v29 cannot run this: uses Map" }]);
    } finally {
      q.cleanup();
    }
  });

  it("reports a package's JavaScript at its own file and line", async () => {
    const q = tempProject("pkg", {
      "main.ts": 'import { log } from "pinwire/device";\nimport { count } from "counter";\nlog(count());\n',
      "node_modules/counter/package.json": JSON.stringify({ name: "counter", main: "index.js" }),
      "node_modules/counter/index.js": "var seen = {};\nvar s = new Set();\nexports.count = function () { return s.size; };\n",
    });
    try {
      const e = await new AppBuilder(findProject(q.file("main.ts")), { typecheck: false }).build("esp8266").catch((x) => x);
      expect(e).toBeInstanceOf(BuildError);
      expect(e.diagnostics).toMatchObject([{ file: q.file("node_modules/counter/index.js"), line: 2, column: 13, message: "Espruino 2v29 cannot run this: uses Set" }]);
    } finally {
      q.cleanup();
    }
  });
});

describe("AppBuilder", () => {
  it("builds the reference app as buildApp does, with its script version from the app's version and the script's CRC", async () => {
    const b = await new AppBuilder(findProject(REFERENCE_APP.main, REFERENCE_APP.app)).build("esp8266");
    const a = await buildApp(REFERENCE_APP, "esp8266");
    expect(b.code).toBe(a.code);
    expect(espruinoProblems(b.code)).toEqual([]);
    expect(b.version).toMatch(/^1\.0\.0-[0-9a-f]{8}$/);
    expect(b.app).toMatchObject({ name: "servo-light", version: "1.0.0", messages: 5 });
    expect(b.inputs.sort()).toEqual([REFERENCE_APP.app, REFERENCE_APP.main].sort());
  }, 60000);
});

describe("pinwire build", () => {
  it("writes dist/<board>/app.js and prints its size", async () => {
    p.write("main.ts", readFileSync(join(root, "template", "main.ts"), "utf8").replaceAll("{{name}}", "checked"));
    const r = await pinwire(["build", "--board", "esp32"], p.dir);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const file = join(p.dir, "dist", "esp32", "app.js");
    expect(existsSync(file)).toBe(true);
    const bytes = readFileSync(file).length;
    expect(r.stdout).toMatch(/^checked main\.ts, app\.ts in [\d.]+ s; bundled and minified in [\d.]+ s$/m);
    expect(r.stdout).toContain("dist/esp32/app.js  " + bytes.toLocaleString("en-US") + " B  (checked 0.1.0 for esp32, script 0.1.0-");
    expect(espruinoProblems(readFileSync(file, "latin1"))).toEqual([]);
  }, 60000);

  it("a board the code cannot run on: every problem at its file:line:col with the line shown, exit 1", async () => {
    const q = tempProject("broken", { "main.ts": 'import { log } from "pinwire/device";\nconst m = new Map<string, number>();\nasync function go() {}\nlog(m, go);\n' });
    try {
      const r = await pinwire(["build"], q.dir);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("main.ts:2:15 - error espruino: Espruino 2v29 has no Map: use a plain object ({ [key: string]: V }), with string keys.\n\n2 const m = new Map<string, number>();\n                ~~~");
      expect(r.stderr).toContain("main.ts:3:1 - error espruino: Espruino 2v29 has no async/await");
      expect(r.stderr).toMatch(/pinwire: the build failed: 2 errors\n$/);
      expect(existsSync(join(q.dir, "dist"))).toBe(false);
    } finally {
      q.cleanup();
    }
  }, 60000);

  it("usage errors exit 2; no project here says how to make one", async () => {
    const bad = await pinwire(["build", "--board", "esp9"], p.dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--board.*one of esp8266, esp32, linux/);
    const none = await pinwire(["build"], join(p.dir, "test"));
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no main\.ts here .*pinwire init <dir>/);
  }, 60000);
});
