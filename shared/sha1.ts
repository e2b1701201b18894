// SHA-1 (FIPS 180-4) in plain 32-bit integer arithmetic, for runtimes without one: the
// WebSocket handshake needs it once per connection (Sec-WebSocket-Accept). Where the platform
// has SHA-1 (Node crypto, Espruino's require("crypto").SHA1) inject that instead: it is faster
// and costs no bundle bytes. Not for security-sensitive use (SHA-1 is broken for that).
import { alloc, Bytes } from "./bytes";

function rotl(x: number, n: number): number {
  return (x << n) | (x >>> (32 - n));
}

export function sha1(data: Bytes): Bytes {
  const n = data.length;
  // Message + 0x80 + zero padding + 64-bit bit length, to a multiple of 64 bytes.
  const total = (((n + 8) >> 6) + 1) << 6;
  const m = alloc(total);
  for (let i = 0; i < n; i++) m[i] = data[i];
  m[n] = 0x80;
  // Bit length = n * 8, split so that n above 2^29 does not overflow 32-bit shifts.
  const hi = Math.floor(n / 0x20000000);
  const lo = (n * 8) % 0x100000000;
  for (let i = 0; i < 4; i++) {
    m[total - 8 + i] = (hi >> (24 - 8 * i)) & 255;
    m[total - 4 + i] = Math.floor(lo / Math.pow(2, 24 - 8 * i)) & 255;
  }
  let h0 = 0x67452301;
  let h1 = 0xefcdab89 | 0;
  let h2 = 0x98badcfe | 0;
  let h3 = 0x10325476;
  let h4 = 0xc3d2e1f0 | 0;
  const w: number[] = [];
  for (let off = 0; off < total; off += 64) {
    for (let t = 0; t < 80; t++) {
      if (t < 16) {
        const j = off + t * 4;
        w[t] = (m[j] << 24) | (m[j + 1] << 16) | (m[j + 2] << 8) | m[j + 3];
      } else w[t] = rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
    }
    let a = h0;
    let b = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    for (let t = 0; t < 80; t++) {
      let f: number;
      let k: number;
      if (t < 20) {
        f = (b & c) | (~b & d);
        k = 0x5a827999;
      } else if (t < 40) {
        f = b ^ c ^ d;
        k = 0x6ed9eba1;
      } else if (t < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8f1bbcdc | 0;
      } else {
        f = b ^ c ^ d;
        k = 0xca62c1d6 | 0;
      }
      const tmp = (rotl(a, 5) + f + e + k + w[t]) | 0;
      e = d;
      d = c;
      c = rotl(b, 30);
      b = a;
      a = tmp;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
  }
  const out = alloc(20);
  const hs = [h0, h1, h2, h3, h4];
  for (let i = 0; i < 20; i++) out[i] = (hs[i >> 2] >> (24 - 8 * (i & 3))) & 255;
  return out;
}
