// Minified size of a device entry, as the board build would ship it (bundleES5 from
// scripts/device-bundle.mjs). The size-probe entries live in bench/, outside
// tsconfig.device.json, so they are compiled into the same ES5 tree first.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { bundleES5, root } from "../scripts/device-bundle.mjs";

export interface Sized {
  bytes: number;
  code: string;
}

let benchCompiled = false;
function compileBenchEntries(): void {
  if (benchCompiled) return;
  execFileSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", join(root, "bench", "tsconfig.device.json")], {
    cwd: root,
    stdio: "inherit",
  });
  benchCompiled = true;
}

export async function deviceSize(entryTs: string): Promise<Sized> {
  compileBenchEntries();
  const code = await bundleES5(entryTs);
  return { bytes: Buffer.byteLength(code), code };
}
