// Streaming MQTT 3.1.1 parser: push() takes chunks cut anywhere (a packet split across
// chunks, several packets in one; shared/stream.ts) and returns the packets completed so far.
//
// Which packet types a side accepts is a decoder table passed to the constructor. The board
// only receives what a server sends (CLIENT_DECODERS); the decoders for client->server
// packets sit in ALL_DECODERS, which the board never references, so its bundle drops them.
//
// Decoders read the current packet through module state (B, P, E) instead of a cursor
// object: nothing is allocated per packet except the packet itself. A packet that arrives
// whole in one chunk is decoded in place, so a PUBLISH payload (and CONNECT's will payload
// and password) is a view into the pushed chunk: callers must not reuse a chunk's memory
// after pushing it. A packet split across chunks is assembled once, when its last byte
// arrives; until then the parser holds only the bytes received, so a hostile length costs
// nothing up front, and maxPacketSize rejects it as soon as the fixed header is complete.
//
// After a ProtocolError the stream is unusable (MQTT closes the connection on any
// violation); make a new parser for the next connection.
import { readU16BE, utf8Decode, view, type Bytes } from "../bytes";
import { fail } from "../errors";
import { join } from "../stream";
import {
  E_CLIENT_ID_MISSING,
  E_CONNACK_RESERVED,
  E_CONNECT_RESERVED,
  E_DUP_QOS0,
  E_EMPTY_ID_REJECTED,
  E_FLAGS,
  E_LENGTH,
  E_MULTI_LEVEL,
  E_NUL,
  E_PACKET_ID,
  E_PASSWORD_MISSING,
  E_PASSWORD_NO_USERNAME,
  E_PASSWORD_PRESENT,
  E_PROTOCOL_LEVEL,
  E_PROTOCOL_NAME,
  E_QOS3,
  E_REMAINING_LENGTH,
  E_SESSION_PRESENT,
  E_SINGLE_LEVEL,
  E_SUBACK_CODE,
  E_SUBSCRIBE_EMPTY,
  E_SUBSCRIBE_QOS,
  E_TOO_LARGE,
  E_TOPIC_EMPTY,
  E_TOPIC_WILDCARD,
  E_TYPE,
  E_UNSUBSCRIBE_EMPTY,
  E_USERNAME_MISSING,
  E_USERNAME_PRESENT,
  E_UTF8,
  E_WILL_MISSING,
  E_WILL_PRESENT,
  E_WILL_QOS,
  E_WILL_QOS_NO_WILL,
  E_WILL_RETAIN_NO_WILL,
} from "./constants";
import type {
  AckPacket,
  ConnackPacket,
  ConnectPacket,
  EmptyPacket,
  Packet,
  PublishPacket,
  SubackPacket,
  SubscribePacket,
  Subscription,
  UnsubscribePacket,
} from "./packet";

// Which packet types a parser accepts (bit t set: type t) and the function that decodes one
// whose first byte is h from B[P..E) (the bytes after the fixed header).
export interface Decoders {
  t: number;
  d: (this: void, h: number) => Packet;
}

let B: Bytes;
let P = 0;
let E = 0;
// Length of the fixed header head() parsed last.
let H = 0;

// A 16-bit field; with id set a packet identifier, which may not be 0.
function u16(id?: boolean): number {
  if (P + 2 > E) fail(E_LENGTH);
  const v = readU16BE(B, P);
  P += 2;
  if (id && !v) fail(E_PACKET_ID);
  return v;
}

// A length-prefixed UTF-8 string. name: also a topic name (non-empty, no wildcards).
// NUL and wildcards are checked on bytes: in UTF-8 those byte values never occur inside a
// multi-byte sequence.
function str(name?: boolean): string {
  const n = u16();
  const s = P;
  const e = s + n;
  if (e > E) fail(E_LENGTH);
  if (name && !n) fail(E_TOPIC_EMPTY);
  P = e;
  for (let i = s; i < e; i++) {
    const c = B[i];
    if (!c) fail(E_NUL);
    if (name && (c === 35 || c === 43)) fail(E_TOPIC_WILDCARD);
  }
  const r = utf8Decode(B, s, e);
  if (r === null) return fail(E_UTF8);
  return r;
}

