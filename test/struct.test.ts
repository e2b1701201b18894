import { describe, expect, it } from "vitest";
import { fromHex, toHex } from "../shared/bytes";
import { isProtocolError } from "../shared/errors";
import { float32Bits, float32FromBits } from "../shared/float32";
import { defineStruct } from "../shared/struct";
import { parseCStruct } from "../shared/struct-c";
import { codeOf } from "./error-code";

describe("struct codec: the reference vectors", () => {
  it("struct { uint8_t cmd; int value; } packs with 3 padding bytes", () => {
    const s = parseCStruct("struct { uint8_t cmd; int value; }");
    expect(s.size).toBe(8);
    expect(toHex(s.pack({ cmd: 12, value: 64 }))).toBe("0c00000040000000");
    expect(s.unpack(fromHex("0c00000040000000"))).toEqual({ cmd: 12, value: 64 });
  });

  it("struct { int id; float v1; float v2; unsigned long v3; char v4[20]; } is 36 bytes", () => {
    const s = parseCStruct("struct { int id; float v1; float v2; unsigned long v3; char v4[20]; }");
    const hex = "430000007c0f49409eefe3c0b91700004e204e45204520534520532053572057204e5700";
    expect(s.size).toBe(36);
    expect(toHex(s.pack({ id: 67, v1: 3.14157, v2: -7.123, v3: 6073, v4: "N NE E SE S SW W NW" }))).toBe(hex);
    const u = s.unpack(fromHex(hex));
    expect(u.v1).toBe(3.1415700912475586);
    expect(u.v1).toBe(Math.fround(3.14157));
    expect(u.v2).toBe(Math.fround(-7.123));
    expect(u).toMatchObject({ id: 67, v3: 6073, v4: "N NE E SE S SW W NW" });
  });
});

describe("struct layout follows gcc natural alignment", () => {
  it("aligns each member to its size and pads the tail to the widest member", () => {
    const s = defineStruct([["a", "uint8"], ["b", "uint16"], ["c", "uint8"], ["d", "uint32"], ["e", "int8"]]);
    expect(s.fields.map((f) => f.offset)).toEqual([0, 2, 4, 8, 12]);
    expect(s.size).toBe(16);
    expect(defineStruct([["a", "uint16"], ["b", "uint8"]]).size).toBe(4);
    expect(defineStruct([["a", "char[3]"]]).size).toBe(3);
  });

  it("round-trips extremes of every type", () => {
    const s = defineStruct([
      ["u8", "uint8"], ["i8", "int8"], ["u16", "uint16"], ["i16", "int16"],
      ["u32", "uint32"], ["i32", "int32"], ["f", "float32"], ["s", "char[8]"],
    ]);
    for (const v of [
      { u8: 255, i8: -128, u16: 65535, i16: -32768, u32: 4294967295, i32: -2147483648, f: -0.5, s: "abcdefgh" },
      { u8: 0, i8: 127, u16: 0, i16: 32767, u32: 0, i32: 2147483647, f: 1e-40, s: "" },
    ]) {
      const out = s.unpack(s.pack(v));
      expect(out).toEqual({ ...v, f: Math.fround(v.f) });
    }
  });

  it("refuses values that do not fit, with a specific code", () => {
    const s = defineStruct([["x", "uint8"], ["t", "char[2]"]]);
    expect(codeOf(() => s.pack({ x: 256, t: "" }))).toBe("struct-range");
    expect(codeOf(() => s.pack({ x: -1, t: "" }))).toBe("struct-range");
    expect(codeOf(() => s.pack({ x: 1.5, t: "" }))).toBe("struct-range");
    expect(codeOf(() => s.pack({ x: 1, t: 5 as unknown as string }))).toBe("struct-value");
    expect(codeOf(() => s.unpack(new Uint8Array(2)))).toBe("struct-length");
    expect(codeOf(() => defineStruct([["x", "double"]]))).toBe("struct-type");
    expect(codeOf(() => parseCStruct("struct { double x; }"))).toBe("struct-type");
  });
});

describe("float32 without DataView", () => {
  it("matches Math.fround and DataView bit patterns on random and edge values", () => {
    const dv = new DataView(new ArrayBuffer(4));
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const values = [0, -0, 1, -1, 0.1, 1e-45, 1.4e-45, 1e-38, 1.1754942e-38, 3.4028234663852886e38, 3.5e38, Infinity, -Infinity, NaN, 16777217, 0.5];
    for (let i = 0; i < 20000; i++) values.push((rnd() - 0.5) * Math.pow(2, Math.floor(rnd() * 300 - 150)));
    for (let i = 0; i < 5000; i++) {
      dv.setUint32(0, Math.floor(rnd() * 4294967296));
      values.push(dv.getFloat32(0));
    }
    for (const v of values) {
      dv.setFloat32(0, v);
      const bits = dv.getUint32(0);
      if (v === v) expect(float32Bits(v)).toBe(bits);
      expect(Object.is(float32FromBits(float32Bits(v)), Math.fround(v))).toBe(true);
    }
  });
});

describe("struct decoder under fuzz", () => {
  it("100,000 random buffers decode or fail only with ProtocolError", () => {
    const s = parseCStruct("struct { int id; float v1; uint16_t n; char name[12]; }");
    let seed = 99;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    let failures = 0;
    for (let i = 0; i < 100000; i++) {
      const b = new Uint8Array(Math.floor(rnd() * 40));
      for (let k = 0; k < b.length; k++) b[k] = Math.floor(rnd() * 256);
      try {
        const v = s.unpack(b);
        expect(typeof v.id).toBe("number");
      } catch (e) {
        if (!isProtocolError(e)) throw e;
        failures++;
      }
    }
    expect(failures).toBeGreaterThan(0);
  });
});
