// Board variant of base64.ts (swapped in by scripts/device-bundle.mjs): Espruino has btoa, which
// takes a binary string.
import { Bytes, toBinaryString } from "./bytes";

export function base64(b: Bytes): string {
  return btoa(toBinaryString(b));
}
