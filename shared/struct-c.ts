// Reads a C struct declaration as written in the board's firmware, so a struct is declared
// once: parseCStruct("struct { uint8_t cmd; int value; }"). Sizes are those of the ESP8266
// and ESP32 (32-bit Xtensa): int, long and unsigned long are 4 bytes.
import { fail } from "./errors";
import { defineStruct, type FieldType, type Struct } from "./struct";

const C_TYPES: { [t: string]: FieldType } = {
  uint8_t: "uint8",
  "unsigned char": "uint8",
  int8_t: "int8",
  char: "int8",
  "signed char": "int8",
  uint16_t: "uint16",
  "unsigned short": "uint16",
  int16_t: "int16",
  short: "int16",
  uint32_t: "uint32",
  unsigned: "uint32",
  "unsigned int": "uint32",
  "unsigned long": "uint32",
  int32_t: "int32",
  int: "int32",
  long: "int32",
  float: "float32",
};

function words(s: string): string[] {
  const out: string[] = [];
  let cur = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charAt(i);
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      if (cur) out.push(cur);
      cur = "";
    } else cur += c;
  }
  if (cur) out.push(cur);
  return out;
}

export function parseCStruct(decl: string): Struct {
  const open = decl.indexOf("{");
  const close = decl.lastIndexOf("}");
  if (open < 0 || close < open) fail("struct-syntax", "expected struct { ... }");
  const members = decl.substring(open + 1, close).split(";");
  const fields: [string, FieldType][] = [];
  for (let i = 0; i < members.length; i++) {
    const w = words(members[i]);
    if (!w.length) continue;
    let name = w[w.length - 1];
    const ctype = w.slice(0, w.length - 1).join(" ");
    let len = 0;
    const br = name.indexOf("[");
    if (br >= 0) {
      len = parseInt(name.substring(br + 1, name.length - 1), 10);
      name = name.substring(0, br);
    }
    const t = C_TYPES[ctype];
    if (!t) fail("struct-type", "unsupported C type '" + ctype + "'");
    if (len) {
      if (t !== "int8" && t !== "uint8") fail("struct-type", "only char arrays are supported: " + members[i].trim());
      fields.push([name, "char[" + len + "]"]);
    } else fields.push([name, t]);
  }
  return defineStruct(fields);
}
