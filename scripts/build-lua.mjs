// npm run build:lua — compiles the protocol core in shared/ to Lua with typescript-to-lua:
// dist/lua/jit/ (Lua 5.1 + the `bit` module: NodeMCU, LuaJIT, lua5.1 with lua-bitop) and
// dist/lua/5.3/. The files compiled are tsconfig.lua.json's "files".
//
// Per target: lua/tstl/rewrite.mjs rewrites the sources into build/lua-src/<target>/ (JS
// truthiness and int32 bitwise semantics made explicit), shared/bytes.ts is replaced by its
// declaration plus lua/bytes.lua (TSTL copies a .lua file that sits beside a .d.ts), then TSTL
// compiles the tree. Any TSTL error or warning fails the build.
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync, existsSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
import * as tstl from "typescript-to-lua";
import { rewriteProgram } from "../lua/tstl/rewrite.mjs";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
// name: output directory; luaTarget: TSTL's; rewrite: lua/tstl/rewrite.mjs's target.
// "jit" is Lua 5.1 syntax with the `bit` module (NodeMCU, lua5.1 + lua-bitop, LuaJIT): TSTL's
// "JIT" target would emit `goto continue`, which Lua 5.1 and NodeMCU cannot parse.
export const TARGETS = [
  { name: "jit", luaTarget: "5.1", rewrite: "bit" },
  { name: "5.3", luaTarget: "5.3", rewrite: "5.3" },
];
export const OUT = join(ROOT, "dist", "lua");
const CONFIG = join(ROOT, "tsconfig.lua.json");
const BYTES = join(ROOT, "shared", "bytes.ts");
const STAMP = join(OUT, ".stamp");

export function outDir(name) {
  return join(OUT, name);
}

function readConfig() {
  const raw = ts.readConfigFile(CONFIG, ts.sys.readFile);
  if (raw.error) throw new Error(ts.flattenDiagnosticMessageText(raw.error.messageText, "\n"));
  const parsed = ts.parseJsonConfigFileContent(raw.config, ts.sys, ROOT);
  if (parsed.errors.length) throw new Error(parsed.errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")).join("\n"));
  return { files: parsed.fileNames, options: parsed.options, tstl: raw.config.tstl || {} };
}

function walk(dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

// Everything the output depends on, for the staleness check the tests use (all of shared/:
// the listed files import others).
function inputs(files) {
  return [...files, CONFIG, fileURLToPath(import.meta.url), ...walk(join(ROOT, "lua")), ...walk(join(ROOT, "shared")).filter((f) => f.endsWith(".ts"))];
}

export function isStale() {
  if (!existsSync(STAMP)) return true;
  let files;
  try {
    files = readConfig().files;
  } catch {
    return true;
  }
  const t = statSync(STAMP).mtimeMs;
  return inputs(files).some((f) => !existsSync(f) || statSync(f).mtimeMs > t);
}

function format(diags) {
  return ts.formatDiagnostics(diags, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => ROOT,
    getNewLine: () => "\n",
  });
}

// The declaration of shared/bytes.ts, which TSTL pairs with lua/bytes.lua.
function bytesDeclaration(options) {
  let dts = "";
  const p = ts.createProgram([BYTES], { ...options, declaration: true, emitDeclarationOnly: true, noEmit: false });
  p.emit(p.getSourceFile(BYTES), (name, text) => {
    if (name.endsWith(".d.ts")) dts = text;
  }, undefined, true);
  if (!dts) throw new Error("could not emit the declaration of shared/bytes.ts");
  return dts;
}

export function buildLua({ log = console.log } = {}) {
  const { files, options, tstl: tstlOptions } = readConfig();
  const program = ts.createProgram(files, options);
  const pre = ts.getPreEmitDiagnostics(program);
  if (pre.length) throw new Error("type errors in the Lua sources:\n" + format(pre));
  const dts = bytesDeclaration(options);
  const result = {};
  rmSync(OUT, { recursive: true, force: true });
  for (const target of TARGETS) {
    const src = join(ROOT, "build", "lua-src", target.name);
    rmSync(src, { recursive: true, force: true });
    const { files: rewritten, stats } = rewriteProgram(program, target.rewrite, (f) => resolve(f) === BYTES);
    if (stats.errors.length) throw new Error("lua rewrite:\n" + stats.errors.join("\n"));
    const roots = [];
    for (const [file, text] of rewritten) {
      const dest = join(src, relative(ROOT, file));
      mkdirSync(dirname(dest), { recursive: true });
      writeFileSync(dest, text);
      roots.push(dest);
    }
    const bytesDir = join(src, "shared");
    mkdirSync(bytesDir, { recursive: true });
    writeFileSync(join(bytesDir, "bytes.d.ts"), dts);
    writeFileSync(join(bytesDir, "bytes.lua"), readFileSync(join(ROOT, "lua", "bytes.lua")));
    if (target.rewrite === "bit") {
      writeFileSync(join(src, "bit.d.ts"), readFileSync(join(ROOT, "lua", "tstl", "bit.d.ts")));
      roots.push(join(src, "bit.d.ts"));
    }
    const out = outDir(target.name);
    const emit = tstl.transpileFiles(roots, {
      ...options,
      ...tstlOptions,
      luaTarget: target.luaTarget,
      rootDir: src,
      outDir: out,
      noEmit: false,
    });
    if (emit.diagnostics.length) throw new Error(`typescript-to-lua (${target.name}):\n` + format(emit.diagnostics));
    const luaFiles = walk(out).filter((f) => f.endsWith(".lua"));
    const bytes = luaFiles.reduce((n, f) => n + statSync(f).size, 0);
    result[target.name] = { dir: out, files: luaFiles.length, bytes, rewrites: stats };
    log(
      `lua ${target.name}: ${luaFiles.length} files, ${bytes} bytes in ${relative(ROOT, out)} ` +
        `(rewrites: ${stats.truthy} conditions, ${stats.logical} && / ||, ${stats.bitwise} bitwise, ${stats.compound} compound, ${stats.shift} >>>)`,
    );
  }
  writeFileSync(STAMP, new Date().toISOString() + "\n");
  return result;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    buildLua();
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
