// Test vectors for the Lua builds of shared/ (lua/vectors.lua runs them), each with the answer
// the Node side expects. Answers come from independent oracles where one exists (zlib's CRC-32,
// DataView, mqtt-packet, ws, node:crypto) and otherwise from the same TypeScript source run on
// Node. Shared by test/lua.test.ts and bench/lua.bench.ts.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { crc32 as zlibCrc32 } from "node:zlib";
import mqttPacket from "mqtt-packet";
import * as wsLib from "ws";
import { toHex, type Bytes } from "../shared/bytes";
import { isProtocolError } from "../shared/errors";
import { decodeMessage, encodeMessage } from "../shared/messages";
import { ALL_DECODERS, MqttParser } from "../shared/mqtt/parser";
import { encode } from "../shared/mqtt/generator";
import type { Packet } from "../shared/mqtt/packet";
import { defineStruct, type FieldType, type Struct } from "../shared/struct";
import { parseCStruct } from "../shared/struct-c";
import { isValidTopicFilter, isValidTopicName, topicMatches } from "../shared/topic";
import { createReceiver } from "../shared/ws/receiver";

export interface Vector {
  line: string; // what lua/vectors.lua reads
  want: string; // the line it must print
}

// Deterministic: a failure reproduces.
function prng(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  return {
    f: next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(a: T[]): T => a[Math.floor(next() * a.length)],
    bytes: (n: number) => {
      const b = Buffer.alloc(n);
      for (let i = 0; i < n; i++) b[i] = Math.floor(next() * 256);
      return b;
    },
  };
}
type Rnd = ReturnType<typeof prng>;

const hex = (b: Uint8Array) => (b.length ? Buffer.from(b).toString("hex") : "-");
const shex = (s: string) => Buffer.from(s, "utf8").toString("hex");
const xs = (s: string) => "x" + shex(s);
const xb = (b: Uint8Array) => "x" + Buffer.from(b).toString("hex");

// Numbers as lua/vectors.lua writes and reads them.
export function num(x: number): string {
  if (x !== x) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (Object.is(x, -0)) return "-0";
  return String(x);
}
function parseNum(s: string): number {
  if (s === "nan" || s === "-nan") return NaN;
  if (s === "inf") return Infinity;
  if (s === "-inf") return -Infinity;
  return Number(s);
}

// ProtocolError -> "E:<code>"; anything else is a bug in the vectors and is rethrown.
function outcome(f: () => string): string {
  try {
    return f();
  } catch (e) {
    if (isProtocolError(e)) return "E:" + e.code;
    throw e;
  }
}

// Equal, or equal after reading number tokens as numbers (Lua prints %.17g, JS shortest form).
const NUM = /^-?(\d+(\.\d*)?(e[-+]?\d+)?|nan|inf)$/i;
export function same(want: string, got: string): boolean {
  if (want === got) return true;
  // "+" separates list items, except in an exponent ("1e+21")
  const a = want.split(/([ ,;:/=]|(?<!e)\+)/);
  const b = got.split(/([ ,;:/=]|(?<!e)\+)/);
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    if (!NUM.test(a[i]) || !NUM.test(b[i]) || !Object.is(parseNum(a[i]), parseNum(b[i]))) return false;
  }
  return true;
}

const TEXT = ["a", "b", "/", "é", "€", "😀", "z", " ", "0", "$", "Ω"];
function text(r: Rnd, max: number): string {
  let s = "";
  const n = r.int(0, max);
  for (let i = 0; i < n; i++) s += r.pick(TEXT);
  return s;
}

// --- CRC-32, topics, float32, messages

function crcVectors(r: Rnd, out: Vector[]) {
  out.push({ line: "crc " + hex(Buffer.from("123456789")), want: String(0xcbf43926) });
  for (let i = 0; i < 150; i++) {
    const b = r.bytes(r.int(0, 300));
    out.push({ line: "crc " + hex(b), want: String(zlibCrc32(b)) });
    const cut = r.int(0, b.length);
    out.push({ line: `crc2 ${hex(b.subarray(0, cut))} ${hex(b.subarray(cut))}`, want: String(zlibCrc32(b)) });
  }
}