// --- what a client receives: CONNACK, PUBLISH, PUBACK..PUBCOMP, SUBACK, UNSUBACK, PINGRESP.
// One function with a branch per type: every function costs the board RAM.
function toClient(h: number): Packet {
  const t = h >> 4;
  if (t === 3) {
    const qos = (h >> 1) & 3; // 3 was refused by head()
    if (!qos && h & 8) fail(E_DUP_QOS0);
    const topic = str(true);
    const id = qos ? u16(true) : undefined;
    return { type: 3, topic: topic, payload: view(B, P, E), qos: qos, retain: (h & 1) === 1, dup: (h & 8) === 8, id: id };
  }
  if (t === 9) {
    const id = u16();
    if (P >= E) fail(E_LENGTH);
    const granted: number[] = [];
    while (P < E) {
      const c = B[P++];
      if (c > 2 && c !== 128) fail(E_SUBACK_CODE);
      granted.push(c);
    }
    return { type: 9, id: id, granted: granted };
  }
  // The rest have fixed sizes: PINGREQ/PINGRESP/DISCONNECT none, CONNACK and the acks two.
  if (E - P !== (t > 11 ? 0 : 2)) fail(E_LENGTH);
  if (t > 11) return { type: t } as EmptyPacket;
  if (t === 2) {
    const f = B[P];
    const rc = B[P + 1];
    if (f > 1 || rc > 5) fail(E_CONNACK_RESERVED);
    if (f && rc) fail(E_SESSION_PRESENT);
    return { type: 2, sessionPresent: f === 1, returnCode: rc };
  }
  return { type: t, id: readU16BE(B, P) } as AckPacket; // PUBACK, PUBREC, PUBREL, PUBCOMP, UNSUBACK
}

// --- what only a server receives: CONNECT, SUBSCRIBE, UNSUBSCRIBE (the rest as above)

// A length-prefixed binary field (will message, password): a view, not a copy.
function bin(): Bytes {
  const n = u16();
  if (P + n > E) fail(E_LENGTH);
  return view(B, P, (P += n));
}

// A topic filter: '#' only as the whole last level, '+' only as a whole level.
function filter(): string {
  const s = P + 2;
  const f = str();
  const e = P;
  if (e === s) fail(E_TOPIC_EMPTY);
  for (let i = s; i < e; i++) {
    const c = B[i];
    if (c !== 35 && c !== 43) continue;
    const solo = (i === s || B[i - 1] === 47) && (i + 1 === e || B[i + 1] === 47);
    if (c === 35 && (!solo || i + 1 !== e)) fail(E_MULTI_LEVEL);
    if (!solo) fail(E_SINGLE_LEVEL);
  }
  return f;
}

function connect(): ConnectPacket {
  if (str() !== "MQTT") fail(E_PROTOCOL_NAME);
  if (P + 2 > E) fail(E_LENGTH);
  if (B[P++] !== 4) fail(E_PROTOCOL_LEVEL);
  const f = B[P++];
  if (f & 1) fail(E_CONNECT_RESERVED);
  const will = f & 4;
  const wqos = (f >> 3) & 3;
  const user = f & 128;
  const pass = f & 64;
  if (!will && wqos) fail(E_WILL_QOS_NO_WILL);
  if (!will && f & 32) fail(E_WILL_RETAIN_NO_WILL);
  if (wqos === 3) fail(E_WILL_QOS);
  if (pass && !user) fail(E_PASSWORD_NO_USERNAME);
  const keepalive = u16();
  if (P >= E) fail(E_CLIENT_ID_MISSING);
  const clean = (f & 2) === 2;
  const p: ConnectPacket = { type: 1, clientId: str(), clean, keepalive };
  if (!p.clientId && !clean) fail(E_EMPTY_ID_REJECTED);
  if (will) {
    if (P >= E) fail(E_WILL_MISSING);
    const topic = str(true);
    if (P >= E) fail(E_WILL_MISSING);
    p.will = { topic, payload: bin(), qos: wqos, retain: (f & 32) === 32 };
  }
  if (user) {
    if (P >= E) fail(E_USERNAME_MISSING);
    p.username = str();
  }
  if (pass) {
    if (P >= E) fail(E_PASSWORD_MISSING);
    p.password = bin();
  }
  // Bytes left over sit where the first field whose flag is 0 would be.
  if (P < E) fail(pass ? E_LENGTH : user ? E_PASSWORD_PRESENT : will ? E_USERNAME_PRESENT : E_WILL_PRESENT);
  return p;
}

function subscribe(): SubscribePacket {
  const id = u16(true);
  if (P >= E) fail(E_SUBSCRIBE_EMPTY);
  const subs: Subscription[] = [];
  while (P < E) {
    const topic = filter();
    if (P >= E) fail(E_LENGTH);
    const qos = B[P++];
    if (qos > 2) fail(E_SUBSCRIBE_QOS);
    subs.push({ topic, qos });
  }
  return { type: 8, id, subs };
}

function unsubscribe(): UnsubscribePacket {
  const id = u16(true);
  if (P >= E) fail(E_UNSUBSCRIBE_EMPTY);
  const topics: string[] = [];
  while (P < E) topics.push(filter());
  return { type: 10, id, topics };
}

