// The device pipeline: each TypeScript file transpiled to ES5 (TypeScript 6, importHelpers) as
// esbuild loads it -> one esbuild bundle, tree-shaken -> terser ecma 5 -> the build's own passes
// for Espruino (hoist.mjs) and the scoping check (scope-check.mjs). One minified file per board;
// board-specific code is chosen at build time through the PINWIRE_BOARD constant, so dead
// branches never reach the board. Type checking is separate (tsc --noEmit -p
// tsconfig.device.json, test/typecheck.test.ts): transpiling file by file never writes a shared
// output tree that parallel builds could trip over.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { minify } from "terser";
import ts from "typescript";
import { flattenClasses, freeStartOnly, hoistDeclarations, inlineHelpers, prefixTopLevel } from "./hoist.mjs";
import { paramsFromArguments } from "./arguments.mjs";
import { assertNoScopeHazards } from "./scope-check.mjs";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const BOARDS = ["esp8266", "esp32", "linux"];

const TS_OPTIONS = {
  target: ts.ScriptTarget.ES5,
  module: ts.ModuleKind.ESNext,
  importHelpers: true,
  // Kept so that the marker of each compiled class (`/** @class */`) can become a pure
  // annotation: the bundler then drops classes nothing uses (an unused part).
  removeComments: false,
  ignoreDeprecations: "6.0",
};

// Board variants: where shared/X.board.ts sits beside shared/X.ts (same exports, e.g. 2-3
// character error codes instead of spec ids), the board bundle takes the variant. Host code and
// tests import X.ts and keep the long spelling; shared/error-text.ts maps one to the other.
export function boardVariant(path) {
  if (!/[\\/]shared[\\/]/.test(path) || path.endsWith(".board.ts")) return path;
  const v = path.replace(/\.ts$/, ".board.ts");
  return existsSync(v) ? v : path;
}

// Each file's ES5 text, by path, while its source stays the same: a process that builds again
// (pinwire run --watch, the test suites) transpiles only the files that changed.
const transpiled = new Map();

// TypeScript to ES5, one file at a time, as esbuild loads it (with its board variant).
export const es5Loader = {
  name: "es5",
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (a) => {
      const file = boardVariant(a.path);
      const source = readFileSync(file, "utf8");
      const seen = transpiled.get(file);
      if (seen && seen.source === source) return seen.result;
      const out = ts.transpileModule(source, { compilerOptions: TS_OPTIONS, fileName: file, reportDiagnostics: true });
      const errors = (out.diagnostics || []).filter((d) => d.category === ts.DiagnosticCategory.Error);
      if (errors.length) return { errors: errors.map((d) => ({ text: ts.flattenDiagnosticMessageText(d.messageText, "\n") })) };
      const result = { contents: out.outputText.replace(/\/\*\* @class \*\/ \(function/g, "/* @__PURE__ */ (function"), loader: "js", resolveDir: dirname(file) };
      transpiled.set(file, { source, result });
      return result;
    });
  },
};

// Board files are top-level code, not an IIFE: a function created inside another keeps that
// scope alive and costs about one JsVar more (measured on Espruino 2v29), and the boot loader
// runs the script with eval at the top level. The minifier must not take names Espruino
// defines itself that the code does not name: the pins (D0.., A0.., B/C on other chips) and E.
const RESERVED = ["E"];
for (let i = 0; i < 100; i++) for (const c of "ABCD") RESERVED.push(c + i);

