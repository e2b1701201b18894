// MQTT 3.1.1 packet encoders, one function per packet type so the board bundle keeps only
// the ones its client calls. Each computes the exact size first and writes into a single
// allocation through module state (W, O): no intermediate arrays, no per-packet closures.
//
// The per-type encoders the board uses check what its user supplies (topic names and
// filters, QoS) and what cannot be framed at all (fields over 65,535 bytes, packets over the
// remaining-length limit); they trust the client state machine for the rest (packet ids,
// flags). encode() is the host's entry: it runs check() (everything a receiver would
// refuse), then the per-type encoder.
import { alloc, put, utf8Length, utf8Write, view, writeU16BE, type Bytes } from "../bytes";
import { fail } from "../errors";
import {
  E_EMPTY_ID_CLEAN,
  E_MULTI_LEVEL,
  E_NUL,
  E_PACKET_ID,
  E_PASSWORD_NO_USERNAME,
  E_QOS3,
  E_SINGLE_LEVEL,
  E_STRING_LENGTH,
  E_SUBACK_CODE,
  E_SUBSCRIBE_EMPTY,
  E_SUBSCRIBE_QOS,
  E_TOO_LARGE,
  E_TOPIC_EMPTY,
  E_TOPIC_WILDCARD,
  E_UNSUBSCRIBE_EMPTY,
  E_WILL_QOS,
  MAX_REMAINING_LENGTH,
  MAX_STRING_BYTES,
  E_CONNACK_RESERVED,
  E_DUP_QOS0,
  E_FIELD_TYPE,
  E_KEEPALIVE,
  E_TYPE,
} from "./constants";
import type {
  ConnackPacket,
  ConnectPacket,
  Packet,
  PublishPacket,
  SubackPacket,
  SubscribePacket,
  UnsubscribePacket,
} from "./packet";

// Each encoder's body runs twice: with W null it only measures (and validates), then
// into one allocation of the exact size. One body per packet type keeps the board small.
let W: Bytes | null;
let O = 0;

// Host speed: V8 gives every typed array over 64 bytes its own backing store (about 0.5 us
// each, zero-filled), so encode() cuts packets of 65 bytes to 2 KB from 64 KB slabs (a
// 16 KB slab still cost 90 ns per 1 KB packet). Packets are never written after they are
// returned, so sharing a slab is safe (a retained packet keeps its slab alive). The per-type
// encoders the board calls directly never pool: only encode(), which the board does not
// bundle, sets POOLED, so on the board the minifier folds this down to alloc().
let POOLED = false;
let SLAB: Bytes | null = null;
let SO = 0;

function mem(n: number): Bytes {
  // Up to 64 bytes V8 keeps a typed array on its heap, which is cheaper than a slab view.
  if (!POOLED || n <= 64 || n > 2048) return alloc(n);
  if (!SLAB || SO + n > 65536) {
    SLAB = alloc(65536);
    SO = 0;
  }
  return view(SLAB, SO, (SO += n));
}

function pack<T>(h: number, body: (p: T) => void, p: T): Bytes {
  W = null;
  O = 0;
  body(p);
  let rl = O;
  if (rl > MAX_REMAINING_LENGTH) fail(E_TOO_LARGE);
  const b = (W = mem(rl + (rl < 128 ? 2 : rl < 16384 ? 3 : rl < 2097152 ? 4 : 5)));
  b[0] = h;
  O = 1;
  do {
    const d = rl & 127;
    rl >>= 7;
    b[O++] = rl ? d | 128 : d;
  } while (rl);
  body(p);
  W = null;
  return b;
}

function w8(v: number): void {
  if (W) W[O] = v;
  O++;
}

function w16(v: number): void {
  if (W) writeU16BE(W, O, v);
  O += 2;
}

// Raw bytes (PUBLISH payload).
function wraw(b: Bytes): void {
  if (W) put(W, b, O);
  O += b.length;
}

