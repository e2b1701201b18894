// The corpus of malformed MQTT 3.1.1 input, one case per rule (and per way of breaking it):
// test/mqtt-malformed.test.ts feeds it to the parser, test/broker-conformance.test.ts sends it
// to the running embedded broker.
import * as C from "../shared/mqtt/constants";

type Part = number | number[];

function flat(parts: Part[]): number[] {
  const out: number[] = [];
  for (const p of parts) typeof p === "number" ? out.push(p) : out.push(...p);
  return out;
}

// A packet: first byte, remaining length computed, then the body parts.
export function frame(h: number, ...body: Part[]): Uint8Array {
  const b = flat(body);
  const rl: number[] = [];
  let n = b.length;
  do {
    const d = n & 127;
    n >>= 7;
    rl.push(n ? d | 128 : d);
  } while (n);
  return new Uint8Array([h, ...rl, ...b]);
}

// A length-prefixed string (UTF-8) or raw bytes.
export function s(x: string | number[]): number[] {
  const b = typeof x === "string" ? [...Buffer.from(x, "utf8")] : x;
  return [b.length >> 8, b.length & 255, ...b];
}

export const CONNECT_HEAD = [...s("MQTT"), 4];
export function connect(flags: number, ...payload: Part[]): Uint8Array {
  return frame(0x10, CONNECT_HEAD, flags, [0, 60], ...payload);
}

export interface Case {
  name: string;
  bytes: Uint8Array;
  code: string;
  client?: boolean; // parse with CLIENT_DECODERS (default ALL_DECODERS)
  max?: number;
}