// Bundles one ES5 entry (path relative to the repo, .ts) and minifies it. Returns the code.
// `plugins` go before the TypeScript loader (they may stand in for files). A script's
// top-level names are globals on the board and get a "$" prefix (hoist.mjs prefixTopLevel);
// a `module` (a Storage module: require() gives it its own scope) keeps them short. With `iife`
// the entry is wrapped in a function, and `tail` is code appended after it.
export async function bundleES5(entryTs, defines = {}, plugins = [], { iife = false, tail = "", module = false } = {}) {
  // A name with a colon ("pinwire:entry") is a plugin's virtual entry, not a file.
  const entry = /^[a-z]+:[a-z]/.test(entryTs) ? entryTs : resolve(root, entryTs);
  const res = await build({
    entryPoints: [entry],
    bundle: true,
    format: iife ? "iife" : "esm",
    target: "es5",
    platform: "neutral",
    mainFields: ["module", "main"],
    write: false,
    treeShaking: true,
    plugins: [...plugins, es5Loader],
    // A tsconfig would make esbuild add "use strict" (alwaysStrict): Espruino has no strict
    // mode, so that is 13 bytes of nothing in every file.
    tsconfigRaw: {},
    define: Object.fromEntries(Object.entries(defines).map(([k, v]) => [k, JSON.stringify(v)])),
    logLevel: "error",
  });
  // For finding where a board's JsVars go: PW_DEBUG_BUNDLE=<file> keeps the bundle before
  // minifying (one "// path.ts" line per module), PW_DEBUG_NAMES=<file> terser's name map.
  if (process.env.PW_DEBUG_BUNDLE) writeFileSync(process.env.PW_DEBUG_BUNDLE, res.outputFiles[0].text);
  const nameCache = process.env.PW_DEBUG_NAMES ? {} : undefined;
  const bundled = iife ? res.outputFiles[0].text : inlineHelpers(flattenClasses(res.outputFiles[0].text));
  const min = await minify(bundled + tail, {
    nameCache,
    ecma: 5,
    toplevel: true,
    compress: { passes: 3, unsafe: false, pure_getters: true, inline: 3 },
    // Private fields ("_name", shared/mqtt/client.ts) get short names too: a property name of
    // more than four characters costs a second JsVar on the board.
    mangle: { toplevel: true, reserved: RESERVED, properties: { regex: /^_/ } },
    format: { ascii_only: true, comments: false },
  });
  // Nothing is hoisted on Espruino: declarations go where they run first, then the scoping
  // check proves it (it throws naming each use that could run before its declaration).
  // Parameters are then read from `arguments` (arguments.mjs): a JsVar less each.
  if (nameCache) writeFileSync(process.env.PW_DEBUG_NAMES, JSON.stringify(nameCache));
  let code = paramsFromArguments(hoistDeclarations(min.code), entryTs);
  if (!iife && !module) code = freeStartOnly(prefixTopLevel(code));
  assertNoScopeHazards(code, entryTs);
  return code;
}

// The boot loader (.bootcde): device/ota/boot.ts, which leaves the global pwBoot, then the script
// it picks evaluated at the top level. Indirect eval: the minifier keeps mangling around it.
export const LOADER = {
  entry: "device/ota/boot.ts",
  iife: true,
  tail: '\ntry { (0, eval)(require("Storage").read(pwBoot.pick()) || "console.log(\\"pinwire: no script\\")"); pwBoot = 0; } catch (e) { pwBoot.failed(e); }\n',
};

export function bundleLoader(board) {
  return bundleES5(LOADER.entry, { PINWIRE_BOARD: board }, [], LOADER);
}

// The optional parts of the application: Storage modules the app loads with require(name)
// only when it needs them (so a plain MQTT board never defines their functions). Each is
// written to dist/device/<board>/<file> and to the board's Storage as <name>.
export const MODULES = [
  { name: "pw.ota", file: "ota.js", entry: "device/ota/module.ts" }, // OTA receiver
  { name: "pw.ws", file: "ws.js", entry: "device/ws-module.ts" }, // WebSocket client
];

// The module files as Storage writes ({name, data}) for a board already built: what every
// installer (pinwire flash, test rigs, the simulator) writes beside the app.
export function moduleFiles(board) {
  return MODULES.map((m) => ({ name: m.name, data: readFileSync(join(root, "dist", "device", board, m.file)) }));
}