// A length-prefixed binary field (will message, password).
function wbin(b: Bytes): void {
  if (b.length > MAX_STRING_BYTES) fail(E_STRING_LENGTH);
  w16(b.length);
  wraw(b);
}

// A UTF-8 string field; when writing, the length prefix is filled in from what was written.
function wstr(s: string): void {
  if (W) {
    const a = O + 2;
    O = utf8Write(W, a, s);
    writeU16BE(W, a - 2, O - a);
  } else {
    const n = utf8Length(s);
    if (n > MAX_STRING_BYTES) fail(E_STRING_LENGTH);
    O += 2 + n;
  }
}

// A topic name, or with filter set a topic filter. Checked on the board too: a broker
// drops the connection over a bad topic, and the client's retransmissions and
// resubscriptions would repeat it on every reconnect.
// Char codes, not one-character strings: this loop runs over every topic the host sends.
function topic(t: string, filter?: boolean): void {
  if (!t) fail(E_TOPIC_EMPTY);
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    const next = t.charCodeAt(i + 1); // NaN past the end (compared, not tested for truth: Lua)
    if (!c) fail(E_NUL);
    // '+' 43, '#' 35: a whole level ('/' 47 or an end on either side); '#' only as the last level
    if (c === 43 || c === 35) {
      if (!filter) fail(E_TOPIC_WILDCARD);
      if ((i && t.charCodeAt(i - 1) !== 47) || (next > 0 && (c === 35 || next !== 47))) fail(c === 35 ? E_MULTI_LEVEL : E_SINGLE_LEVEL);
    }
  }
}

function connect(p: ConnectPacket): void {
  const w = p.will;
  const user = p.username !== undefined;
  const pass = p.password !== undefined;
  wstr("MQTT");
  w8(4);
  w8((user ? 128 : 0) | (pass ? 64 : 0) | (w ? 4 | (w.retain ? 32 : 0) | (w.qos << 3) : 0) | (p.clean ? 2 : 0));
  w16(p.keepalive);
  wstr(p.clientId);
  if (w) {
    wstr(w.topic);
    wbin(w.payload);
  }
  if (user) wstr(p.username as string);
  if (pass) wbin(p.password as Bytes);
}

export function encodeConnect(p: ConnectPacket): Bytes {
  return pack(16, connect, p);
}

function publish(p: PublishPacket): void {
  if (!W) {
    if (p.qos > 2) fail(E_QOS3);
    topic(p.topic);
  }
  wstr(p.topic);
  if (p.qos) w16(p.id as number);
  wraw(p.payload);
}

export function encodePublish(p: PublishPacket): Bytes {
  return pack(48 | (p.dup ? 8 : 0) | (p.qos << 1) | (p.retain ? 1 : 0), publish, p);
}

// PUBACK, PUBREC, PUBREL (flags 0010), PUBCOMP, UNSUBACK.
export function encodeAck(type: number, id: number): Bytes {
  return pack((type << 4) | (type === 6 ? 2 : 0), w16, id);
}

function none(): void {}

// PINGREQ, PINGRESP, DISCONNECT.
export function encodeEmpty(type: number): Bytes {
  return pack(type << 4, none, 0);
}

function subscribe(p: SubscribePacket): void {
  const s = p.subs;
  w16(p.id);
  for (let i = 0; i < s.length; i++) {
    if (!W) {
      topic(s[i].topic, true);
      if (s[i].qos > 2) fail(E_SUBSCRIBE_QOS);
    }
    wstr(s[i].topic);
    w8(s[i].qos);
  }
}

export function encodeSubscribe(p: SubscribePacket): Bytes {
  return pack(0x82, subscribe, p);
}

function unsubscribe(p: UnsubscribePacket): void {
  w16(p.id);
  for (let i = 0; i < p.topics.length; i++) {
    if (!W) topic(p.topics[i], true);
    wstr(p.topics[i]);
  }
}