export const CASES: Case[] = [
  // fixed header
  { name: "reserved type 0", bytes: new Uint8Array([0x00, 0]), code: C.E_TYPE },
  { name: "reserved type 15", bytes: new Uint8Array([0xf0, 0]), code: C.E_TYPE },
  { name: "client receives CONNECT", bytes: connect(2, s("c")), code: C.E_TYPE, client: true },
  { name: "client receives SUBSCRIBE", bytes: frame(0x82, [0, 1], s("a"), 0), code: C.E_TYPE, client: true },
  { name: "client receives UNSUBSCRIBE", bytes: frame(0xa2, [0, 1], s("a")), code: C.E_TYPE, client: true },
  { name: "client receives PINGREQ", bytes: frame(0xc0), code: C.E_TYPE, client: true },
  { name: "client receives DISCONNECT", bytes: frame(0xe0), code: C.E_TYPE, client: true },
  { name: "CONNECT flags 0001", bytes: frame(0x11, CONNECT_HEAD, 2, [0, 60], s("c")), code: "MQTT-2.2.2-2" },
  { name: "CONNACK flags 0001", bytes: frame(0x21, 0, 0), code: "MQTT-2.2.2-2", client: true },
  { name: "PUBACK flags 0010", bytes: frame(0x42, 0, 1), code: "MQTT-2.2.2-2", client: true },
  { name: "PUBREC flags 0001", bytes: frame(0x51, 0, 1), code: "MQTT-2.2.2-2", client: true },
  { name: "PUBREL flags 0000", bytes: frame(0x60, 0, 1), code: "MQTT-2.2.2-2", client: true },
  { name: "PUBREL flags 0011", bytes: frame(0x63, 0, 1), code: "MQTT-2.2.2-2", client: true },
  { name: "PUBCOMP flags 1111", bytes: frame(0x7f, 0, 1), code: "MQTT-2.2.2-2", client: true },
  { name: "SUBSCRIBE flags 0000", bytes: frame(0x80, [0, 1], s("a"), 0), code: "MQTT-2.2.2-2" },
  { name: "SUBACK flags 0010", bytes: frame(0x92, [0, 1], 0), code: "MQTT-2.2.2-2", client: true },
  { name: "UNSUBSCRIBE flags 0000", bytes: frame(0xa0, [0, 1], s("a")), code: "MQTT-2.2.2-2" },
  { name: "UNSUBACK flags 0010", bytes: frame(0xb2, 0, 1), code: "MQTT-2.2.2-2", client: true },
  { name: "PINGREQ flags 0001", bytes: frame(0xc1), code: "MQTT-2.2.2-2" },
  { name: "PINGRESP flags 0100", bytes: frame(0xd4), code: "MQTT-2.2.2-2", client: true },
  { name: "DISCONNECT flags 1000", bytes: frame(0xe8), code: "MQTT-2.2.2-2" },
  { name: "PUBLISH QoS 3", bytes: frame(0x36, s("a"), [0, 1]), code: "MQTT-3.3.1-4", client: true },
  { name: "PUBLISH QoS 3, all flags", bytes: frame(0x3f, s("a"), [0, 1]), code: "MQTT-3.3.1-4", client: true },
  { name: "remaining length of 5 bytes", bytes: new Uint8Array([0x30, 0x80, 0x80, 0x80, 0x80, 0x01]), code: C.E_REMAINING_LENGTH, client: true },
  { name: "over maxPacketSize", bytes: frame(0x30, s("a"), new Array(100).fill(0)), code: C.E_TOO_LARGE, client: true, max: 64 },

  // lengths that disagree with the contents
  { name: "CONNACK of 3 bytes", bytes: frame(0x20, 0, 0, 0), code: C.E_LENGTH, client: true },
  { name: "CONNACK of 1 byte", bytes: frame(0x20, 0), code: C.E_LENGTH, client: true },
  { name: "PUBACK of 3 bytes", bytes: frame(0x40, 0, 1, 0), code: C.E_LENGTH, client: true },
  { name: "PUBREC of 1 byte", bytes: frame(0x50, 1), code: C.E_LENGTH, client: true },
  { name: "PUBCOMP of 0 bytes", bytes: frame(0x70), code: C.E_LENGTH, client: true },
  { name: "UNSUBACK of 3 bytes", bytes: frame(0xb0, 0, 1, 0), code: C.E_LENGTH, client: true },
  { name: "PINGRESP with a body", bytes: frame(0xd0, 0), code: C.E_LENGTH, client: true },
  { name: "PINGREQ with a body", bytes: frame(0xc0, 0), code: C.E_LENGTH },
  { name: "DISCONNECT with a body", bytes: frame(0xe0, 0), code: C.E_LENGTH },
  { name: "PUBLISH of 1 byte", bytes: frame(0x30, 0), code: C.E_LENGTH, client: true },
  { name: "PUBLISH topic longer than the packet", bytes: frame(0x30, [0, 5], 0x61), code: C.E_LENGTH, client: true },
  { name: "PUBLISH QoS 1 without packet id", bytes: frame(0x32, s("a")), code: C.E_LENGTH, client: true },
  { name: "PUBLISH QoS 2 with half a packet id", bytes: frame(0x34, s("a"), 0), code: C.E_LENGTH, client: true },
  { name: "SUBACK without return codes", bytes: frame(0x90, [0, 1]), code: C.E_LENGTH, client: true },
  { name: "SUBACK without packet id", bytes: frame(0x90, 0), code: C.E_LENGTH, client: true },
  { name: "SUBSCRIBE filter without QoS byte", bytes: frame(0x82, [0, 1], s("a")), code: C.E_LENGTH },
  { name: "SUBSCRIBE filter longer than the packet", bytes: frame(0x82, [0, 1], [0, 9], 0x61, 0), code: C.E_LENGTH },
  { name: "UNSUBSCRIBE half a length", bytes: frame(0xa2, [0, 1], 0), code: C.E_LENGTH },
  { name: "CONNECT cut after the protocol name", bytes: frame(0x10, s("MQTT")), code: C.E_LENGTH },
  { name: "CONNECT cut after the level", bytes: frame(0x10, CONNECT_HEAD), code: C.E_LENGTH },
  { name: "CONNECT cut in the keepalive", bytes: frame(0x10, CONNECT_HEAD, 2, 0), code: C.E_LENGTH },
  { name: "CONNECT client id longer than the packet", bytes: connect(2, [0, 9], 0x61), code: C.E_LENGTH },
  { name: "CONNECT will message longer than the packet", bytes: connect(6, s("c"), s("w"), [0, 9]), code: C.E_LENGTH },
  { name: "CONNECT bytes after the password", bytes: connect(0xc2, s("c"), s("u"), s([1]), 0), code: C.E_LENGTH },
  { name: "empty packet", bytes: frame(0x10), code: C.E_LENGTH },

  // PUBLISH
  { name: "DUP on QoS 0", bytes: frame(0x38, s("a")), code: "MQTT-3.3.1-2", client: true },
  { name: "empty topic", bytes: frame(0x30, s("")), code: "MQTT-4.7.3-1", client: true },
  { name: "'+' in a topic name", bytes: frame(0x30, s("a/+")), code: "MQTT-3.3.2-2", client: true },
  { name: "'#' in a topic name", bytes: frame(0x32, s("#"), [0, 1]), code: "MQTT-3.3.2-2", client: true },
  { name: "NUL in a topic name", bytes: frame(0x30, s([0x61, 0, 0x62])), code: "MQTT-1.5.3-2", client: true },
  { name: "NUL after a non-ASCII char", bytes: frame(0x30, s([0xc3, 0xa9, 0])), code: "MQTT-1.5.3-2", client: true },
  { name: "truncated 2-byte UTF-8", bytes: frame(0x30, s([0x61, 0xc3])), code: "MQTT-1.5.3-1", client: true },
  { name: "overlong NUL (C0 80)", bytes: frame(0x30, s([0xc0, 0x80])), code: "MQTT-1.5.3-1", client: true },
  { name: "overlong '/' (E0 80 AF)", bytes: frame(0x30, s([0xe0, 0x80, 0xaf])), code: "MQTT-1.5.3-1", client: true },
  { name: "UTF-16 surrogate (ED A0 80)", bytes: frame(0x30, s([0xed, 0xa0, 0x80])), code: "MQTT-1.5.3-1", client: true },
  { name: "above U+10FFFF (F4 90 80 80)", bytes: frame(0x30, s([0xf4, 0x90, 0x80, 0x80])), code: "MQTT-1.5.3-1", client: true },
  { name: "lone continuation byte", bytes: frame(0x30, s([0x80])), code: "MQTT-1.5.3-1", client: true },
  { name: "byte FF", bytes: frame(0x30, s([0x61, 0xff])), code: "MQTT-1.5.3-1", client: true },
  { name: "QoS 1 packet id 0", bytes: frame(0x32, s("a"), [0, 0], 1), code: "MQTT-2.3.1-1", client: true },
  { name: "QoS 2 packet id 0", bytes: frame(0x34, s("a"), [0, 0]), code: "MQTT-2.3.1-1", client: true },

  // CONNACK, SUBACK
  { name: "CONNACK flags bit 1", bytes: frame(0x20, 2, 0), code: C.E_CONNACK_RESERVED, client: true },
  { name: "CONNACK return code 6", bytes: frame(0x20, 0, 6), code: C.E_CONNACK_RESERVED, client: true },
  { name: "CONNACK refusal with session present", bytes: frame(0x20, 1, 4), code: "MQTT-3.2.2-4", client: true },
  { name: "SUBACK return code 3", bytes: frame(0x90, [0, 1], 0, 3), code: "MQTT-3.9.3-2", client: true },
  { name: "SUBACK return code 0x81", bytes: frame(0x90, [0, 1], 0x81), code: "MQTT-3.9.3-2", client: true },

  // CONNECT
  { name: "protocol name MQIsdp", bytes: frame(0x10, s("MQIsdp"), 3, 2, [0, 60], s("c")), code: "MQTT-3.1.2-1" },
  { name: "protocol name mqtt", bytes: frame(0x10, s("mqtt"), 4, 2, [0, 60], s("c")), code: "MQTT-3.1.2-1" },
  { name: "protocol level 3", bytes: frame(0x10, s("MQTT"), 3, 2, [0, 60], s("c")), code: "MQTT-3.1.2-2" },
  { name: "protocol level 5", bytes: frame(0x10, s("MQTT"), 5, 2, [0, 60], 0, s("c")), code: "MQTT-3.1.2-2" },
  { name: "reserved connect flag", bytes: connect(3, s("c")), code: "MQTT-3.1.2-3" },
  { name: "will QoS without will flag", bytes: connect(0x0a, s("c")), code: "MQTT-3.1.2-13" },
  { name: "will retain without will flag", bytes: connect(0x22, s("c")), code: "MQTT-3.1.2-15" },
  { name: "will QoS 3", bytes: connect(0x1e, s("c"), s("w"), s("m")), code: "MQTT-3.1.2-14" },
  { name: "password without user name", bytes: connect(0x42, s("c"), s([1])), code: "MQTT-3.1.2-22" },
  { name: "will flag, no will topic", bytes: connect(0x06, s("c")), code: "MQTT-3.1.2-9" },
  { name: "will flag, no will message", bytes: connect(0x06, s("c"), s("w")), code: "MQTT-3.1.2-9" },
  { name: "user name flag, no user name", bytes: connect(0x82, s("c")), code: "MQTT-3.1.2-19" },
  { name: "password flag, no password", bytes: connect(0xc2, s("c"), s("u")), code: "MQTT-3.1.2-21" },
  { name: "will topic without will flag", bytes: connect(0x02, s("c"), s("w"), s("m")), code: "MQTT-3.1.2-11" },
  { name: "user name without its flag", bytes: connect(0x06, s("c"), s("w"), s("m"), s("u")), code: "MQTT-3.1.2-18" },
  { name: "password without its flag", bytes: connect(0x82, s("c"), s("u"), s([1])), code: "MQTT-3.1.2-20" },
  { name: "no client identifier", bytes: frame(0x10, CONNECT_HEAD, 2, [0, 60]), code: "MQTT-3.1.3-3" },
  { name: "empty client id, CleanSession 0", bytes: connect(0, s("")), code: "MQTT-3.1.3-8" },
  { name: "will topic with a wildcard", bytes: connect(0x06, s("c"), s("w/#"), s("m")), code: "MQTT-3.3.2-2" },
  { name: "empty will topic", bytes: connect(0x06, s("c"), s(""), s("m")), code: "MQTT-4.7.3-1" },
  { name: "client id not UTF-8", bytes: connect(2, s([0xfe])), code: "MQTT-1.5.3-1" },
  { name: "user name with NUL", bytes: connect(0x82, s("c"), s([0x75, 0])), code: "MQTT-1.5.3-2" },

  // SUBSCRIBE, UNSUBSCRIBE
  { name: "SUBSCRIBE without filters", bytes: frame(0x82, [0, 1]), code: "MQTT-3.8.3-3" },
  { name: "SUBSCRIBE packet id 0", bytes: frame(0x82, [0, 0], s("a"), 0), code: "MQTT-2.3.1-1" },
  { name: "SUBSCRIBE QoS 3", bytes: frame(0x82, [0, 1], s("a"), 3), code: "MQTT-3-8.3-4" },
  { name: "SUBSCRIBE reserved bit 2", bytes: frame(0x82, [0, 1], s("a"), 4), code: "MQTT-3-8.3-4" },
  { name: "SUBSCRIBE reserved bit 7", bytes: frame(0x82, [0, 1], s("a"), 0, s("b"), 0x81), code: "MQTT-3-8.3-4" },
  { name: "'#' not last", bytes: frame(0x82, [0, 1], s("a/#/b"), 0), code: "MQTT-4.7.1-2" },
  { name: "'#' inside a level", bytes: frame(0x82, [0, 1], s("a#"), 0), code: "MQTT-4.7.1-2" },
  { name: "'+' after a char", bytes: frame(0x82, [0, 1], s("a/b+"), 0), code: "MQTT-4.7.1-3" },
  { name: "'+' before a char", bytes: frame(0x82, [0, 1], s("+a/b"), 0), code: "MQTT-4.7.1-3" },
  { name: "empty filter", bytes: frame(0x82, [0, 1], s(""), 0), code: "MQTT-4.7.3-1" },
  { name: "NUL in a filter", bytes: frame(0x82, [0, 1], s([0x61, 0]), 0), code: "MQTT-1.5.3-2" },
  { name: "filter not UTF-8", bytes: frame(0x82, [0, 1], s([0xc3, 0x28]), 0), code: "MQTT-1.5.3-1" },
  { name: "UNSUBSCRIBE without filters", bytes: frame(0xa2, [0, 1]), code: "MQTT-3.10.3-2" },
  { name: "UNSUBSCRIBE packet id 0", bytes: frame(0xa2, [0, 0], s("a")), code: "MQTT-2.3.1-1" },
  { name: "UNSUBSCRIBE '+' inside a level", bytes: frame(0xa2, [0, 1], s("a"), s("x+/y")), code: "MQTT-4.7.1-3" },
  { name: "UNSUBSCRIBE empty filter", bytes: frame(0xa2, [0, 1], s("")), code: "MQTT-4.7.3-1" },
];
