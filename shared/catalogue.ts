// The app catalogue, format 1 (docs/catalogue.md): what a board speaks, as JSON its host can
// read without the app's source. Types, the check a host runs on a catalogue it receives, and
// the wire codec every host side uses (bridge, gateway, dashboard, discovery): a message is the
// C struct `struct { uint8_t cmd; <payload> }` with gcc's natural alignment.
//
// Host code only: the board gets compact constants from the build instead (scripts/app-build.mjs).
import { alloc, put, type Bytes } from "./bytes";
import { fail } from "./errors";
import { parseCStruct } from "./struct-c";
import type { Struct } from "./struct";

export const CATALOGUE_VERSION = 1;
// 0..9 are the runtime's own codes.
export const FIRST_APP_CODE = 10;

import type { Catalogue, MessageSpec } from "./catalogue-types";

export type { Catalogue, Direction, HaHint, MessageSpec, UiHint } from "./catalogue-types";

// A value as a host sees it: the number of an int32 message, or a struct's members.
export type MessageValue = number | { [member: string]: number | string };

export interface DecodedMessage {
  spec: MessageSpec;
  value: MessageValue;
}

const WIDGETS = ["gauge", "slider", "buttons", "switch", "chart", "value", "table"];
const COMPONENTS = ["sensor", "binary_sensor", "number", "switch", "light"];

function isInt(v: unknown, lo: number, hi: number): v is number {
  return typeof v === "number" && Math.floor(v) === v && v >= lo && v <= hi;
}

// Why `c` is not a usable format-1 catalogue, or null when it is. Hosts run this on what a
// board announces and fall back to "no catalogue" (status and info only) on any answer.
export function catalogueProblem(c: unknown): string | null {
  if (!c || typeof c !== "object") return "not an object";
  const o = c as Catalogue;
  if (o.pinwire !== CATALOGUE_VERSION) return "format " + JSON.stringify(o.pinwire) + " (this host reads format " + CATALOGUE_VERSION + ")";
  if (typeof o.app !== "string" || !/^[a-z0-9_-]{1,40}$/.test(o.app)) return "app name";
  if (typeof o.version !== "string" || !o.version || o.version.length > 40) return "version";
  if (typeof o.hash !== "string" || !/^[0-9a-f]{8}$/.test(o.hash)) return "hash";
  if (!Array.isArray(o.messages)) return "messages";
  const names = new Set<string>();
  const codes = new Set<number>();
  for (const m of o.messages) {
    const at = "message " + (m && typeof m.name === "string" ? m.name : "#" + o.messages.indexOf(m)) + ": ";
    if (!m || typeof m !== "object") return at + "not an object";
    if (typeof m.name !== "string" || !/^[A-Z][A-Z0-9_]{0,39}$/.test(m.name)) return at + "name";
    if (names.has(m.name)) return at + "name used twice";
    names.add(m.name);
    if (!isInt(m.code, FIRST_APP_CODE, 255)) return at + "code must be " + FIRST_APP_CODE + "..255";
    if (codes.has(m.code)) return at + "code used twice";
    codes.add(m.code);
    if (m.dir !== "report" && m.dir !== "command" && m.dir !== "both") return at + "dir";
    if (m.payload !== "int32") {
      try {
        layoutOf(m);
      } catch (e) {
        return at + "payload: " + ((e as { message?: string }).message || e);
      }
      if (m.range || m.unit) return at + "range and unit are for int32 payloads";
    }
    if (m.range && !(Array.isArray(m.range) && m.range.length === 2 && isInt(m.range[0], -2147483648, 2147483647) && isInt(m.range[1], m.range[0], 2147483647)))
      return at + "range";
    if (m.control !== undefined && (m.dir === "report" || typeof m.control !== "string" || !/^[A-Za-z0-9_]{1,40}$/.test(m.control))) return at + "control";
    if (m.reports !== undefined && (m.dir === "report" || typeof m.reports !== "string")) return at + "reports";
    if (m.ui !== undefined && !(Array.isArray(m.ui) && m.ui.every((u) => u && WIDGETS.includes(u.widget)))) return at + "ui";
    if (m.ha !== undefined && !(m.ha && COMPONENTS.includes(m.ha.component))) return at + "ha";
  }
  for (const m of o.messages) {
    if (m.reports !== undefined && !o.messages.some((r) => r.name === m.reports && r.dir !== "command")) return "message " + m.name + ": reports names no report";
  }
  const aliases = o.messages.filter((m) => m.control).map((m) => m.control);
  if (new Set(aliases).size !== aliases.length) return "a control alias is used twice";
  return null;
}