export function encodeUnsubscribe(p: UnsubscribePacket): Bytes {
  return pack(0xa2, unsubscribe, p);
}

// --- server -> client packets the board never sends

function connack(p: ConnackPacket): void {
  w8(p.sessionPresent ? 1 : 0);
  w8(p.returnCode);
}

export function encodeConnack(p: ConnackPacket): Bytes {
  return pack(0x20, connack, p);
}

function suback(p: SubackPacket): void {
  w16(p.id);
  for (let i = 0; i < p.granted.length; i++) {
    w8(p.granted[i]);
  }
}

export function encodeSuback(p: SubackPacket): Bytes {
  return pack(0x90, suback, p);
}

// --- host-side checks: the rest of what the spec forbids a sender to put on the wire, and
// the types of the fields (on the host a packet may come from JSON or a user's script; the
// board's runtime builds its own packets). Everything is checked before anything is written,
// so a refused packet leaves the codec as it was.
// (Lone surrogates need no check: utf8Write emits U+FFFD, so the bytes stay well-formed.)

function isInt(v: unknown, lo: number, hi: number): boolean {
  return typeof v === "number" && Math.floor(v) === v && v >= lo && v <= hi;
}

function checkStr(s: unknown): void {
  if (typeof s !== "string") fail(E_FIELD_TYPE);
  if ((s as string).indexOf("\0") >= 0) fail(E_NUL);
}

// Bytes, or on Lua its byte-array table: an object with a length.
function checkBytes(b: unknown): void {
  if (!b || typeof b !== "object" || typeof (b as Bytes).length !== "number") fail(E_FIELD_TYPE);
}

function checkList(l: unknown): void {
  if (!l || typeof l !== "object" || typeof (l as unknown[]).length !== "number") fail(E_FIELD_TYPE);
}

function checkId(id: unknown): void {
  if (!isInt(id, 1, 65535)) fail(E_PACKET_ID);
}

function checkQos(q: number, code: string): void {
  if (!(q === 0 || q === 1 || q === 2)) fail(code);
}

// The per-type encoders check the topic rules themselves; the will topic is not checked there.
function checkString(t: unknown): void {
  if (typeof t !== "string") fail(E_FIELD_TYPE);
}

// Throws the ProtocolError a receiver would raise for p, or E_FIELD_TYPE / E_KEEPALIVE for
// what cannot be encoded at all, if any.
export function check(p: Packet): void {
  if (!p || typeof p !== "object") fail(E_FIELD_TYPE);
  switch (p.type) {
    case 1:
      checkStr(p.clientId);
      if (!isInt(p.keepalive, 0, 65535)) fail(E_KEEPALIVE);
      if (!p.clientId && !p.clean) fail(E_EMPTY_ID_CLEAN);
      if (p.password !== undefined && p.username === undefined) fail(E_PASSWORD_NO_USERNAME);
      if (p.username !== undefined) checkStr(p.username);
      if (p.password !== undefined) checkBytes(p.password);
      if (p.will) {
        checkQos(p.will.qos, E_WILL_QOS);
        checkString(p.will.topic);
        topic(p.will.topic);
        checkBytes(p.will.payload);
      }
      return;
    case 2:
      if (!isInt(p.returnCode, 0, 5) || (p.sessionPresent && p.returnCode)) fail(E_CONNACK_RESERVED);
      return;
    case 3:
      checkQos(p.qos, E_QOS3);
      checkString(p.topic);
      checkBytes(p.payload);
      if (p.qos) checkId(p.id);
      else if (p.dup) fail(E_DUP_QOS0);
      return;
    case 8:
      checkId(p.id);
      checkList(p.subs);
      if (!p.subs.length) fail(E_SUBSCRIBE_EMPTY);
      for (let i = 0; i < p.subs.length; i++) {
        const s = p.subs[i];
        if (!s || typeof s !== "object") fail(E_FIELD_TYPE);
        checkString(s.topic);
        checkQos(s.qos, E_SUBSCRIBE_QOS);
      }
      return;
    case 9:
      if (!isInt(p.id, 0, 65535)) fail(E_PACKET_ID);
      checkList(p.granted);
      for (let i = 0; i < p.granted.length; i++) {
        const g = p.granted[i];
        if (g !== 0 && g !== 1 && g !== 2 && g !== 128) fail(E_SUBACK_CODE);
      }
      return;
    case 10:
      checkId(p.id);
      checkList(p.topics);
      if (!p.topics.length) fail(E_UNSUBSCRIBE_EMPTY);
      for (let i = 0; i < p.topics.length; i++) checkString(p.topics[i]);
      return;
    case 4:
    case 5:
    case 6:
    case 7:
    case 11:
      if (!isInt(p.id, 0, 65535)) fail(E_PACKET_ID);
      return;
    case 12:
    case 13:
    case 14:
      return;
  }
  fail(E_TYPE);
}

