import { describe, expect, it } from "vitest";
import { concat, copy, fromBinaryString, fromHex, toBinaryString, toHex, utf8Decode, utf8Encode, utf8Length, view } from "../shared/bytes";

describe("bytes", () => {
  it("UTF-8 encode equals TextEncoder, including surrogate pairs and lone surrogates", () => {
    const te = new TextEncoder();
    for (const s of ["", "abc", "é", "€", "😀", "a\u0000b", "\ud800", "x\udc00y", "日本語テキスト", "\uffff"]) {
      expect(Array.from(utf8Encode(s)), JSON.stringify(s)).toEqual(Array.from(te.encode(s)));
      expect(utf8Length(s)).toBe(te.encode(s).length);
    }
  });

  it("strict UTF-8 decode agrees with TextDecoder(fatal) on random bytes", () => {
    const td = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
    let seed = 11;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    const pool = [0x00, 0x41, 0x7f, 0x80, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0xa0, 0x9f, 0x8f, 0x90];
    for (let i = 0; i < 20000; i++) {
      const b = new Uint8Array(rnd() % 6);
      for (let k = 0; k < b.length; k++) b[k] = pool[rnd() % pool.length];
      let want: string | null;
      try {
        want = td.decode(b);
      } catch {
        want = null;
      }
      expect(utf8Decode(b, 0, b.length), toHex(b)).toBe(want);
    }
  });

  it("binary strings carry bytes 0-255 and survive more than 256 bytes", () => {
    const b = new Uint8Array(1000).map((_, i) => (i * 7) & 255);
    const s = toBinaryString(b);
    expect(s.length).toBe(1000);
    expect(s.charCodeAt(999)).toBe(b[999]);
    expect(Array.from(fromBinaryString(s))).toEqual(Array.from(b));
  });

  it("views share memory, copies do not", () => {
    const b = fromHex("00010203");
    const v = view(b, 1, 3);
    const c = copy(b, 1, 3);
    b[1] = 9;
    expect(v[0]).toBe(9);
    expect(c[0]).toBe(1);
    expect(toHex(concat(fromHex("01"), fromHex("0203")))).toBe("010203");
  });
});
