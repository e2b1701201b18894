// MQTT 3.1.1 packet encoders, one function per packet type so the board bundle keeps only
// the ones its client calls. Each computes the exact size first and writes into a single
// allocation through module state (W, O): no intermediate arrays, no per-packet closures.
//
// The per-type encoders trust their caller (the client state machine assigns packet ids
// and checks user input with shared/topic.ts); they refuse only what cannot be framed at
// all: fields over 65,535 bytes, packets over the remaining-length limit. encode() is the
// host's entry: it checks the packet against the spec first (check()), then encodes.
import { alloc, put, utf8Length, utf8Write, writeU16BE, type Bytes } from "../bytes";
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
  E_UTF8,
  E_WILL_QOS,
  MAX_REMAINING_LENGTH,
  MAX_STRING_BYTES,
  E_CONNACK_RESERVED,
  E_DUP_QOS0,
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

function pack<T>(h: number, body: (p: T) => void, p: T): Bytes {
  W = null;
  O = 0;
  body(p);
  let rl = O;
  if (rl > MAX_REMAINING_LENGTH) fail(E_TOO_LARGE);
  const b = (W = alloc(rl + (rl < 128 ? 2 : rl < 16384 ? 3 : rl < 2097152 ? 4 : 5)));
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
  wstr(p.topic);
  if (p.qos) w16(p.id as number);
  wraw(p.payload);
}

export function encodePublish(p: PublishPacket): Bytes {
  return pack(48 | (p.dup ? 8 : 0) | (p.qos << 1) | (p.retain ? 1 : 0), publish, p);
}

// PUBACK, PUBREC, PUBREL (flags 0010), PUBCOMP, UNSUBACK.
export function encodeAck(type: number, id: number): Bytes {
  const b = alloc(4);
  b[0] = (type << 4) | (type === 6 ? 2 : 0);
  b[1] = 2;
  writeU16BE(b, 2, id);
  return b;
}

// PINGREQ, PINGRESP, DISCONNECT.
export function encodeEmpty(type: number): Bytes {
  const b = alloc(2);
  b[0] = type << 4;
  return b;
}

function subscribe(p: SubscribePacket): void {
  const s = p.subs;
  w16(p.id);
  for (let i = 0; i < s.length; i++) {
    wstr(s[i].topic);
    w8(s[i].qos);
  }
}

export function encodeSubscribe(p: SubscribePacket): Bytes {
  return pack(0x82, subscribe, p);
}

function unsubscribe(p: UnsubscribePacket): void {
  w16(p.id);
  for (let i = 0; i < p.topics.length; i++) wstr(p.topics[i]);
}

export function encodeUnsubscribe(p: UnsubscribePacket): Bytes {
  return pack(0xa2, unsubscribe, p);
}

// --- server -> client packets the board never sends

export function encodeConnack(p: ConnackPacket): Bytes {
  const b = alloc(4);
  b[0] = 0x20;
  b[1] = 2;
  b[2] = p.sessionPresent ? 1 : 0;
  b[3] = p.returnCode;
  return b;
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

// --- host-side checks: what the spec forbids a sender to put on the wire

// A string field's text: no NUL, no lone surrogate (it could not be well-formed UTF-8).
function checkText(s: string): void {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!c) fail(E_NUL);
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = s.charCodeAt(i + 1);
      if (c > 0xdbff || !(d >= 0xdc00 && d <= 0xdfff)) fail(E_UTF8);
      i++;
    }
  }
}

function checkName(t: string): void {
  if (!t.length) fail(E_TOPIC_EMPTY);
  checkText(t);
  if (t.indexOf("+") >= 0 || t.indexOf("#") >= 0) fail(E_TOPIC_WILDCARD);
}

function checkFilter(f: string): void {
  const n = f.length;
  if (!n) fail(E_TOPIC_EMPTY);
  checkText(f);
  for (let i = 0; i < n; i++) {
    const c = f.charAt(i);
    if (c !== "+" && c !== "#") continue;
    const solo = (i === 0 || f.charAt(i - 1) === "/") && (i + 1 === n || f.charAt(i + 1) === "/");
    if (c === "#" && (!solo || i + 1 !== n)) fail(E_MULTI_LEVEL);
    if (!solo) fail(E_SINGLE_LEVEL);
  }
}

function checkId(id: number | undefined): void {
  if (!id || id > 65535) fail(E_PACKET_ID);
}

// Throws the ProtocolError a receiver would raise for p, if any.
export function check(p: Packet): void {
  switch (p.type) {
    case 1: {
      checkText(p.clientId);
      if (!p.clientId && !p.clean) fail(E_EMPTY_ID_CLEAN);
      if (p.password !== undefined && p.username === undefined) fail(E_PASSWORD_NO_USERNAME);
      if (p.username !== undefined) checkText(p.username);
      if (p.will) {
        if (!(p.will.qos >= 0 && p.will.qos <= 2)) fail(E_WILL_QOS);
        checkName(p.will.topic);
      }
      return;
    }
    case 2:
      if (!(p.returnCode >= 0 && p.returnCode <= 5)) fail(E_CONNACK_RESERVED);
      return;
    case 3:
      if (!(p.qos >= 0 && p.qos <= 2)) fail(E_QOS3);
      if (p.qos) checkId(p.id);
      else if (p.dup) fail(E_DUP_QOS0);
      checkName(p.topic);
      return;
    case 8:
      checkId(p.id);
      if (!p.subs.length) fail(E_SUBSCRIBE_EMPTY);
      for (let i = 0; i < p.subs.length; i++) {
        checkFilter(p.subs[i].topic);
        if (!(p.subs[i].qos >= 0 && p.subs[i].qos <= 2)) fail(E_SUBSCRIBE_QOS);
      }
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
      for (let i = 0; i < p.topics.length; i++) checkFilter(p.topics[i]);
      return;
  }
}

// Any packet, checked, then encoded.
export function encode(p: Packet): Bytes {
  check(p);
  switch (p.type) {
    case 1:
      return encodeConnect(p);
    case 2:
      return encodeConnack(p);
    case 3:
      return encodePublish(p);
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
