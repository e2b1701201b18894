// A struct message on the board: `struct { uint8_t cmd; <members> }` (docs/catalogue.md),
// packed and unpacked with DataView (native on Espruino). The build makes one of these per
// struct message (host/app/declaration.ts boardModule), so apps without one do not carry it.
import { alloc, type Bytes } from "../shared/bytes";
import type { StructMsg } from "./runtime";

// [name, type, offset]: type u8 i8 u16 i16 u32 i32 f32, or cN for char[N].
type Member = [string, string, number];

export function structMessage(code: number, size: number, members: Member[]): StructMsg {
  return {
    c: code,
    z: size,
    e: function (v: any): Bytes {
      const b = alloc(size);
      const d = new DataView(b.buffer);
      b[0] = code;
      for (let i = 0; i < members.length; i++) field(d, b, members[i], v[members[i][0]], true);
      return b;
    },
    d: function (b: Bytes): any {
      const d = new DataView(b.buffer, b.byteOffset, b.length);
      const o: any = {};
      for (let i = 0; i < members.length; i++) o[members[i][0]] = field(d, b, members[i], 0, false);
      return o;
    },
  };
}

// Writes (put) or reads one member at its offset; returns what it read.
function field(d: DataView, b: Bytes, m: Member, v: any, put: boolean): any {
  const t = m[1];
  const at = m[2];
  if (t.charAt(0) === "c") {
    // char[N]: bytes, NUL-padded (strncpy); read up to the first NUL
    const n = +t.substr(1);
    if (put) {
      const s = "" + (v == null ? "" : v);
      for (let k = 0; k < n; k++) b[at + k] = k < s.length ? s.charCodeAt(k) : 0;
      return 0;
    }
    let s = "";
    for (let k = 0; k < n && b[at + k]; k++) s += String.fromCharCode(b[at + k]);
    return s;
  }
  const w = t === "u8" || t === "i8" ? 1 : t === "u16" || t === "i16" ? 2 : 4;
  if (put) {
    v = +v || 0;
    if (t === "f32") d.setFloat32(at, v, true);
    else if (w === 1) b[at] = v;
    else if (w === 2) d.setUint16(at, v & 65535, true);
    else d.setUint32(at, v >>> 0, true);
    return 0;
  }
  if (t === "f32") return d.getFloat32(at, true);
  if (w === 1) return t === "i8" ? (b[at] << 24) >> 24 : b[at];
  if (w === 2) return t === "i16" ? d.getInt16(at, true) : d.getUint16(at, true);
  return t === "i32" ? d.getInt32(at, true) : d.getUint32(at, true);
}