function any(h: number): Packet {
  const t = h >> 4;
  if (t === 1) return connect();
  if (t === 8) return subscribe();
  if (t === 10) return unsubscribe();
  return toClient(h);
}

// A client receives CONNACK, PUBLISH, PUBACK..PUBCOMP, SUBACK, UNSUBACK, PINGRESP (types 2-7,
// 9, 11, 13).
export const CLIENT_DECODERS: Decoders = { t: 0x2afc, d: toClient };

// A server receives CONNECT, PUBLISH, PUBACK..PUBCOMP, SUBSCRIBE, UNSUBSCRIBE, PINGREQ,
// DISCONNECT (types 1, 3-8, 10, 12, 14; host/broker/gate.ts).
export const SERVER_DECODERS: Decoders = { t: 0x55fa, d: any };

// Every packet type (1-14): what a test needs.
export const ALL_DECODERS: Decoders = { t: 0x7ffe, d: any };

// Checks the fixed header at b[i] and returns the whole packet's size, or 0 when b[i..n)
// ends inside the header. Type, flags and size are refused before the body arrives.
function head(d: Decoders, max: number, b: Bytes, i: number, n: number): number {
  const h = b[i];
  const t = h >> 4;
  if (!((d.t >> t) & 1)) fail(E_TYPE);
  // Table 2.2: PUBREL, SUBSCRIBE and UNSUBSCRIBE (bits 6, 8, 10 of 0x540) carry flags 0010.
  if (t === 3) {
    if ((h & 6) === 6) fail(E_QOS3);
  } else if ((h & 15) !== ((0x540 >> t) & 1) * 2) fail(E_FLAGS);
  let k = i + 1;
  let v = 0;
  let m = 1;
  let c: number;
  do {
    if (k > i + 4) fail(E_REMAINING_LENGTH);
    if (k >= n) return 0;
    c = b[k++];
    v += (c & 127) * m;
    m *= 128;
  } while (c & 128);
  H = k - i;
  if (max && H + v > max) fail(E_TOO_LARGE);
  return H + v;
}

// The stream framing of shared/stream.ts, as methods: a parser is its fields, with no closures
// of its own (every function a board holds costs it RAM). feed() takes a chunk and take() gives
// its packets one at a time, decoding each only when asked: a board that fell behind and gets
// forty commands in one chunk then holds one decoded packet at a time, not forty. The board
// uses this reader; MqttParser adds push().
export class MqttReader {
  private _d: Decoders;
  // the largest packet accepted (0: any); the embedded broker raises it once a client has logged in
  _m: number;
  // bytes of an unfinished packet as received (views of fed chunks), their count, and the
  // packet's size (0 while its fixed header is incomplete: then at most a header's bytes are held)
  private _held: Bytes[] = [];
  private _n = 0;
  private _want = 0;
  // the chunk being taken from (null when done) and where its next packet starts
  private _b: Bytes | null = null;
  private _i = 0;

  // maxPacketSize: largest whole packet (fixed header included) accepted; 0 or absent =
  // only the protocol's own limit.
  constructor(decoders: Decoders, maxPacketSize?: number) {
    this._d = decoders;
    this._m = maxPacketSize || 0;
  }

  // A chunk; take() its packets until it gives null before feeding the next.
  feed(chunk: Bytes): void {
    let b = chunk;
    this._b = null;
    if (this._n) {
      this._held.push(b);
      this._n += b.length;
      if (this._n < this._want) return;
      b = join(this._held, this._n);
      this._n = 0;
      this._held = [];
    }
    this._b = b;
    this._i = 0;
  }

  // The next whole packet of what was fed, or null when none is complete yet.
  take(): Packet | null {
    const b = this._b;
    if (!b) return null;
    const i = this._i;
    const n = b.length;
    const t = i < n ? head(this._d, this._m, b, i, n) : 0;
    if (!t || i + t > n) {
      if (i < n) {
        this._held = [view(b, i, n)];
        this._n = n - i;
        this._want = t;
      }
      this._b = null;
      return null;
    }
    B = b;
    P = i + H;
    E = i + t;
    this._i = i + t;
    return this._d.d(b[i]);
  }

}

// A reader that also takes a chunk and returns all its packets at once (what a host uses; a
// method the board's bundle does not need costs it about 4 JsVars, so it sits here).
export class MqttParser extends MqttReader {
  // Feeds a chunk; returns every packet it completed (possibly none).
  push(chunk: Bytes): Packet[] {
    this.feed(chunk);
    const out: Packet[] = [];
    for (let p = this.take(); p; p = this.take()) out.push(p);
    return out;
  }
}
