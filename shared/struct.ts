// C structs declared once and packed/unpacked byte for byte as gcc lays them out on the
// ESP8266/ESP32 (Xtensa, little-endian, natural alignment: each member at a multiple of its
// size, the struct padded to a multiple of its widest member).
import { alloc, utf8Decode, utf8Encode, type Bytes } from "./bytes";
import { fail } from "./errors";
import { float32Bits, float32FromBits } from "./float32";

// "uint8" "int8" "uint16" "int16" "uint32" "int32" "float32" or "char[N]"
export type FieldType = string;

export interface Field {
  name: string;
  type: string; // base type, "char" for char[N]
  size: number; // bytes
  align: number;
  offset: number;
}

export interface Struct {
  fields: Field[];
  size: number;
  pack(values: { [name: string]: number | string }): Bytes;
  unpack(b: Bytes, offset?: number): { [name: string]: number | string };
}

const SCALAR: { [t: string]: number } = { uint8: 1, int8: 1, uint16: 2, int16: 2, uint32: 4, int32: 4, float32: 4 };

function layout(decl: [string, FieldType][]): { fields: Field[]; size: number } {
  const fields: Field[] = [];
  let off = 0;
  let maxAlign = 1;
  for (let i = 0; i < decl.length; i++) {
    const name = decl[i][0];
    const t = decl[i][1];
    let type = t;
    let size = SCALAR[t];
    let align = size;
    if (!size) {
      if (t.substr(0, 5) !== "char[" || t.charAt(t.length - 1) !== "]") fail("struct-type", "unknown field type " + t);
      size = parseInt(t.substring(5, t.length - 1), 10);
      if (!(size > 0)) fail("struct-type", "bad array length in " + t);
      type = "char";
      align = 1;
    }
    off = Math.ceil(off / align) * align;
    fields.push({ name: name, type: type, size: size, align: align, offset: off });
    off += size;
    if (align > maxAlign) maxAlign = align;
  }
  return { fields: fields, size: Math.ceil(off / maxAlign) * maxAlign };
}

function writeUint(b: Bytes, at: number, v: number, size: number): void {
  // v is already reduced to 0..2^(8*size)-1; arithmetic keeps it exact past 2^31
  for (let k = 0; k < size; k++) {
    b[at + k] = v % 256;
    v = Math.floor(v / 256);
  }
}

function readUint(b: Bytes, at: number, size: number): number {
  let v = 0;
  for (let k = size - 1; k >= 0; k--) v = v * 256 + b[at + k];
  return v;
}

function packInto(fields: Field[], b: Bytes, base: number, values: { [name: string]: number | string }): void {
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    const v = values[f.name];
    const at = base + f.offset;
    if (f.type === "char") {
      if (typeof v !== "string") fail("struct-value", f.name + " must be a string");
      const s = utf8Encode(v as string);
      // C strings are truncated to fit and NUL-padded (strncpy)
      for (let k = 0; k < f.size; k++) b[at + k] = k < s.length ? s[k] : 0;
      continue;
    }
    if (typeof v !== "number" || v !== v) fail("struct-value", f.name + " must be a number");
    const n = v as number;
    if (f.type === "float32") {
      writeUint(b, at, float32Bits(n), 4);
      continue;
    }
    const bits = f.size * 8;
    const span = Math.pow(2, bits);
    const signed = f.type.charAt(0) === "i";
    const lo = signed ? -span / 2 : 0;
    if (Math.floor(n) !== n || n < lo || n >= lo + span) fail("struct-range", f.name + " out of range for " + f.type);
    writeUint(b, at, n < 0 ? n + span : n, f.size);
  }
}

function unpackFrom(fields: Field[], b: Bytes, base: number): { [name: string]: number | string } {
  const out: { [name: string]: number | string } = {};
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    const at = base + f.offset;
    if (f.type === "char") {
      let end = at;
      while (end < at + f.size && b[end] !== 0) end++;
      const s = utf8Decode(b, at, end);
      if (s === null) fail("struct-utf8", f.name + " is not UTF-8");
      out[f.name] = s as string;
      continue;
    }
    const v = readUint(b, at, f.size);
    if (f.type === "float32") out[f.name] = float32FromBits(v);
    else if (f.type.charAt(0) === "i" && v >= Math.pow(2, f.size * 8 - 1)) out[f.name] = v - Math.pow(2, f.size * 8);
    else out[f.name] = v;
  }
  return out;
}

// defineStruct([["cmd", "uint8"], ["value", "int32"]]).size === 8
export function defineStruct(decl: [string, FieldType][]): Struct {
  const l = layout(decl);
  const fields = l.fields;
  const size = l.size;
  return {
    fields: fields,
    size: size,
    pack: function (values) {
      const b = alloc(size);
      packInto(fields, b, 0, values);
      return b;
    },
    unpack: function (b, offset) {
      const base = offset || 0;
      if (base + size > b.length) fail("struct-length", "need " + size + " bytes, have " + (b.length - base));
      return unpackFrom(fields, b, base);
    },
  };
}
