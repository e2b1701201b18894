// Minified size of a device entry, as the board build would ship it (bundleES5 from
// scripts/device-bundle.mjs).
import { bundleES5 } from "../scripts/device-bundle.mjs";

export interface Sized {
  bytes: number;
  code: string;
}

export async function deviceSize(entryTs: string): Promise<Sized> {
  const code = await bundleES5(entryTs);
  return { bytes: Buffer.byteLength(code), code };
}