// The canonical text the hash covers: the catalogue without `hash`, keys in format order.
export function canonicalCatalogue(c: Omit<Catalogue, "hash"> | Catalogue): string {
  const msg = (m: MessageSpec) => {
    const o: Record<string, unknown> = {};
    for (const k of ["name", "code", "dir", "payload", "unit", "range", "control", "reports", "ui", "ha"] as const) if (m[k] !== undefined) o[k] = m[k];
    return o;
  };
  return JSON.stringify({ pinwire: c.pinwire, app: c.app, version: c.version, messages: c.messages.map(msg) });
}

const layouts = new WeakMap<MessageSpec, Struct>();

// The message's wire struct: `cmd` (uint8) and then its payload's members.
export function layoutOf(m: MessageSpec): Struct {
  let s = layouts.get(m);
  if (s) return s;
  const body = m.payload === "int32" ? "int32_t value;" : structBody(m.payload);
  s = parseCStruct("struct { uint8_t cmd; " + body + " }");
  if (s.fields.some((f, i) => i > 0 && f.name === "cmd")) fail("catalogue-payload", "a member may not be called cmd");
  layouts.set(m, s);
  return s;
}

function structBody(decl: string): string {
  const open = decl.indexOf("{");
  const close = decl.lastIndexOf("}");
  if (!/^\s*struct\s*\{/.test(decl) || close < open) fail("catalogue-payload", "expected int32 or struct { ... }");
  return decl.substring(open + 1, close);
}

export function messageSize(m: MessageSpec): number {
  return layoutOf(m).size;
}

// Looks messages up by code, name and control alias.
export class MessageTable {
  readonly byCode = new Map<number, MessageSpec>();
  readonly byName = new Map<string, MessageSpec>();
  readonly byControl = new Map<string, MessageSpec>();
  constructor(readonly catalogue: Catalogue) {
    for (const m of catalogue.messages) {
      this.byCode.set(m.code, m);
      this.byName.set(m.name, m);
      if (m.control) this.byControl.set(m.control, m);
    }
  }

  reports(): MessageSpec[] {
    return this.catalogue.messages.filter((m) => m.dir !== "command");
  }

  commands(): MessageSpec[] {
    return this.catalogue.messages.filter((m) => m.dir !== "report");
  }

  // One message at b[0..]: its spec and value. Throws "catalogue-code", "catalogue-length" or
  // the struct codec's code; an int32 outside its range throws "catalogue-range".
  decode(b: Bytes, offset = 0): DecodedMessage {
    const spec = this.byCode.get(b[offset]);
    if (!spec) return fail("catalogue-code", "code " + b[offset] + " is not in the catalogue of " + this.catalogue.app);
    const s = layoutOf(spec);
    if (offset + s.size > b.length) fail("catalogue-length", spec.name + " is " + s.size + " bytes");
    const v = s.unpack(b, offset);
    if (spec.payload === "int32") {
      const n = v.value as number;
      if (spec.range && (n < spec.range[0] || n > spec.range[1])) fail("catalogue-range", spec.name + " " + n + " outside " + spec.range.join(".."));
      return { spec, value: n };
    }
    delete v.cmd;
    return { spec, value: v };
  }

  // A whole payload of the state topic: one message or a snapshot of several back to back.
  split(b: Bytes): DecodedMessage[] {
    const out: DecodedMessage[] = [];
    for (let i = 0; i < b.length; ) {
      const d = this.decode(b, i);
      out.push(d);
      i += layoutOf(d.spec).size;
    }
    return out;
  }

  encode(spec: MessageSpec, value: MessageValue): Bytes {
    const s = layoutOf(spec);
    if (spec.payload === "int32") {
      if (typeof value !== "number") fail("catalogue-value", spec.name + " takes a number");
      if (spec.range && !(value >= spec.range[0] && value <= spec.range[1])) fail("catalogue-range", spec.name + " " + value + " outside " + spec.range.join(".."));
      return s.pack({ cmd: spec.code, value: value });
    }
    if (!value || typeof value !== "object") fail("catalogue-value", spec.name + " takes an object of its members");
    return s.pack({ ...(value as object), cmd: spec.code });
  }

  // A command from a client, binary (one message) or a JSON control by alias
  // ({"control":"PERIOD","value":250,"unit":"ms"}), checked as the board checks it: the code
  // must be a command, the value in range, the unit (when given) the message's.
  command(b: Bytes | string): DecodedMessage {
    if (typeof b !== "string") {
      const d = this.decode(b);
      if (d.spec.dir === "report") fail("catalogue-not-command", d.spec.name + " is not a command");
      if (layoutOf(d.spec).size !== b.length) fail("catalogue-length", d.spec.name + " is " + layoutOf(d.spec).size + " bytes");
      return d;
    }
    let o: { control?: unknown; value?: unknown; unit?: unknown } | null = null;
    try {
      o = JSON.parse(b);
    } catch {
      o = null;
    }
    if (!o || typeof o !== "object") return fail("catalogue-json", "not a JSON object");
    const spec = typeof o.control === "string" ? this.byControl.get(o.control) : undefined;
    if (!spec) return fail("catalogue-control", "unknown control " + JSON.stringify(o.control));
    if (o.unit !== undefined && o.unit !== spec.unit) fail("catalogue-unit", spec.control + " is in " + (spec.unit ?? "no unit"));
    if (spec.payload !== "int32") {
      if (!o.value || typeof o.value !== "object") fail("catalogue-value", spec.control + " takes an object of its members");
      return { spec, value: o.value as MessageValue };
    }
    const v = o.value;
    if (typeof v !== "number" || !isFinite(v)) return fail("catalogue-value", spec.control + " takes a number");
    const n = Math.round(v);
    if (spec.range && (n < spec.range[0] || n > spec.range[1])) fail("catalogue-range", spec.control + " " + n + " outside " + spec.range.join(".."));
    return { spec, value: n };
  }
}

// A zero-filled message of spec's size with its code set (for tests and defaults).
export function blankMessage(spec: MessageSpec): Bytes {
  const b = alloc(messageSize(spec));
  b[0] = spec.code;
  return b;
}

// --- what every host side needs beyond decoding (bridge, gateway, discovery, dashboard)

// Two values of one message are the same: numbers by value, structs member by member.
export function sameValue(a: MessageValue | undefined, b: MessageValue | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || typeof a !== "object" || typeof b !== "object") return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (a[k] !== b[k]) return false;
  return true;
}

