// The device pipeline: tsc (target ES5, importHelpers) -> esbuild ES5 IIFE -> terser ecma 5.
// One minified file per board; board-specific code is chosen at build time through the
// PINWIRE_BOARD constant, so dead branches never reach the board.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { minify } from "terser";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const BOARDS = ["esp8266", "esp32", "linux"];
const es5Dir = join(root, "build", "device-es5");

let compiled = false;
// Compiles shared/ and device/ to ES5 modules once per process.
export function compileES5() {
  if (compiled) return;
  execFileSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", join(root, "tsconfig.device.json")], {
    cwd: root,
    stdio: "inherit",
  });
  compiled = true;
}

// Board variants: where shared/X.board.ts sits beside shared/X.ts (same exports, e.g. 2-3
// character error codes instead of spec ids), the board bundle takes the variant. Host code and
// tests import X.ts and keep the long spelling; shared/error-text.ts maps one to the other.
export const boardVariants = {
  name: "board-variants",
  setup(b) {
    b.onLoad({ filter: /[\\/]shared[\\/].*\.js$/ }, (a) => {
      const v = a.path.replace(/\.js$/, ".board.js");
      if (a.path.endsWith(".board.js") || !existsSync(v)) return undefined;
      return { contents: readFileSync(v, "utf8"), loader: "js", resolveDir: dirname(v) };
    });
  },
};

// Bundles one ES5 entry (path relative to the repo, .ts) and minifies it. Returns the code.
export async function bundleES5(entryTs, defines = {}) {
  compileES5();
  const entry = join(es5Dir, entryTs.replace(/\.ts$/, ".js"));
  const res = await build({
    entryPoints: [entry],
    bundle: true,
    format: "iife",
    target: "es5",
    platform: "neutral",
    mainFields: ["module", "main"],
    write: false,
    treeShaking: true,
    plugins: [boardVariants],
    define: Object.fromEntries(Object.entries(defines).map(([k, v]) => [k, JSON.stringify(v)])),
    logLevel: "error",
  });
  const min = await minify(res.outputFiles[0].text, {
    ecma: 5,
    toplevel: true,
    compress: { passes: 3, unsafe: false, pure_getters: true },
    mangle: { toplevel: true },
    format: { ascii_only: true, comments: false },
  });
  return min.code;
}

// The optional parts of the application: Storage modules the app loads with require(name)
// only when it needs them (so a plain MQTT board never defines their functions). Each is
// written to dist/device/<board>/<file> and to the board's Storage as <name>.
export const MODULES = [
  { name: "pw.ota", file: "ota.js", entry: "device/ota/module.ts" }, // OTA receiver
  { name: "pw.ws", file: "ws.js", entry: "device/ws-module.ts" }, // WebSocket client
];

// Builds app.js (the boot-time application) and the module files for one board.
// Returns app.js's file and size, and each module's {name, file, bytes}.
export async function buildBoard(board) {
  if (!BOARDS.includes(board)) throw new Error("unknown board '" + board + "' (one of: " + BOARDS.join(", ") + ")");
  const dir = join(root, "dist", "device", board);
  mkdirSync(dir, { recursive: true });
  const modules = [];
  for (const m of MODULES) {
    const c = await bundleES5(m.entry, { PINWIRE_BOARD: board });
    writeFileSync(join(dir, m.file), c);
    modules.push({ name: m.name, file: join(dir, m.file), bytes: Buffer.byteLength(c) });
  }
  const code = await bundleES5("device/main.ts", { PINWIRE_BOARD: board });
  const out = join(dir, "app.js");
  writeFileSync(out, code);
  return { board, file: out, bytes: Buffer.byteLength(code), modules };
}

// The module files as Storage writes ({name, data}) for a board already built: what every
// installer (pinwire flash, test rigs, the simulator) writes beside the app.
export function moduleFiles(board) {
  return MODULES.map((m) => ({ name: m.name, data: readFileSync(join(root, "dist", "device", board, m.file)) }));
}
