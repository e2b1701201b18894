// Builds an app for a board: its logic file (the entry) with the runtime under it, in one ES5
// file for Storage (scripts/device-bundle.mjs does the ES5 pipeline). The declaration file is
// evaluated on the host (declaration.ts) and stands in the bundle as that board's constants;
// the entry the bundler starts from is made here:
//   import "device/autostart"; import "<the app's logic>";
// so the runtime starts first (reads pinwire.json, brings up the link: device/autostart.ts says
// why), then the app's code makes its parts and registers its handlers; what the runtime knows
// of the app comes from the module "pinwire:app" (declaration.ts appModule).
import { existsSync, mkdirSync, readFileSync, realpathSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import type { Plugin } from "esbuild";
import { BOARDS, bundleES5, MODULES, root } from "../../scripts/device-bundle.mjs";
import type { BoardName } from "../../device/declare";
import { appModule, boardModule, loadApp, type LoadedApp } from "./declaration";

// The reference app: what `npm run build:device`, `npm start` and the tests run.
export const REFERENCE_APP = { main: join(root, "examples", "servo-light", "main.ts"), app: join(root, "examples", "servo-light", "app.ts") };

export interface AppSource {
  main: string; // the logic file
  app: string; // the declaration file
}

export interface BuiltApp {
  board: string;
  code: string;
  bytes: number;
  loaded: LoadedApp;
}

const real = (f: string): string => {
  try {
    return realpathSync(f);
  } catch {
    return resolve(f);
  }
};

// The board-bundle plugin: the entry, the public modules (pinwire/device), the declaration
// file replaced by its board module, and tslib (TypeScript's helpers) from pinwire's own
// dependencies for an app outside this checkout (its project has only pinwire installed).
function appPlugin(src: AppSource, loaded: LoadedApp, board: BoardName): Plugin {
  const main = resolve(src.main);
  const declaration = real(loaded.file);
  const inside = root + sep;
  return {
    name: "pinwire-app",
    setup(b) {
      b.onResolve({ filter: /^pinwire:entry$/ }, () => ({ path: "entry", namespace: "pinwire-entry" }));
      b.onResolve({ filter: /^pinwire:app$/ }, () => ({ path: "app", namespace: "pinwire-app" }));
      b.onLoad({ filter: /.*/, namespace: "pinwire-app" }, () => ({ contents: appModule(loaded.catalogue), loader: "js" }));
      b.onLoad({ filter: /.*/, namespace: "pinwire-entry" }, () => ({
        contents: `import ${JSON.stringify(join(root, "device", "autostart.ts"))};\nimport ${JSON.stringify(main)};\n`,
        loader: "js",
        resolveDir: dirname(main),
      }));
      b.onResolve({ filter: /^pinwire\/(device|app)$/ }, (a) => ({ path: join(root, "device", a.path.endsWith("device") ? "api.ts" : "declare.ts") }));
      b.onResolve({ filter: /^tslib$/ }, (a) => ((a.resolveDir + sep).startsWith(inside) ? undefined : b.resolve("tslib", { kind: a.kind, resolveDir: root })));
      b.onLoad({ filter: /\.ts$/ }, (a) => (real(a.path) === declaration ? { contents: boardModule(loaded, board), loader: "js", resolveDir: dirname(loaded.file) } : undefined));
    },
  };
}

// `plugins` see every file before the app's own plugin and the TypeScript loader (host/app/
// project.ts checks each of the app's files there, and caches their transpiled text).
export async function buildApp(src: AppSource, board: string, loaded?: LoadedApp, plugins: Plugin[] = []): Promise<BuiltApp> {
  if (!BOARDS.includes(board)) throw new Error("unknown board '" + board + "' (one of: " + BOARDS.join(", ") + ")");
  const l = loaded ?? (await loadApp(src.app));
  const code = await bundleES5("pinwire:entry", { PINWIRE_BOARD: board }, [...plugins, appPlugin(src, l, board as BoardName)]);
  return { board, code, bytes: Buffer.byteLength(code), loaded: l };
}

// Readers (a virtual board booting, a flash in another test worker) never see a half-written
// file: write beside it, then rename over it.
function writeAtomic(file: string, data: string): void {
  const tmp = file + "." + process.pid + ".tmp";
  writeFileSync(tmp, data, "latin1");
  renameSync(tmp, file);
}

export interface BuiltBoard {
  board: string;
  file: string;
  bytes: number;
  modules: { name: string; file: string; bytes: number }[];
}

// An app and the runtime's Storage modules for one board, into dir (default dist/device/<board>/
// for the reference app): app.js and each module's file (scripts/device-bundle.mjs MODULES).
export async function buildBoard(board: string, src: AppSource = REFERENCE_APP, dir = join(root, "dist", "device", board)): Promise<BuiltBoard> {
  const app = await buildApp(src, board);
  mkdirSync(dir, { recursive: true });
  const modules = [];
  for (const m of MODULES) {
    const c = await bundleES5(m.entry, { PINWIRE_BOARD: board }, [], { module: true });
    writeAtomic(join(dir, m.file), c);
    modules.push({ name: m.name, file: join(dir, m.file), bytes: Buffer.byteLength(c) });
  }
  const out = join(dir, "app.js");
  writeAtomic(out, app.code);
  return { board, file: out, bytes: app.bytes, modules };
}

// The runtime's Storage modules for a board ({name, data} as installers write them), from
// dist/device/<board>/, bundled there first when missing. They do not depend on the app.
export async function runtimeModules(board: string): Promise<{ name: string; data: Buffer }[]> {
  const dir = join(root, "dist", "device", board);
  const out = [];
  for (const m of MODULES) {
    const file = join(dir, m.file);
    if (!existsSync(file)) {
      mkdirSync(dir, { recursive: true });
      writeAtomic(file, await bundleES5(m.entry, { PINWIRE_BOARD: board }, [], { module: true }));
    }
    out.push({ name: m.name, data: readFileSync(file) });
  }
  return out;
}
