// Shared by the MQTT codec suites: a seeded PRNG, random valid packets, and the mapping
// between our packet objects and mqtt-packet's, so both codecs can check each other.
import mqttPacket from "mqtt-packet";
import type { Packet } from "../shared/mqtt/packet";

export type Rng = () => number;

// mulberry32: small, fast, and the same sequence for a seed everywhere.
export function prng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function int(r: Rng, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

export function pick<T>(r: Rng, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}

export function bytes(r: Rng, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (r() * 256) | 0;
  return b;
}

// Characters of every UTF-8 width; wildcards, '/' and NUL are added by the callers that want them.
const CHARS = ["a", "b", "z", "0", "9", "-", "_", " ", "$", "~", "é", "ß", "Ω", "€", "中", "\uffff", "😀", "\u{10ffff}"];

export function text(r: Rng, max: number, min = 0): string {
  const n = int(r, min, max);
  let s = "";
  for (let i = 0; i < n; i++) s += r() < 0.7 ? String.fromCharCode(int(r, 0x61, 0x7a)) : pick(r, CHARS);
  return s;
}

export function topicName(r: Rng): string {
  const levels = int(r, 1, 5);
  const parts: string[] = [];
  for (let i = 0; i < levels; i++) parts.push(text(r, 8, 0));
  const t = parts.join("/");
  return t.length ? t : "t";
}

export function topicFilter(r: Rng): string {
  const levels = int(r, 1, 5);
  const parts: string[] = [];
  for (let i = 0; i < levels; i++) {
    const x = r();
    parts.push(x < 0.2 ? "+" : x < 0.3 && i === levels - 1 ? "#" : text(r, 8, 0));
  }
  const f = parts.join("/");
  return f.length ? f : "#";
}

function payloadSize(r: Rng): number {
  const x = r();
  return x < 0.1 ? 0 : x < 0.8 ? int(r, 1, 64) : x < 0.98 ? int(r, 65, 600) : int(r, 601, 20000);
}

export function packetId(r: Rng): number {
  return r() < 0.05 ? pick(r, [1, 255, 256, 65535]) : int(r, 1, 65535);
}

// A random packet a conforming peer could send.
export function randomPacket(r: Rng, type = int(r, 1, 14)): Packet {
  switch (type) {
    case 1: {
      const clientId = r() < 0.1 ? "" : text(r, 23, 1);
      const p: Packet = { type: 1, clientId, clean: clientId === "" || r() < 0.5, keepalive: int(r, 0, 65535) };
      if (r() < 0.5) p.username = text(r, 12);
      if (p.username !== undefined && r() < 0.6) p.password = bytes(r, int(r, 0, 20));
      if (r() < 0.4) p.will = { topic: topicName(r), payload: bytes(r, payloadSize(r)), qos: int(r, 0, 2), retain: r() < 0.5 };
      return p;
    }
    case 2: {
      const returnCode = r() < 0.7 ? 0 : int(r, 1, 5);
      return { type: 2, sessionPresent: returnCode === 0 && r() < 0.5, returnCode };
    }
    case 3: {
      const qos = int(r, 0, 2);
      return {
        type: 3,
        topic: topicName(r),
        payload: bytes(r, payloadSize(r)),
        qos,
        retain: r() < 0.5,
        dup: qos > 0 && r() < 0.5,
        id: qos ? packetId(r) : undefined,
      };
    }
    case 8: {
      const subs = [];
      for (let i = int(r, 1, 5); i > 0; i--) subs.push({ topic: topicFilter(r), qos: int(r, 0, 2) });
      return { type: 8, id: packetId(r), subs };
    }
    case 9: {
      const granted = [];
      for (let i = int(r, 1, 6); i > 0; i--) granted.push(pick(r, [0, 1, 2, 128]));
      return { type: 9, id: packetId(r), granted };
    }
    case 10: {
      const topics = [];
      for (let i = int(r, 1, 5); i > 0; i--) topics.push(topicFilter(r));
      return { type: 10, id: packetId(r), topics };
    }
    case 12:
    case 13:
    case 14:
      return { type: type as 12 | 13 | 14 };
    default:
      return { type: type as 4 | 5 | 6 | 7 | 11, id: packetId(r) };
  }
}

const CMD = ["", "connect", "connack", "publish", "puback", "pubrec", "pubrel", "pubcomp", "subscribe", "suback", "unsubscribe", "unsuback", "pingreq", "pingresp", "disconnect"];

const buf = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.length);

