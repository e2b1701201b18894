// Minified size of a device entry, as the board build would ship it (bundleES5 from
// scripts/device-bundle.mjs). The size-probe entries live in bench/, outside
// tsconfig.device.json, so they are compiled into the same ES5 tree first.
import { bundleES5, compileES5 } from "../scripts/device-bundle.mjs";

export interface Sized {
  bytes: number;
  code: string;
}

let benchCompiled = false;
function compileBenchEntries(): void {
  if (benchCompiled) return;
  compileES5("bench/tsconfig.device.json");
  benchCompiled = true;
}

export async function deviceSize(entryTs: string): Promise<Sized> {
  compileBenchEntries();
  const code = await bundleES5(entryTs);
  return { bytes: Buffer.byteLength(code), code };
}
