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

// Host speed: V8 gives every typed array over 64 bytes its own backing store (about 1 us
// each), so encode() cuts packets of up to 2 KB from 16 KB slabs, as Node's Buffer pool
// does. Packets are never written after they are returned, so sharing a slab is safe (a
// retained packet keeps its slab alive). Only encode(), which the board does not bundle, sets
// POOLED, so on the board the minifier folds mem() down to alloc().
let POOLED = false;
let SLAB: Bytes | null = null;
let SO = 0;

function mem(n: number): Bytes {
  if (!POOLED || n > 2048) return alloc(n);
  if (!SLAB || SO + n > 16384) {
    SLAB = alloc(16384);
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

// A string as UTF-8, or bytes; with a 16-bit length prefix unless raw (a PUBLISH payload).
// When writing a string, the prefix is filled in from what was written.
function wb(v: Bytes | string, raw?: boolean): void {
  if (typeof v === "string") {
    if (W) {
      const a = O + 2;
      O = utf8Write(W, a, v);
      writeU16BE(W, a - 2, O - a);
    } else {
      const n = utf8Length(v);
      if (n > MAX_STRING_BYTES) fail(E_STRING_LENGTH);
      O += 2 + n;
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
function topic(t: string, filter?: boolean): void {
  if (!t) fail(E_TOPIC_EMPTY);
  for (let i = 0; i < t.length; i++) {
    const c = t.charAt(i);
    const next = t.charAt(i + 1);
    if (c === "\0") fail(E_NUL);
    if (c === "+" || c === "#") {
      if (!filter) fail(E_TOPIC_WILDCARD);
      // a whole level: '/' or an end on either side; '#' only as the last level
      if ((i && t.charAt(i - 1) !== "/") || (next && (c === "#" || next !== "/"))) fail(c === "#" ? E_MULTI_LEVEL : E_SINGLE_LEVEL);
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
    if (pass) wb(p.password as Bytes);
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

// --- host-side checks: the rest of what the spec forbids a sender to put on the wire.
// (Lone surrogates need no check: utf8Write emits U+FFFD, so the bytes stay well-formed.)

function checkNul(s: string): void {
  if (s.indexOf("\0") >= 0) fail(E_NUL);
}

function checkId(id: number | undefined): void {
  if (!id || id > 65535) fail(E_PACKET_ID);
}

function checkQos(q: number, code: string): void {
  if (!(q === 0 || q === 1 || q === 2)) fail(code);
}

// Throws the ProtocolError a receiver would raise for p, if any, beyond the topic and QoS
// checks the per-type encoders make themselves.
export function check(p: Packet): void {
  switch (p.type) {
    case 1:
      checkNul(p.clientId);
      if (!p.clientId && !p.clean) fail(E_EMPTY_ID_CLEAN);
      if (p.password !== undefined && p.username === undefined) fail(E_PASSWORD_NO_USERNAME);
      if (p.username !== undefined) checkNul(p.username);
      if (p.will) {
        checkQos(p.will.qos, E_WILL_QOS);
        topic(p.will.topic);
      }
      return;
    case 2:
      if (!(p.returnCode >= 0 && p.returnCode <= 5) || (p.sessionPresent && p.returnCode)) fail(E_CONNACK_RESERVED);
      return;
    case 3:
      checkQos(p.qos, E_QOS3);
      if (p.qos) checkId(p.id);
      else if (p.dup) fail(E_DUP_QOS0);
      return;
    case 8:
      checkId(p.id);
      if (!p.subs.length) fail(E_SUBSCRIBE_EMPTY);
      for (let i = 0; i < p.subs.length; i++) checkQos(p.subs[i].qos, E_SUBSCRIBE_QOS);
      return;
    case 9:
      for (let i = 0; i < p.granted.length; i++) {
        const g = p.granted[i];
        if (g !== 0 && g !== 1 && g !== 2 && g !== 128) fail(E_SUBACK_CODE);
      }
      return;
    case 10:
      checkId(p.id);
      if (!p.topics.length) fail(E_UNSUBSCRIBE_EMPTY);
      return;
    case 4:
    case 5:
    case 6:
    case 7:
    case 11:
      if (!(p.id >= 0 && p.id <= 65535)) fail(E_PACKET_ID);
  }
}

// Any packet, checked, then encoded.
export function encode(p: Packet): Bytes {
  check(p);
  POOLED = true;
  try {
    return encodePacket(p);
  } finally {
    POOLED = false;
  }
}