// The report that shows a command took effect: the message itself when it goes both ways
// (the board reports its own setting back), else the report its `reports` names; null when
// the board reports nothing for it.
export function confirmingReport(table: MessageTable, spec: MessageSpec): MessageSpec | null {
  if (spec.dir === "both") return spec;
  return (spec.reports && table.byName.get(spec.reports)) || null;
}

// The retained state payload: every report's latest message back to back in declaration
// order, the one with code `last` at the end (docs/catalogue.md, "Wire form"). `latest`
// holds whole messages by code; reports without one are left out.
export function snapshotOf(table: MessageTable, latest: { get(code: number): Bytes | undefined }, last = -1): Bytes {
  const parts: Bytes[] = [];
  for (const m of table.catalogue.messages) {
    const b = m.dir === "command" || m.code === last ? undefined : latest.get(m.code);
    if (b) parts.push(b);
  }
  const tail = last >= 0 ? latest.get(last) : undefined;
  if (tail) parts.push(tail);
  let n = 0;
  for (const b of parts) n += b.length;
  const out = alloc(n);
  let o = 0;
  for (const b of parts) {
    put(out, b, o);
    o += b.length;
  }
  return out;
}

// A message's name for people: the Home Assistant name when it has one, else its own name
// in words ("REPORT_PERIOD" -> "Report period").
export function displayName(m: MessageSpec): string {
  if (m.ha && m.ha.name) return m.ha.name;
  const w = m.name.toLowerCase().replace(/_/g, " ");
  return w.charAt(0).toUpperCase() + w.slice(1);
}
