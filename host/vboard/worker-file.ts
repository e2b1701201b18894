// The board thread's code as one module file. Worker threads load plain JavaScript, and this
// runs under vitest, tsx and plain Node alike: worker.ts and what it imports are bundled once
// per process with esbuild (npm packages stay imports) into build/vboard/, named by content so
// parallel processes share one file and never read half of one.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSync } from "esbuild";

export const srcDir = dirname(fileURLToPath(import.meta.url));
let file: string | undefined;

export function workerFile(): string {
  if (file) return file;
  const r = buildSync({
    entryPoints: [join(srcDir, "worker.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    write: false,
    logLevel: "error",
  });
  const text = r.outputFiles[0].text;
  const dir = join(srcDir, "..", "..", "build", "vboard");
  const f = join(dir, "worker-" + createHash("sha1").update(text).digest("hex").slice(0, 16) + ".mjs");
  if (!existsSync(f)) {
    mkdirSync(dir, { recursive: true });
    const tmp = f + "." + process.pid + ".tmp";
    writeFileSync(tmp, text);
    renameSync(tmp, f);
  }
  return (file = f);
}
