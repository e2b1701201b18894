// MQTT 3.1.1 packet encoders. encodePacket() computes the exact size first and writes into a
// single allocation through module state (W, O): no intermediate arrays, no per-packet
// closures. The per-type encoders (encodeConnect, ...) are its names for host code and tests.
//
// encodePacket(), which the board's client calls, checks what its user supplies (topic names
// and filters, QoS) and what cannot be framed at all (fields over 65,535 bytes, packets over
// the remaining-length limit); it trusts the client state machine for the rest (packet ids,
// flags). encode() is the host's entry: it runs check() (everything a receiver would
// refuse), then encodePacket().
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
import {
  CONNACK,
  CONNECT,
  PINGREQ,
  PUBLISH,
  SUBACK,
  SUBSCRIBE,
  UNSUBSCRIBE,
  type AckPacket,
  type ConnackPacket,
  type ConnectPacket,
  type EmptyPacket,
  type Packet,
  type PublishPacket,
  type SubackPacket,
  type SubscribePacket,
  type UnsubscribePacket,
} from "./packet";

// The packet's body (everything after the fixed header) is written by one function for every
// type, body(), run twice: with W null it only measures (and validates), then into one
// allocation of the exact size. One body and two writers instead of a function per type and
// field: every function costs the board RAM (docs/espruino.md), bytes in flash cost none.
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

// The fixed header's first byte for p: type and flags.
function first(p: Packet): number {
  const t = p.type;
  if (t === PUBLISH) return 48 | (p.dup ? 8 : 0) | (p.qos << 1) | (p.retain ? 1 : 0);
  // PUBREL, SUBSCRIBE and UNSUBSCRIBE carry flags 0010 (Table 2.2).
  return (t << 4) | (t === 6 || t === 8 || t === 10 ? 2 : 0);
}

// An unsigned number in n bytes (1 or 2), big-endian.
function wn(v: number, n: number): void {
  if (W) {
    if (n > 1) writeU16BE(W, O, v);
    else W[O] = v;
  }
  O += n;
}

// A string as UTF-8, or bytes; with a 16-bit length prefix unless raw (a PUBLISH payload,
// which may be a string: the client encodes it here, with no copy of its own). When writing a
// string, the prefix is filled in from what was written.
function wb(v: Bytes | string, raw?: boolean): void {
  if (typeof v === "string") {
    const k = raw ? 0 : 2;
    if (W) {
      const a = O + k;
      O = utf8Write(W, a, v);
      if (k) writeU16BE(W, a - 2, O - a);
    } else {
      const n = utf8Length(v);
      if (k && n > MAX_STRING_BYTES) fail(E_STRING_LENGTH);
      O += k + n;
    }
    return;
  }
  if (!raw) {
    if (v.length > MAX_STRING_BYTES) fail(E_STRING_LENGTH);
    wn(v.length, 2);
  }
  if (W) put(W, v, O);
  O += v.length;
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

function body(p: Packet): void {
  const t = p.type;
  if (t === CONNECT) {
    const w = p.will;
    const user = p.username !== undefined;
    const pass = p.password !== undefined;
    wb("MQTT");
    wn(4, 1);
    wn((user ? 128 : 0) | (pass ? 64 : 0) | (w ? 4 | (w.retain ? 32 : 0) | (w.qos << 3) : 0) | (p.clean ? 2 : 0), 1);
    wn(p.keepalive, 2);
    wb(p.clientId);
    if (w) {
      wb(w.topic);
      wb(w.payload);
    }
    if (user) wb(p.username as string);
    if (pass) wb(p.password as Bytes | string);
  } else if (t === CONNACK) {
    wn(p.sessionPresent ? 1 : 0, 1);
    wn(p.returnCode, 1);
  } else if (t === PUBLISH) {
    if (!W) {
      if (p.qos > 2) fail(E_QOS3);
      topic(p.topic);
    }
    wb(p.topic);
    if (p.qos) wn(p.id as number, 2);
    wb(p.payload, true);
  } else if (t === SUBSCRIBE || t === UNSUBSCRIBE) {
    wn(p.id, 2);
    const l = t === SUBSCRIBE ? p.subs : p.topics;
    for (let i = 0; i < l.length; i++) {
      const s = l[i];
      const f = typeof s === "string" ? s : s.topic;
      if (!W) {
        topic(f, true);
        if (typeof s !== "string" && s.qos > 2) fail(E_SUBSCRIBE_QOS);
      }
      wb(f);
      if (typeof s !== "string") wn(s.qos, 1);
    }
  } else if (t === SUBACK) {
    wn(p.id, 2);
    for (let i = 0; i < p.granted.length; i++) wn(p.granted[i], 1);
  } else if (t < PINGREQ) wn((p as AckPacket).id, 2); // PUBACK..PUBCOMP, UNSUBACK
  // PINGREQ, PINGRESP, DISCONNECT: no body
}

// Any packet, encoded as given: the board's client builds only well-formed packets, so only
// topics, QoS and field sizes are checked here; encode() checks everything a receiver would.
export function encodePacket(p: Packet): Bytes {
  W = null;
  O = 0;
  body(p);
  let rl = O;
  if (rl > MAX_REMAINING_LENGTH) fail(E_TOO_LARGE);
  const b = (W = mem(rl + (rl < 128 ? 2 : rl < 16384 ? 3 : rl < 2097152 ? 4 : 5)));
  b[0] = first(p);
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

export function encodeConnect(p: ConnectPacket): Bytes {
  return encodePacket(p);
}

export function encodePublish(p: PublishPacket): Bytes {
  return encodePacket(p);
}

// PUBACK, PUBREC, PUBREL (flags 0010), PUBCOMP, UNSUBACK.
export function encodeAck(type: number, id: number): Bytes {
  return encodePacket({ type: type, id: id } as AckPacket);
}

// PINGREQ, PINGRESP, DISCONNECT.
export function encodeEmpty(type: number): Bytes {
  return encodePacket({ type: type } as EmptyPacket);
}

export function encodeSubscribe(p: SubscribePacket): Bytes {
  return encodePacket(p);
}

export function encodeUnsubscribe(p: UnsubscribePacket): Bytes {
  return encodePacket(p);
}

export function encodeConnack(p: ConnackPacket): Bytes {
  return encodePacket(p);
}

export function encodeSuback(p: SubackPacket): Bytes {
  return encodePacket(p);
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
    return p.type === PUBLISH ? publishHost(p) : encodePacket(p);
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