// Our packet as mqtt-packet's generate() takes it.
export function toTheirs(p: Packet): mqttPacket.Packet {
  const cmd = CMD[p.type];
  switch (p.type) {
    case 1: {
      const o: any = { cmd, protocolId: "MQTT", protocolVersion: 4, clientId: p.clientId, clean: p.clean, keepalive: p.keepalive };
      if (p.username !== undefined) o.username = p.username;
      if (p.password !== undefined) o.password = buf(p.password);
      if (p.will) o.will = { topic: p.will.topic, payload: buf(p.will.payload), qos: p.will.qos, retain: p.will.retain };
      return o;
    }
    case 2:
      return { cmd: "connack", sessionPresent: p.sessionPresent, returnCode: p.returnCode };
    case 3:
      return { cmd: "publish", topic: p.topic, payload: buf(p.payload), qos: p.qos as 0 | 1 | 2, retain: p.retain, dup: p.dup, messageId: p.id };
    case 8:
      return { cmd: "subscribe", messageId: p.id, subscriptions: p.subs.map((s) => ({ topic: s.topic, qos: s.qos as 0 | 1 | 2 })) };
    case 9:
      return { cmd: "suback", messageId: p.id, granted: p.granted.slice() };
    case 10:
      return { cmd: "unsubscribe", messageId: p.id, unsubscriptions: p.topics.slice() };
    case 12:
    case 13:
    case 14:
      return { cmd } as mqttPacket.Packet;
    default:
      return { cmd, messageId: p.id } as mqttPacket.Packet;
  }
}

// What mqtt-packet's parser emitted, as our packet (only the fields 3.1.1 defines).
export function fromTheirs(m: any): Packet {
  const type = CMD.indexOf(m.cmd) as Packet["type"];
  const u8 = (b: Buffer) => new Uint8Array(b);
  switch (type) {
    case 1: {
      const p: Packet = { type: 1, clientId: m.clientId, clean: m.clean, keepalive: m.keepalive };
      if (m.username !== undefined) p.username = m.username;
      if (m.password !== undefined) p.password = u8(m.password);
      if (m.will) p.will = { topic: m.will.topic, payload: u8(m.will.payload), qos: m.will.qos, retain: m.will.retain };
      return p;
    }
    case 2:
      return { type: 2, sessionPresent: m.sessionPresent, returnCode: m.returnCode };
    case 3:
      return { type: 3, topic: m.topic, payload: u8(m.payload), qos: m.qos, retain: m.retain, dup: m.dup, id: m.qos ? m.messageId : undefined };
    case 8:
      return { type: 8, id: m.messageId, subs: m.subscriptions.map((s: any) => ({ topic: s.topic, qos: s.qos })) };
    case 9:
      return { type: 9, id: m.messageId, granted: m.granted };
    case 10:
      return { type: 10, id: m.messageId, topics: m.unsubscriptions };
    case 12:
    case 13:
    case 14:
      return { type };
    default:
      return { type: type as 4, id: m.messageId };
  }
}

// Comparable form: byte fields as hex, no undefined-valued keys.
export function plain(p: unknown): unknown {
  if (p instanceof Uint8Array) return "hex:" + Buffer.from(p.buffer, p.byteOffset, p.length).toString("hex");
  if (Array.isArray(p)) return p.map(plain);
  if (p && typeof p === "object") {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(p).sort()) {
      const v = (p as Record<string, unknown>)[k];
      if (v !== undefined) o[k] = plain(v);
    }
    return o;
  }
  return p;
}

// Parses a whole stream with mqtt-packet; throws on its first error.
export function theirParse(b: Uint8Array): any[] {
  const out: any[] = [];
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  let err: Error | null = null;
  parser.on("packet", (p: any) => out.push(p));
  parser.on("error", (e: Error) => {
    err = err || e;
  });
  parser.parse(buf(b));
  if (err) throw err;
  return out;
}

export function concatAll(list: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const b of list) n += b.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const b of list) {
    out.set(b, o);
    o += b.length;
  }
  return out;
}
