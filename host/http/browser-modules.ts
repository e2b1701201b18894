// The shared TypeScript the dashboard runs in the browser, built once per process with
// esbuild (ES modules, minified) and served from memory under /lib/: the page decodes and
// encodes messages with the very codec the bridge and the gateway use (shared/catalogue.ts),
// so there is no browser copy of it to keep in step.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

// Served path (under /lib/) -> source entry.
const ENTRIES: Record<string, string> = { "catalogue.js": "shared/catalogue.ts" };

let built: Promise<Map<string, Buffer>> | null = null;

export function browserModules(): Promise<Map<string, Buffer>> {
  built ??= (async () => {
    const out = new Map<string, Buffer>();
    for (const [name, entry] of Object.entries(ENTRIES)) {
      const r = await build({
        entryPoints: [join(root, entry)],
        bundle: true,
        format: "esm",
        platform: "browser",
        target: "es2020",
        minify: true,
        write: false,
        legalComments: "none",
        logLevel: "silent",
      });
      out.set(name, Buffer.from(r.outputFiles[0].contents));
    }
    return out;
  })();
  return built;
}