// Any packet, checked, then encoded. Nothing is taken from the slab before check() passed;
// should an encoder throw all the same, the slab is left as it was.
export function encode(p: Packet): Bytes {
  check(p);
  // PINGREQ, PINGRESP, DISCONNECT: two bytes, as encodeEmpty() writes them, without its two
  // passes (the host sends a PINGREQ per keep-alive period per connection).
  if (p.type >= 12) {
    const e = alloc(2);
    e[0] = p.type << 4;
    return e;
  }
  const slab = SLAB;
  const so = SO;
  POOLED = true;
  try {
    return encodeType(p);
  } catch (e) {
    SLAB = slab;
    SO = so;
    throw e;
  } finally {
    POOLED = false;
  }
}

// The host's PUBLISH, the packet it sends most: the same bytes as encodePublish() (tests
// compare them) in one pass instead of a measuring pass and a writing pass. The topic is only
// scanned here; anything the rules might refuse (empty, NUL, wildcards) goes to topic(),
// which decides, and a non-ASCII topic is written by utf8Write.
function publishHost(p: PublishPacket): Bytes {
  const t = p.topic;
  const n = t.length;
  let ascii = n > 0;
  for (let i = 0; i < n && ascii; i++) {
    const c = t.charCodeAt(i);
    if (c > 127 || !c || c === 35 || c === 43) ascii = false;
  }
  if (!ascii) topic(t);
  const tl = ascii ? n : utf8Length(t);
  if (tl > MAX_STRING_BYTES) fail(E_STRING_LENGTH);
  const pl = p.payload;
  let rl = 2 + tl + (p.qos ? 2 : 0) + pl.length;
  if (rl > MAX_REMAINING_LENGTH) fail(E_TOO_LARGE);
  const b = mem(rl + (rl < 128 ? 2 : rl < 16384 ? 3 : rl < 2097152 ? 4 : 5));
  b[0] = 48 | (p.dup ? 8 : 0) | (p.qos << 1) | (p.retain ? 1 : 0);
  let o = 1;
  do {
    const d = rl & 127;
    rl >>= 7;
    b[o++] = rl ? d | 128 : d;
  } while (rl);
  writeU16BE(b, o, tl);
  o += 2;
  if (ascii) for (let i = 0; i < n; i++) b[o++] = t.charCodeAt(i);
  else o = utf8Write(b, o, t);
  if (p.qos) {
    writeU16BE(b, o, p.id as number);
    o += 2;
  }
  put(b, pl, o);
  return b;
}

function encodeType(p: Packet): Bytes {
  switch (p.type) {
    case 1:
      return encodeConnect(p);
    case 2:
      return encodeConnack(p);
    case 3:
      return publishHost(p);
    case 8:
      return encodeSubscribe(p);
    case 9:
      return encodeSuback(p);
    case 10:
      return encodeUnsubscribe(p);
    case 12:
    case 13:
    case 14:
      return encodeEmpty(p.type);
    default:
      return encodeAck(p.type, p.id);
  }
}
