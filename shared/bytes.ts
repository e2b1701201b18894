// The one module that creates byte arrays, makes views and coerces to unsigned.
// Everything else in shared/ reads and writes bytes with b[i] and b.length only, so a
// byte-array implementation for another runtime (Lua, through typescript-to-lua) can
// replace this file without forking the protocol code.

export type Bytes = Uint8Array;

export function alloc(n: number): Bytes {
  return new Uint8Array(n);
}

// A view shares memory with b. Espruino's Uint8Array#slice returns a plain Array, so
// views are always made with subarray.
export function view(b: Bytes, start: number, end: number): Bytes {
  return b.subarray(start, end);
}

// An independent copy of b[start..end).
export function copy(b: Bytes, start: number, end: number): Bytes {
  const out = alloc(end - start);
  out.set(b.subarray(start, end));
  return out;
}

// Copies src into dst at offset.
export function put(dst: Bytes, src: Bytes, offset: number): void {
  dst.set(src, offset);
}

export function concat(a: Bytes, b: Bytes): Bytes {
  if (!a.length) return b;
  if (!b.length) return a;
  const out = alloc(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

// Unsigned 32-bit value of a bitwise result. Kept here: `>>> 0` is signed on some targets.
export function u32(x: number): number {
  return x >>> 0;
}

export function readU16BE(b: Bytes, i: number): number {
  return (b[i] << 8) | b[i + 1];
}

export function writeU16BE(b: Bytes, i: number, v: number): void {
  b[i] = (v >> 8) & 255;
  b[i + 1] = v & 255;
}

// Espruino's net module delivers and expects "binary strings": one char per byte (0-255).
export function fromBinaryString(s: string): Bytes {
  const n = s.length;
  const out = alloc(n);
  for (let i = 0; i < n; i++) out[i] = s.charCodeAt(i);
  return out;
}

// String.fromCharCode.apply throws past 256 arguments on Espruino: go in chunks.
export function toBinaryString(b: Bytes): string {
  let s = "";
  for (let i = 0; i < b.length; i += 256) {
    s += String.fromCharCode.apply(null, b.subarray(i, Math.min(i + 256, b.length)) as unknown as number[]);
  }
  return s;
}

// Writes s as UTF-8 into b at offset; returns the offset after it. Lone surrogates
// become U+FFFD, as TextEncoder does. With b null it only counts (utf8Length): one loop for
// both keeps them in agreement and the board bundle small.
export function utf8Write(b: Bytes | null, o: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      if (b) b[o] = c;
      o++;
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      } else c = 0xfffd;
    }
    // continuation bytes after the lead byte: 1, 2 or 3
    const n = c < 0x800 ? 1 : c < 0x10000 ? 2 : 3;
    for (let k = n; k >= 0; k--) {
      if (b) b[o] = k < n ? 0x80 | ((c >> (6 * k)) & 63) : ((0xff00 >> (n + 1)) & 255) | (c >> (6 * n));
      o++;
    }
  }
  return o;
}

// Bytes of s as UTF-8 (lone surrogates count as U+FFFD, as utf8Write writes them).
export function utf8Length(s: string): number {
  return utf8Write(null, 0, s);
}

export function utf8Encode(s: string): Bytes {
  const out = alloc(utf8Length(s));
  utf8Write(out, 0, s);
  return out;
}

// Decodes b[start..end) as strict UTF-8 (RFC 3629: no overlongs, no surrogates, max
// U+10FFFF). Returns null for invalid input so each protocol can raise its own error.
export function utf8Decode(b: Bytes, start: number, end: number): string | null {
  let s = "";
  for (let i = start; i < end; ) {
    let c = b[i++];
    if (c > 0x7f) {
      // continuation bytes the lead byte announces (0: not a lead byte, or an overlong C0/C1)
      const n = c < 0xc2 ? 0 : c < 0xe0 ? 1 : c < 0xf0 ? 2 : c < 0xf5 ? 3 : 0;
      if (!n || i + n > end) return null;
      c &= 63 >> n;
      for (let k = 0; k < n; k++) {
        const d = b[i++];
        if ((d & 0xc0) !== 0x80) return null;
        c = (c << 6) | (d & 63);
      }
      // overlong (shorter form exists), past U+10FFFF, or a surrogate
      if (c < 1 << (5 * n + 1) || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) return null;
      if (c > 0xffff) {
        c -= 0x10000;
        s += String.fromCharCode(0xd800 + (c >> 10));
        c = 0xdc00 + (c & 1023);
      }
    }
    s += String.fromCharCode(c);
  }
  return s;
}

const HEX = "0123456789abcdef";

export function toHex(b: Bytes): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += HEX.charAt(b[i] >> 4) + HEX.charAt(b[i] & 15);
  return s;
}

export function fromHex(h: string): Bytes {
  const out = alloc(h.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.substr(i * 2, 2), 16);
  return out;
}