const LEVELS = ["a", "b", "", "$x", "+", "#", "é", "sport", "tennis"];
function topicVectors(r: Rnd, out: Vector[]) {
  const cases: [string, string][] = [
    ["sport/tennis/player1/#", "sport/tennis/player1"],
    ["sport/#", "sport"],
    ["#", "$SYS/broker"],
    ["+/monitor/Clients", "$SYS/monitor/Clients"],
    ["sport/+", "sport/"],
    ["+", "/finance"],
    ["a/+/c", "a//c"],
    ["é/€", "é/€"],
  ];
  for (let i = 0; i < 400; i++) {
    const lv = () => Array.from({ length: r.int(1, 4) }, () => r.pick(LEVELS)).join("/");
    cases.push([lv(), lv().replace(/[+#]/g, "q")]);
    if (i % 10 === 0) cases.push([lv() + "a#", "a\u0000b"]);
  }
  for (const [f, n] of cases) {
    const vn = isValidTopicName(n);
    const vf = isValidTopicFilter(f);
    const b = (x: boolean) => (x ? "1" : "0");
    out.push({ line: `topic ${hex(Buffer.from(f))} ${hex(Buffer.from(n))}`, want: `${b(vn)} ${b(vf)} ${vn && vf ? b(topicMatches(f, n)) : "-"}` });
  }
}

function f32Vectors(r: Rnd, out: Vector[]) {
  const dv = new DataView(new ArrayBuffer(4));
  const values = [0, -0, 1, -1, 0.1, 1e-45, 1.4e-45, 1e-38, 1.1754942e-38, 3.4028234663852886e38, 3.5e38, Infinity, -Infinity, NaN, 16777217, 0.5, 3.14157, -7.123];
  for (let i = 0; i < 300; i++) values.push((r.f() - 0.5) * Math.pow(2, Math.floor(r.f() * 300 - 150)));
  for (let i = 0; i < 100; i++) {
    dv.setUint32(0, Math.floor(r.f() * 4294967296));
    values.push(dv.getFloat32(0));
  }
  for (const v of values) {
    dv.setFloat32(0, v);
    // float32Bits gives every NaN the quiet NaN 0x7fc00000
    out.push({ line: "f32 " + num(v), want: num(v === v ? dv.getUint32(0) : 0x7fc00000) + " " + num(Math.fround(v)) });
  }
}

function messageVectors(r: Rnd, out: Vector[]) {
  for (let i = 0; i < 100; i++) {
    const cmd = r.int(10, 19);
    const value = r.pick([r.int(-2, 200), -1, 0, 100, 180, 2147483647, -2147483648]);
    out.push({ line: `msg ${cmd} ${value}`, want: outcome(() => toHex(encodeMessage(cmd, value))) });
    const b = r.f() < 0.8 ? Buffer.concat([Buffer.from([cmd, 0, 0, 0]), (() => { const x = Buffer.alloc(4); x.writeInt32LE(value); return x; })()]) : r.bytes(r.int(0, 9));
    out.push({ line: "msgd " + hex(b), want: outcome(() => { const m = decodeMessage(b); return m.cmd + " " + m.value; }) });
  }
}

// --- C structs

const SCALARS = ["uint8", "int8", "uint16", "int16", "uint32", "int32", "float32"];
function fieldValue(r: Rnd, t: string, bad: boolean): number | string {
  if (t.startsWith("char[")) return text(r, parseInt(t.slice(5), 10) + 3);
  if (t === "float32") return r.pick([0, -0, 1.5, 3.14157, -7.123, 1e-40, 3.5e38, (r.f() - 0.5) * Math.pow(2, r.int(-140, 120))]);
  const bits = parseInt(t.replace(/\D/g, ""), 10);
  const signed = t.startsWith("int");
  const lo = signed ? -Math.pow(2, bits - 1) : 0;
  const hi = lo + Math.pow(2, bits) - 1;
  if (bad) return r.pick([hi + 1, lo - 1, 1.5]);
  return r.pick([lo, hi, 0, r.int(lo, hi), r.int(lo, hi)]);
}

function structVectors(r: Rnd, out: Vector[]) {
  const spec = (decl: [string, FieldType][]) => decl.map(([n, t]) => n + ":" + t).join(",");
  const values = (s: Struct, v: { [k: string]: number | string }) =>
    s.fields.map((f) => (typeof v[f.name] === "string" ? xs(v[f.name] as string) : num(v[f.name] as number))).join(",");
  const pack = (decl: [string, FieldType][], v: { [k: string]: number | string }) => {
    const s = defineStruct(decl);
    out.push({
      line: `spack ${spec(decl)} ${values(s, v)}`,
      want: outcome(() => {
        const b = s.pack(v);
        return toHex(b) + " " + values(s, s.unpack(b));
      }),
    });
  };
  // The two reference vectors of test/struct.test.ts, declared in C.
  const ref = (c: string) => parseCStruct(c).fields.map((f) => [f.name, f.type === "char" ? `char[${f.size}]` : f.type] as [string, FieldType]);
  const r1 = ref("struct { uint8_t cmd; int value; }");
  const r2 = ref("struct { int id; float v1; float v2; unsigned long v3; char v4[20]; }");
  out.push({ line: `spack ${spec(r1)} 12,64`, want: "0c00000040000000 12,64" });
  out.push({
    line: `spack ${spec(r2)} 67,3.14157,-7.123,6073,${xs("N NE E SE S SW W NW")}`,
    want: `430000007c0f49409eefe3c0b91700004e204e45204520534520532053572057204e5700 67,${num(Math.fround(3.14157))},${num(Math.fround(-7.123))},6073,${xs("N NE E SE S SW W NW")}`,
  });
  out.push({ line: `sunpack ${spec(r1)} 0c00000040000000`, want: "8 12,64" });
  for (let i = 0; i < 300; i++) {
    const decl: [string, FieldType][] = [];
    const n = r.int(1, 6);
    for (let k = 0; k < n; k++) decl.push(["f" + k, r.f() < 0.2 ? `char[${r.int(1, 12)}]` : r.pick(SCALARS)]);
    const bad = r.f() < 0.1;
    const v: { [k: string]: number | string } = {};
    for (const [name, t] of decl) v[name] = fieldValue(r, t, bad && r.f() < 0.5);
    pack(decl, v);
    const s = defineStruct(decl);
    const raw = r.bytes(r.f() < 0.8 ? s.size : r.int(0, s.size + 2));
    out.push({ line: `sunpack ${spec(decl)} ${hex(raw)}`, want: outcome(() => s.size + " " + values(s, s.unpack(raw))) });
  }
}

// --- MQTT, with mqtt-packet as the reference encoder

const ORDER = ["type", "id", "clientId", "clean", "keepalive", "username", "password", "will", "sessionPresent", "returnCode", "topic", "payload", "qos", "retain", "dup", "subs", "granted", "topics"];
// The packet as lua/vectors.lua writes it (canon() there).
export function canon(p: Packet): string {
  const o = p as unknown as { [k: string]: any };
  const parts: string[] = [];
  for (const k of ORDER) {
    const v = o[k];
    if (v === undefined) continue;
    let s: string;
    if (k === "will") s = `${xs(v.topic)}/${xb(v.payload)}/${v.qos}/${v.retain ? 1 : 0}`;
    else if (k === "subs") s = v.map((e: any) => `${xs(e.topic)}/${e.qos}`).join("+");
    else if (k === "granted") s = v.join("+");
    else if (k === "topics") s = v.map(xs).join("+");
    else if (k === "password" || k === "payload") s = xb(v);
    else if (typeof v === "boolean") s = v ? "1" : "0";
    else if (typeof v === "string") s = xs(v);
    else s = String(v);
    parts.push(k + "=" + s);
  }
  return parts.join(",");
}

const CMDS = ["", "connect", "connack", "publish", "puback", "pubrec", "pubrel", "pubcomp", "subscribe", "suback", "unsubscribe", "unsuback", "pingreq", "pingresp", "disconnect"];
function toMqttPacket(p: Packet): any {
  const cmd = CMDS[p.type];
  switch (p.type) {
    case 1:
      return {
        cmd, protocolId: "MQTT", protocolVersion: 4, clientId: p.clientId, clean: p.clean, keepalive: p.keepalive,
        ...(p.username !== undefined ? { username: p.username } : {}),
        ...(p.password !== undefined ? { password: Buffer.from(p.password) } : {}),
        ...(p.will ? { will: { topic: p.will.topic, payload: Buffer.from(p.will.payload), qos: p.will.qos, retain: p.will.retain } } : {}),
      };
    case 2:
      return { cmd, sessionPresent: p.sessionPresent, returnCode: p.returnCode };
    case 3:
      return { cmd, topic: p.topic, payload: Buffer.from(p.payload), qos: p.qos, retain: p.retain, dup: p.dup, ...(p.qos ? { messageId: p.id } : {}) };
    case 8:
      return { cmd, messageId: p.id, subscriptions: p.subs.map((s) => ({ topic: s.topic, qos: s.qos })) };
    case 9:
      return { cmd, messageId: p.id, granted: p.granted };
    case 10:
      return { cmd, messageId: p.id, unsubscriptions: p.topics };
    case 12:
    case 13:
    case 14:
      return { cmd };
    default:
      return { cmd, messageId: p.id };
  }
}

function topicName(r: Rnd): string {
  let t = text(r, 12).replace(/\$/g, "d");
  if (!t) t = "t";
  return t;
}

function randomPacket(r: Rnd): Packet {
  const id = () => r.pick([1, 2, 65535, r.int(1, 65535)]);
  const type = r.int(1, 14);
  const payload = () => r.bytes(r.pick([0, 1, 5, 127, 128, 300, r.int(0, 60), 16400]));
  switch (type) {
    case 1: {
      const clientId = r.f() < 0.2 ? "" : text(r, 10);
      const p: Packet = { type: 1, clientId, clean: clientId === "" || r.f() < 0.5, keepalive: r.pick([0, 60, 65535]) };
      if (r.f() < 0.5) p.username = text(r, 6);
      if (p.username !== undefined && r.f() < 0.5) p.password = r.bytes(r.int(0, 8));
      if (r.f() < 0.4) p.will = { topic: topicName(r), payload: r.bytes(r.int(0, 20)), qos: r.int(0, 2), retain: r.f() < 0.5 };
      return p;
    }
    case 2: {
      const rc = r.int(0, 5);
      return { type: 2, sessionPresent: rc === 0 && r.f() < 0.5, returnCode: rc };
    }
    case 3: {
      const qos = r.int(0, 2);
      const p: Packet = { type: 3, topic: topicName(r), payload: payload(), qos, retain: r.f() < 0.5, dup: qos > 0 && r.f() < 0.3 };
      if (qos) p.id = id();
      return p;
    }
    case 8:
      return { type: 8, id: id(), subs: Array.from({ length: r.int(1, 4) }, () => ({ topic: r.pick(["a/+", "#", "x/#", topicName(r)]), qos: r.int(0, 2) })) };
    case 9:
      return { type: 9, id: id(), granted: Array.from({ length: r.int(1, 4) }, () => r.pick([0, 1, 2, 128])) };
    case 10:
      return { type: 10, id: id(), topics: Array.from({ length: r.int(1, 3) }, () => r.pick(["a/+", topicName(r)])) };
    case 12:
    case 13:
    case 14:
      return { type };
    default:
      return { type: type as 4, id: id() };
  }
}

function mqttParseWant(stream: Uint8Array, size: number): string {
  return outcome(() => {
    const p = new MqttParser(ALL_DECODERS);
    const got: string[] = [];
    for (let i = 0; i < stream.length || (i === 0 && !stream.length); i += size) {
      for (const q of p.push(stream.subarray(i, Math.min(i + size, stream.length)))) got.push(canon(q) + ";" + toHex(encode(q)));
      if (!stream.length) break;
    }
    return got.length ? got.join(" ") : "-";
  });
}

function mqttVectors(r: Rnd, out: Vector[]) {
  for (let i = 0; i < 300; i++) {
    const p = randomPacket(r);
    const wire = mqttPacket.generate(toMqttPacket(p));
    out.push({ line: "mqttenc " + canon(p), want: wire.toString("hex") });
  }
  // Invalid packets: the generator's own error codes.
  const bad: Packet[] = [
    { type: 3, topic: "a/+", payload: new Uint8Array(0), qos: 0, retain: false, dup: false },
    { type: 3, topic: "", payload: new Uint8Array(0), qos: 0, retain: false, dup: false },
    { type: 3, topic: "a", payload: new Uint8Array(0), qos: 3, retain: false, dup: false, id: 1 },
    { type: 3, topic: "a", payload: new Uint8Array(0), qos: 1, retain: false, dup: false, id: 0 },
    { type: 8, id: 5, subs: [] },
    { type: 8, id: 5, subs: [{ topic: "a/#/b", qos: 0 }] },
    { type: 10, id: 0, topics: ["a"] },
    { type: 1, clientId: "", clean: false, keepalive: 0 },
    { type: 9, id: 3, granted: [3] },
  ];
  for (const p of bad) out.push({ line: "mqttenc " + canon(p), want: outcome(() => toHex(encode(p))) });
  // Streams of packets cut into chunks: what the parser returns, re-encoded byte for byte.
  for (let i = 0; i < 150; i++) {
    const ps = Array.from({ length: r.int(1, 4) }, () => randomPacket(r));
    const wires = ps.map((p) => mqttPacket.generate(toMqttPacket(p)));
    const stream = Buffer.concat(wires);
    const size = r.pick([1, 2, 3, 7, 64, stream.length]);
    out.push({ line: `mqttparse ${hex(stream)} ${size}`, want: ps.map((p, k) => canon(p) + ";" + wires[k].toString("hex")).join(" ") });
    // The same stream with a byte changed or cut short: whatever the TypeScript parser says.
    const broken = Buffer.from(stream);
    if (r.f() < 0.7) broken[r.int(0, broken.length - 1)] = r.int(0, 255);
    const cut = r.f() < 0.3 ? broken.subarray(0, r.int(0, broken.length)) : broken;
    out.push({ line: `mqttparse ${hex(cut)} ${size}`, want: mqttParseWant(cut, size) });
  }
}

// --- WebSocket frames, with ws's Sender as the reference encoder

// @types/ws does not declare Sender, which ws exports.
const { Sender } = wsLib as unknown as { Sender: { frame(data: Buffer, o: object): Buffer[] } };

function wsFrame(data: Uint8Array, opcode: number, fin: boolean, key?: Uint8Array): Buffer {
  const o: any = { fin, opcode, mask: !!key, readOnly: false, rsv1: false };
  if (key) {
    o.maskBuffer = Buffer.alloc(4);
    o.generateMask = (m: Buffer) => m.set(key);
  }
  return Buffer.concat(Sender.frame(Buffer.from(data), o));
}

function wsRecvWant(stream: Uint8Array, size: number, server: boolean, max?: number): string {
  const ev: string[] = [];
  try {
    const push = createReceiver((op, d) => ev.push(op + ":" + hex(d)), max, server);
    for (let i = 0; i < stream.length; i += size) push(stream.subarray(i, i + size));
  } catch (e) {
    if (!isProtocolError(e)) throw e;
    ev.push("E:" + e.code);
  }
  return ev.length ? ev.join(" ") : "-";
}

function wsVectors(r: Rnd, out: Vector[]) {
  for (let i = 0; i < 200; i++) {
    const op = r.pick([0, 1, 2, 8, 9, 10]);
    // 16 and 64-bit lengths: a few big frames, the rest small (the Lua side walks every byte).
    const big = i < 4 ? [65535, 65536][i % 2] : 0;
    const data = r.bytes(big || (op > 7 ? r.int(0, 125) : r.pick([0, 1, 125, 126, 127, 300, r.int(0, 200)])));
    const key = r.f() < 0.5 ? r.bytes(4) : undefined;
    const more = op < 8 && r.f() < 0.3;
    out.push({ line: `wsenc ${op} ${hex(data)} ${key ? hex(key) : "-"} ${more ? 1 : 0}`, want: wsFrame(data, op, !more, key).toString("hex") });
  }
  for (let i = 0; i < 150; i++) {
    const server = r.f() < 0.5;
    const frames: Buffer[] = [];
    const want: string[] = [];
    const bigOne = i < 3;
    for (let m = r.int(1, 4); m > 0; m--) {
      const key = server ? r.bytes(4) : undefined;
      const kind = r.int(0, 3);
      if (kind === 0) {
        const s = Buffer.from(text(r, 40));
        frames.push(wsFrame(s, 1, true, key));
        want.push("1:" + hex(s));
      } else if (kind === 1) {
        // a fragmented binary message with a ping between its fragments
        const parts = [r.bytes(r.int(0, 50)), r.bytes(r.int(0, 200)), r.bytes(r.int(1, 30))];
        const ping = r.bytes(r.int(0, 10));
        frames.push(wsFrame(parts[0], 2, false, key), wsFrame(parts[1], 0, false, key), wsFrame(ping, 9, true, key), wsFrame(parts[2], 0, true, key));
        want.push("9:" + hex(ping), "2:" + hex(Buffer.concat(parts)));
      } else if (kind === 2) {
        const close = Buffer.concat([Buffer.from([0x03, 0xe8]), Buffer.from(text(r, 10))]);
        frames.push(wsFrame(close, 8, true, key));
        want.push("8:" + hex(close));
      } else {
        const b = r.bytes(bigOne && m === 1 ? 70000 : r.pick([0, 126, 300, r.int(0, 100)]));
        frames.push(wsFrame(b, 2, true, key));
        want.push("2:" + hex(b));
      }
    }
    const stream = Buffer.concat(frames);
    const size = bigOne ? 1000 : r.pick([1, 3, 100, stream.length || 1]);
    out.push({ line: `wsrecv ${server ? 1 : 0} - ${size} ${hex(stream)}`, want: want.join(" ") });
    const broken = Buffer.from(stream);
    broken[r.int(0, Math.min(broken.length - 1, 12))] = r.int(0, 255);
    // A changed length byte can announce gigabytes: a receiver is always given a limit.
    const max = r.f() < 0.3 ? r.int(0, 200) : 1 << 20;
    out.push({ line: `wsrecv ${server ? 1 : 0} ${max} ${size} ${hex(broken)}`, want: wsRecvWant(broken, size, server, max) });
  }
  for (let i = 0; i < 40; i++) {
    const b = r.bytes(r.int(0, 200));
    out.push({ line: "sha1 " + hex(b), want: createHash("sha1").update(b).digest("hex") });
    out.push({ line: "b64 " + hex(b), want: b.toString("base64") });
    const k = r.bytes(16).toString("base64");
    out.push({ line: "accept " + hex(Buffer.from(k)), want: createHash("sha1").update(k + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest("base64") });
  }
}

export function makeVectors(seed = 2024): Vector[] {
  const r = prng(seed);
  const out: Vector[] = [];
  crcVectors(r, out);
  topicVectors(r, out);
  f32Vectors(r, out);
  messageVectors(r, out);
  structVectors(r, out);
  mqttVectors(r, out);
  wsVectors(r, out);
  return out;
}

export interface Interpreter {
  cmd: string;
  build: "jit" | "5.3";
}
export const INTERPRETERS: Interpreter[] = [
  { cmd: "lua5.1", build: "jit" },
  { cmd: "luajit", build: "jit" },
  { cmd: "lua5.3", build: "5.3" },
];

// Runs the vector file through one interpreter; resolves with its output lines.
export function runLua(cmd: string, buildDir: string, file: string, strict: boolean, runner: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    // The timeout turns a Lua-side endless loop (say, 0 taken as true) into a failure.
    execFile(cmd, [runner, buildDir, file, strict ? "strict" : "fast"], { maxBuffer: 1 << 30, timeout: 50_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} failed: ${err.message}\n${stderr}`));
      else resolve(stdout.replace(/\n$/, "").split("\n"));
    });
  });
}

// Lines where Lua disagrees, as readable strings (empty: all identical).
export function mismatches(vectors: Vector[], got: string[], limit = 10): string[] {
  const bad: string[] = [];
  if (got.length !== vectors.length) bad.push(`expected ${vectors.length} result lines, got ${got.length}`);
  for (let i = 0; i < vectors.length && bad.length < limit; i++) {
    if (!same(vectors[i].want, got[i] ?? "")) {
      const clip = (s: string) => (s.length > 300 ? s.slice(0, 300) + "..." : s);
      bad.push(`#${i} ${clip(vectors[i].line)}\n   want ${clip(vectors[i].want)}\n   got  ${clip(got[i] ?? "<none>")}`);
    }
  }
  return bad;
}

export type { Bytes };
