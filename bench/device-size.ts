// Minified size of a device entry, as the board build would ship it.
// bundleES5 (scripts/device-bundle.mjs) first type-checks all of shared/ and device/ and
// gives up on any error there; while other parts of the tree are mid-edit, this falls back
// to compiling just the entry (tsc emits despite errors elsewhere) and the same esbuild +
// terser settings, and says so.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { build } from "esbuild";
import { minify } from "terser";
import { boardVariants, bundleES5, root } from "../scripts/device-bundle.mjs";

export interface Sized {
  bytes: number;
  code: string;
  fallback: boolean;
}

export async function deviceSize(entryTs: string): Promise<Sized> {
  compileBenchEntries();
  try {
    const code = await bundleES5(entryTs);
    return { bytes: Buffer.byteLength(code), code, fallback: false };
  } catch {
    const code = await bundleFallback(entryTs);
    return { bytes: Buffer.byteLength(code), code, fallback: true };
  }
}

let benchCompiled = false;
// bench/ is outside tsconfig.device.json: compile the size-probe entries (and what they
// import) into the same ES5 output tree.
function compileBenchEntries(): void {
  if (benchCompiled) return;
  try {
    execFileSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", join(root, "bench", "tsconfig.device.json")], {
      cwd: root,
      stdio: "pipe",
    });
  } catch {
    // type errors elsewhere in the tree: the output is still emitted
  }
  benchCompiled = true;
}

// Mirrors bundleES5's esbuild and terser options.
async function bundleFallback(entryTs: string): Promise<string> {
  const res = await build({
    entryPoints: [join(root, "build", "device-es5", entryTs.replace(/\.ts$/, ".js"))],
    bundle: true,
    format: "iife",
    target: "es5",
    platform: "neutral",
    mainFields: ["module", "main"],
    write: false,
    treeShaking: true,
    plugins: [boardVariants],
    logLevel: "error",
  });
  const min = await minify(res.outputFiles[0].text, {
    ecma: 5,
    toplevel: true,
    compress: { passes: 3, unsafe: false, pure_getters: true },
    mangle: { toplevel: true },
    format: { ascii_only: true, comments: false },
  });
  return min.code as string;
}
