// lua/tstl/rewrite.mjs, the pass that makes JavaScript's truthiness and int32 bitwise semantics
// explicit before typescript-to-lua: a snippet full of the patterns shared/ uses gives the same
// values on lua5.1 + bit, luajit and lua5.3 as on Node, and compiled without the pass it does not.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ts from "typescript";
import * as tstl from "typescript-to-lua";
import { afterAll, describe, expect, it } from "vitest";
import { rewriteProgram } from "../lua/tstl/rewrite.mjs";

const SNIPPET = `
function opt(x?: number): string { return x ? "y" : "n"; }
function str(s?: string): string { return s ? "y" : "n"; }
export function run(): (string | number | boolean)[] {
  const out: (string | number | boolean)[] = [];
  const zero = 0;
  const empty = "";
  const table: { [k: string]: number } = { a: 0, b: 2 };
  let n: number | undefined = 0;
  out.push(zero ? "t" : "f", empty ? "t" : "f", !zero, !!empty, opt(0), opt(undefined), opt(3), str(""), str("a"));
  out.push(n || 5, empty || "d", table.a || 7, table.missing ? "t" : "f", table.b && 9);
  let k = 3;
  let loops = 0;
  // the bounds keep the loops finite when 0 is (wrongly) true
  while (k-- && loops < 10) loops++;
  out.push(loops, zero && 1);
  let c = 6;
  let bits = 0;
  while (c && bits < 10) {
    if (c & 1) bits++;
    c >>= 1;
  }
  out.push(bits);
  const big = 0xff000000;
  const m = -1;
  let r = -256;
  r >>= 4;
  let u = m;
  u >>>= 28;
  out.push(big | 0, m >>> 0, -8 >> 1, 1 << 31, ~5, m >>> 28, (0x7fffffff + 1) | 0, r, u, -5 & 0xff, 5 ^ m, ~0xedb88320, (big >> 24) & 255, big >>> 24);
  out.push((0x12345678 << 8) | 0, 0x80000000 ^ 0, (3 << 30) >> 30);
  return out;
}
`;

const BIT_DTS = readFileSync(new URL("../lua/tstl/bit.d.ts", import.meta.url), "utf8");
const DRIVER = `
local m = dofile(arg[1])
local out = {}
for i, v in ipairs(m.run()) do
  out[i] = type(v) == "number" and string.format("%.17g", v) or tostring(v)
end
print(table.concat(out, ","))
`;

const dir = mkdtempSync(join(tmpdir(), "pinwire-rewrite-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function jsValues(): string {
  const js = ts.transpileModule(SNIPPET, { compilerOptions: { target: ts.ScriptTarget.ES5, module: ts.ModuleKind.CommonJS } }).outputText;
  const exports: { run?: () => unknown[] } = {};
  new Function("exports", js)(exports);
  return exports.run!().map(String).join(",");
}

// The snippet rewritten for `rewrite` (or as is) and compiled by TSTL for `luaTarget`.
function compile(luaTarget: string, rewrite: "bit" | "5.3" | null): string {
  const file = join(dir, "snippet.ts");
  writeFileSync(file, SNIPPET);
  let text = SNIPPET;
  if (rewrite) {
    const program = ts.createProgram([file], { target: ts.ScriptTarget.ES5, lib: ["lib.es5.d.ts"], strict: true, types: [] });
    const r = rewriteProgram(program, rewrite);
    expect(r.stats.errors).toEqual([]);
    text = r.files.get(program.getSourceFiles().find((f) => f.fileName.endsWith("snippet.ts"))!.fileName)!;
  }
  const files: Record<string, string> = { "main.ts": text };
  if (rewrite === "bit") files["bit.d.ts"] = BIT_DTS;
  const res = tstl.transpileVirtualProject(files, {
    luaTarget: luaTarget as tstl.LuaTarget,
    luaLibImport: tstl.LuaLibImportKind.Inline,
    noImplicitSelf: true,
    noHeader: true,
    strict: true,
    lib: ["lib.es5.d.ts"],
    types: [],
  });
  const errors = res.diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length) throw new Error(errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")).join("\n"));
  const lua = res.transpiledFiles.find((f) => f.outPath.endsWith("main.lua"))!.lua!;
  const out = join(dir, `main-${luaTarget}-${rewrite}.lua`);
  writeFileSync(out, lua);
  return out;
}

function runLua(cmd: string, file: string): string {
  const driver = join(dir, "driver.lua");
  writeFileSync(driver, (cmd === "lua5.1" ? 'bit = require("bit")\n' : "") + DRIVER);
  return execFileSync(cmd, [driver, file], { encoding: "utf8", timeout: 20_000 }).trim();
}

describe("the JS-semantics rewrite for typescript-to-lua", () => {
  const want = jsValues();

  it("Node's values are the reference", () => {
    expect(want.split(",").length).toBeGreaterThan(30);
    expect(want).toContain("4294967295");
  });

  for (const [cmd, target, rewrite] of [["lua5.1", "5.1", "bit"], ["luajit", "5.1", "bit"], ["lua5.3", "5.3", "5.3"]] as const) {
    it(`gives Node's values on ${cmd}`, () => {
      expect(runLua(cmd, compile(target, rewrite))).toBe(want);
    });
  }

  it("without it, TSTL's output differs (JS truthiness, 32-bit results)", () => {
    // TSTL's JIT target accepts the bitwise operators as written; LuaJIT runs its goto.
    expect(runLua("luajit", compile("JIT", null))).not.toBe(want);
    expect(() => compile("5.3", null)).toThrow(/right shift/);
  });
});
