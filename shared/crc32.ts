// CRC-32 as zlib computes it (reflected polynomial 0xEDB88320). On the board Espruino's
// native E.CRC32 gives the same value and is preferred by device code; this is the
// portable fallback and what the host uses.
import { u32, type Bytes } from "./bytes";

let table: Int32Array | null = null;

function makeTable(): Int32Array {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ ((c >> 1) & 0x7fffffff) : (c >> 1) & 0x7fffffff;
    t[n] = c;
  }
  return t;
}

// `previous` continues a CRC over several pieces: crc32(b, crc32(a)) === crc32(a+b).
export function crc32(b: Bytes, previous?: number): number {
  const t = table || (table = makeTable());
  let c = ~(previous || 0);
  for (let i = 0; i < b.length; i++) c = t[(c ^ b[i]) & 255] ^ ((c >> 8) & 0xffffff);
  return u32(~c);
}
