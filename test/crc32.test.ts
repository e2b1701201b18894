import { crc32 as zlibCrc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { utf8Encode } from "../shared/bytes";
import { crc32 } from "../shared/crc32";

describe("crc32 equals zlib's", () => {
  it("on the check value and on random buffers, whole and in pieces", () => {
    expect(crc32(utf8Encode("123456789"))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    let seed = 3;
    for (let i = 0; i < 300; i++) {
      const b = new Uint8Array(i * 7);
      for (let k = 0; k < b.length; k++) b[k] = (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 255;
      expect(crc32(b)).toBe(zlibCrc32(b));
      const cut = Math.floor(b.length / 3);
      expect(crc32(b.subarray(cut), crc32(b.subarray(0, cut)))).toBe(zlibCrc32(b));
    }
  });
});
