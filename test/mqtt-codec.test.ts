// The MQTT 3.1.1 codec against mqtt-packet as the oracle: every packet type both ways,
// 10,000 seeded random packets, streaming in every chunking, size limits, and the
// generator's own checks.
import mqttPacket from "mqtt-packet";
import { describe, expect, it } from "vitest";
import { describe as describeCode, ERROR_TEXT } from "../shared/error-text";
import * as C from "../shared/mqtt/constants";
import {
  check,
  encode,
  encodeAck,
  encodeConnect,
  encodeEmpty,
  encodePublish,
  encodeSubscribe,
  encodeUnsubscribe,
} from "../shared/mqtt/generator";
import type { Packet, PublishPacket } from "../shared/mqtt/packet";
import { ALL_DECODERS, CLIENT_DECODERS, MqttParser } from "../shared/mqtt/parser";
import { concatAll, fromTheirs, int, plain, prng, randomPacket, theirParse, toTheirs } from "./mqtt-codec-fixtures";
import { codeOf } from "./error-code";

const SEED = 0x5eed1;

function parseAll(b: Uint8Array, decoders = ALL_DECODERS): Packet[] {
  return new MqttParser(decoders).push(b);
}

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.length).toString("hex");
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

// Checks one packet both ways against mqtt-packet, and that both encodings are the same
// bytes. expect() only on a mismatch: it is too slow to call 50,000 times.
function bothWays(p: Packet): void {
  const want = plain(p);
  const ours = encode(p);
  const theirs = new Uint8Array(mqttPacket.generate(toTheirs(p)));
  if (hex(ours) !== hex(theirs)) expect(hex(ours), "same bytes as mqtt-packet").toBe(hex(theirs));
  const parsedByThem = theirParse(ours).map((m) => plain(fromTheirs(m)));
  if (!same(parsedByThem, [want])) expect(parsedByThem, "mqtt-packet parsing ours").toEqual([want]);
  const parsedByUs = parseAll(theirs).map(plain);
  if (!same(parsedByUs, [want])) expect(parsedByUs, "ours parsing mqtt-packet's").toEqual([want]);
}

const bin = (...xs: number[]) => new Uint8Array(xs);

const EXAMPLES: Packet[] = [
  { type: 1, clientId: "board-1", clean: true, keepalive: 60 },
  { type: 1, clientId: "", clean: true, keepalive: 0 },
  {
    type: 1,
    clientId: "émoji-😀",
    clean: false,
    keepalive: 65535,
    username: "user",
    password: bin(0, 1, 255),
    will: { topic: "pinwire/board/status", payload: bin(111, 102, 102), qos: 2, retain: true },
  },
  { type: 1, clientId: "u", clean: true, keepalive: 1, username: "", password: bin() },
  { type: 1, clientId: "w", clean: true, keepalive: 1, will: { topic: "w", payload: bin(), qos: 0, retain: false } },
  { type: 2, sessionPresent: false, returnCode: 0 },
  { type: 2, sessionPresent: true, returnCode: 0 },
  { type: 2, sessionPresent: false, returnCode: 5 },
  { type: 3, topic: "a", payload: bin(), qos: 0, retain: false, dup: false },
  { type: 3, topic: "a/b/c", payload: bin(1, 2, 3), qos: 1, retain: true, dup: true, id: 1 },
  { type: 3, topic: "ü/中/😀", payload: bin(0), qos: 2, retain: false, dup: false, id: 65535 },
  { type: 3, topic: "/", payload: bin(9), qos: 0, retain: true, dup: false },
  { type: 4, id: 1 },
  { type: 5, id: 256 },
  { type: 6, id: 65535 },
  { type: 7, id: 42 },
  { type: 8, id: 7, subs: [{ topic: "a/+/c", qos: 0 }] },
  {
    type: 8,
    id: 8,
    subs: [
      { topic: "#", qos: 2 },
      { topic: "+", qos: 1 },
      { topic: "a/#", qos: 0 },
      { topic: "+/+/+", qos: 2 },
      { topic: "/", qos: 1 },
    ],
  },
  { type: 9, id: 7, granted: [0, 1, 2, 128] },
  { type: 10, id: 9, topics: ["a/+/c", "#", "x"] },
  { type: 11, id: 9 },
  { type: 12 },
  { type: 13 },
  { type: 14 },
];

describe("MQTT codec against mqtt-packet", () => {
  it("every packet type round-trips both ways with identical bytes", () => {
    const seen = new Set<number>();
    for (const p of EXAMPLES) {
      bothWays(p);
      seen.add(p.type);
    }
    expect([...seen].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
  });

  it("10,000 seeded random packets round-trip both ways", () => {
    const r = prng(SEED);
    for (let i = 0; i < 10000; i++) {
      const p = randomPacket(r);
      try {
        bothWays(p);
      } catch (e) {
        throw new Error(`random packet #${i} (seed ${SEED}) ${JSON.stringify(plain(p))}: ${(e as Error).message}`);
      }
    }
  });

  it("remaining length uses 1 to 4 bytes at the boundaries", () => {
    // PUBLISH QoS 0, topic "t": remaining length = 3 + payload
    for (const [rl, headerBytes] of [
      [0x7f, 2],
      [0x80, 3],
      [0x3fff, 3],
      [0x4000, 4],
      [0x1fffff, 4],
      [0x200000, 5],
    ]) {
      const p: PublishPacket = { type: 3, topic: "t", payload: new Uint8Array(rl - 3).fill(7), qos: 0, retain: false, dup: false };
      const b = encode(p);
      expect(b.length).toBe(headerBytes + rl);
      expect(Buffer.from(b).equals(mqttPacket.generate(toTheirs(p)))).toBe(true);
      const back = parseAll(b)[0] as PublishPacket;
      expect(back.payload.length).toBe(rl - 3);
    }
  });

  it("the largest remaining length is read without allocating for it; one more is refused", () => {
    const parser = new MqttParser(ALL_DECODERS);
    // 268,435,455 = ff ff ff 7f: the parser keeps only what arrived
    expect(parser.push(bin(0x30, 0xff, 0xff, 0xff, 0x7f, 0, 1, 0x74))).toEqual([]);
    expect(codeOf(() => new MqttParser(ALL_DECODERS).push(bin(0x30, 0xff, 0xff, 0xff, 0xff)))).toBe(C.E_REMAINING_LENGTH);
    // ff ff ff 7f reads as exactly 268,435,455: a 268,435,460-byte packet with its 5-byte header
    const maxHeader = bin(0x30, 0xff, 0xff, 0xff, 0x7f);
    expect(new MqttParser(ALL_DECODERS, 268435460).push(maxHeader)).toEqual([]);
    expect(codeOf(() => new MqttParser(ALL_DECODERS, 268435459).push(maxHeader))).toBe(C.E_TOO_LARGE);
    // the generator: 268,435,455 is the limit (measured before anything is allocated)
    const huge = { length: C.MAX_REMAINING_LENGTH - 2 } as unknown as Uint8Array;
    expect(codeOf(() => encodePublish({ type: 3, topic: "t", payload: huge, qos: 0, retain: false, dup: false }))).toBe(C.E_TOO_LARGE);
  });

  it("maxPacketSize refuses a packet as soon as its fixed header says it is too big", () => {
    const ok = encode({ type: 3, topic: "t", payload: new Uint8Array(95), qos: 0, retain: false, dup: false });
    expect(ok.length).toBe(100);
    expect(new MqttParser(ALL_DECODERS, 100).push(ok)).toHaveLength(1);
    const parser = new MqttParser(ALL_DECODERS, 99);
    expect(parser.push(ok.subarray(0, 1))).toEqual([]);
    expect(codeOf(() => parser.push(ok.subarray(1, 2)))).toBe(C.E_TOO_LARGE);
    // a hostile 256 MB claim is refused from its 5 header bytes
    expect(codeOf(() => new MqttParser(CLIENT_DECODERS, 4096).push(bin(0x30, 0xff, 0xff, 0xff, 0x7f)))).toBe(C.E_TOO_LARGE);
  });

  it("a payload that arrives in one chunk is a view of it, not a copy", () => {
    const chunk = concatAll([encodeAck(4, 1), encodePublish({ type: 3, topic: "a", payload: bin(1, 2, 3), qos: 0, retain: false, dup: false })]);
    const [, p] = new MqttParser(CLIENT_DECODERS).push(chunk) as [Packet, PublishPacket];
    expect(p.payload.buffer).toBe(chunk.buffer);
    expect(p.payload.byteOffset).toBe(chunk.length - 3);
  });
});

describe("MQTT parser streaming", () => {
  const r = prng(SEED + 1);
  const packets: Packet[] = [];
  for (let i = 0; i < 10000; i++) packets.push(randomPacket(r));
  const wires = packets.map((p) => encode(p));
  const stream = concatAll(wires);
  const expected = packets.map(plain);

  function feed(chunks: (b: Uint8Array) => Uint8Array[]): unknown[] {
    const parser = new MqttParser(ALL_DECODERS);
    const out: unknown[] = [];
    for (const c of chunks(stream)) for (const p of parser.push(c)) out.push(plain(p));
    return out;
  }

  function expectAll(got: unknown[]): void {
    expect(got.length).toBe(expected.length);
    for (let i = 0; i < got.length; i++) if (!same(got[i], expected[i])) expect(got[i], "packet #" + i).toEqual(expected[i]);
  }

  it("all 10,000 coalesced in one buffer", () => {
    expectAll(feed((b) => [b]));
  });

  it("every packet fed byte by byte", () => {
    const parser = new MqttParser(ALL_DECODERS);
    let early = 0;
    for (let i = 0; i < wires.length; i++) {
      const w = wires[i];
      for (let k = 0; k < w.length - 1; k++) early += parser.push(w.subarray(k, k + 1)).length;
      const done = parser.push(w.subarray(w.length - 1)).map(plain);
      if (!same(done, [expected[i]])) expect(done, "packet #" + i).toEqual([expected[i]]);
    }
    expect(early).toBe(0);
  });

  it("random chunkings, split and coalesced across packet boundaries", () => {
    for (const seed of [1, 2, 3]) {
      const cr = prng(seed);
      const max = [7, 300, 5000][seed - 1];
      const got = feed((b) => {
        const chunks: Uint8Array[] = [];
        for (let i = 0; i < b.length; ) {
          const n = int(cr, 1, max);
          chunks.push(b.subarray(i, i + n));
          i += n;
        }
        return chunks;
      });
      expectAll(got);
    }
  });

  it("packets cut from copies survive the caller reusing nothing it pushed", () => {
    // chunks that are fresh copies each time (as sockets deliver them)
    const parser = new MqttParser(CLIENT_DECODERS);
    const p: PublishPacket = { type: 3, topic: "x/y", payload: new Uint8Array(3000).fill(5), qos: 1, retain: false, dup: false, id: 3 };
    const w = encode(p);
    const out: Packet[] = [];
    for (let i = 0; i < w.length; i += 1000) out.push(...parser.push(w.slice(i, i + 1000)));
    expect(out.map(plain)).toEqual([plain(p)]);
  });
});

describe("MQTT generator", () => {
  it("the board's per-type encoders match encode()", () => {
    const r = prng(SEED + 2);
    for (let i = 0; i < 500; i++) {
      const p = randomPacket(r);
      const direct =
        p.type === 1
          ? encodeConnect(p)
          : p.type === 3
            ? encodePublish(p)
            : p.type === 8
              ? encodeSubscribe(p)
              : p.type === 10
                ? encodeUnsubscribe(p)
                : p.type >= 12
                  ? encodeEmpty(p.type)
                  : p.type === 2 || p.type === 9
                    ? encode(p)
                    : encodeAck(p.type, (p as { id: number }).id);
      expect(Buffer.from(direct).equals(Buffer.from(encode(p)))).toBe(true);
    }
  });

  const pub = (o: Partial<PublishPacket>): PublishPacket => ({ type: 3, topic: "a", payload: bin(), qos: 0, retain: false, dup: false, ...o });

  it("the board's encoders refuse bad topics and QoS with the spec's code", () => {
    expect(codeOf(() => encodePublish(pub({ topic: "" })))).toBe("MQTT-4.7.3-1");
    expect(codeOf(() => encodePublish(pub({ topic: "a/+" })))).toBe("MQTT-3.3.2-2");
    expect(codeOf(() => encodePublish(pub({ topic: "#" })))).toBe("MQTT-3.3.2-2");
    expect(codeOf(() => encodePublish(pub({ topic: "a\0b" })))).toBe("MQTT-1.5.3-2");
    expect(codeOf(() => encodePublish(pub({ qos: 3, id: 1 })))).toBe("MQTT-3.3.1-4");
    const sub = (topic: string, qos = 0) => () => encodeSubscribe({ type: 8, id: 1, subs: [{ topic, qos }] });
    expect(codeOf(sub("a/#/b"))).toBe("MQTT-4.7.1-2");
    expect(codeOf(sub("a#"))).toBe("MQTT-4.7.1-2");
    expect(codeOf(sub("a/b+"))).toBe("MQTT-4.7.1-3");
    expect(codeOf(sub("+a"))).toBe("MQTT-4.7.1-3");
    expect(codeOf(sub(""))).toBe("MQTT-4.7.3-1");
    expect(codeOf(sub("a", 3))).toBe("MQTT-3-8.3-4");
    expect(codeOf(() => encodeUnsubscribe({ type: 10, id: 1, topics: ["a/#/"] }))).toBe("MQTT-4.7.1-2");
    expect(codeOf(() => encodePublish(pub({ topic: "x".repeat(65536) })))).toBe(C.E_STRING_LENGTH);
    expect(codeOf(() => encodeConnect({ type: 1, clientId: "c", clean: true, keepalive: 0, username: "u", password: new Uint8Array(65536) }))).toBe(
      C.E_STRING_LENGTH,
    );
    for (const t of ["#", "+", "+/+", "a/+/b", "/#", "a//#", "$SYS/#"]) expect(codeOf(sub(t))).toBe("no error");
  });

  it("encode() refuses what a receiver would refuse", () => {
    const cases: [Packet, string][] = [
      [pub({ qos: 1 }), "MQTT-2.3.1-1"],
      [pub({ qos: 1, id: 0 }), "MQTT-2.3.1-1"],
      [pub({ dup: true }), "MQTT-3.3.1-2"],
      [pub({ qos: 3, id: 1 }), "MQTT-3.3.1-4"],
      [pub({ topic: "+" }), "MQTT-3.3.2-2"],
      [{ type: 1, clientId: "", clean: false, keepalive: 0 }, "MQTT-3.1.3-7"],
      [{ type: 1, clientId: "c", clean: true, keepalive: 0, password: bin(1) }, "MQTT-3.1.2-22"],
      [{ type: 1, clientId: "c", clean: true, keepalive: 0, will: { topic: "w", payload: bin(), qos: 3, retain: false } }, "MQTT-3.1.2-14"],
      [{ type: 1, clientId: "c", clean: true, keepalive: 0, will: { topic: "w/#", payload: bin(), qos: 0, retain: false } }, "MQTT-3.3.2-2"],
      [{ type: 1, clientId: "c\0", clean: true, keepalive: 0 }, "MQTT-1.5.3-2"],
      [{ type: 2, sessionPresent: false, returnCode: 6 }, C.E_CONNACK_RESERVED],
      [{ type: 2, sessionPresent: true, returnCode: 1 }, C.E_CONNACK_RESERVED],
      [{ type: 8, id: 0, subs: [{ topic: "a", qos: 0 }] }, "MQTT-2.3.1-1"],
      [{ type: 8, id: 1, subs: [] }, "MQTT-3.8.3-3"],
      [{ type: 9, id: 1, granted: [3] }, "MQTT-3.9.3-2"],
      [{ type: 10, id: 0, topics: ["a"] }, "MQTT-2.3.1-1"],
      [{ type: 10, id: 1, topics: [] }, "MQTT-3.10.3-2"],
      [{ type: 4, id: 70000 }, "MQTT-2.3.1-1"],
    ];
    for (const [p, code] of cases) {
      expect(codeOf(() => encode(p)), JSON.stringify(plain(p))).toBe(code);
      expect(codeOf(() => check(p)) === code || codeOf(() => encode(p)) === code).toBe(true);
    }
  });

  it("encode() refuses fields of the wrong type or out of range", () => {
    const con = (o: object) => ({ type: 1, clientId: "c", clean: true, keepalive: 60, ...o }) as Packet;
    const cases: [unknown, string][] = [
      [con({ keepalive: 70000 }), C.E_KEEPALIVE],
      [con({ keepalive: 3.1416 }), C.E_KEEPALIVE],
      [con({ keepalive: -1 }), C.E_KEEPALIVE],
      [con({ keepalive: NaN }), C.E_KEEPALIVE],
      [con({ keepalive: "60" }), C.E_KEEPALIVE],
      [con({ keepalive: undefined }), C.E_KEEPALIVE],
      [con({ clientId: 7 }), C.E_FIELD_TYPE],
      [con({ username: 7 }), C.E_FIELD_TYPE],
      [con({ username: "u", password: "secret" }), C.E_FIELD_TYPE],
      [con({ will: { topic: "w", payload: 42, qos: 0, retain: false } }), C.E_FIELD_TYPE],
      [con({ will: { topic: 42, payload: bin(), qos: 0, retain: false } }), C.E_FIELD_TYPE],
      [pub({ qos: 1, id: "a" as unknown as number }), "MQTT-2.3.1-1"],
      [pub({ qos: 1, id: 1.5 }), "MQTT-2.3.1-1"],
      [pub({ qos: 1, id: 65536 }), "MQTT-2.3.1-1"],
      [pub({ payload: 42 as unknown as Uint8Array }), C.E_FIELD_TYPE],
      [pub({ payload: "text" as unknown as Uint8Array }), C.E_FIELD_TYPE],
      [pub({ topic: 5 as unknown as string }), C.E_FIELD_TYPE],
      [pub({ qos: 1.5 as number, id: 1 }), "MQTT-3.3.1-4"],
      [{ type: 10, id: 1, topics: [1, null] }, C.E_FIELD_TYPE],
      [{ type: 10, id: 1, topics: "a" }, C.E_FIELD_TYPE],
      [{ type: 8, id: 1, subs: [{ topic: 3, qos: 0 }] }, C.E_FIELD_TYPE],
      [{ type: 8, id: 1, subs: [null] }, C.E_FIELD_TYPE],
      [{ type: 8, id: 1, subs: null }, C.E_FIELD_TYPE],
      [{ type: 8, id: "1", subs: [{ topic: "a", qos: 0 }] }, "MQTT-2.3.1-1"],
      [{ type: 2, sessionPresent: false, returnCode: 2.5 }, C.E_CONNACK_RESERVED],
      [{ type: 4, id: 1.5 }, "MQTT-2.3.1-1"],
      [{ type: 4, id: "a" }, "MQTT-2.3.1-1"],
      [{ type: 9, id: 1, granted: 0 }, C.E_FIELD_TYPE],
      [{ type: 0 }, C.E_TYPE],
      [{ type: 15 }, C.E_TYPE],
      [null, C.E_FIELD_TYPE],
    ];
    for (const [p, code] of cases) expect(codeOf(() => encode(p as Packet)), JSON.stringify(p)).toBe(code);
  });

  it("a refused packet leaves the codec as it was: the calls after it give the right bytes", () => {
    const good: Packet[] = [
      { type: 4, id: 7 },
      { type: 12 },
      pub({ topic: "a/b", payload: bin(1, 2, 3) }),
      pub({ topic: "x", payload: new Uint8Array(300).fill(9), qos: 1, id: 300 }),
      { type: 8, id: 2, subs: [{ topic: "a/+", qos: 1 }] },
    ];
    const want = good.map((p) => hex(new Uint8Array(mqttPacket.generate(toTheirs(p)))));
    const bad: unknown[] = [
      { type: 1, clientId: "c", clean: true, keepalive: 0, will: { topic: "w", payload: 42, qos: 0, retain: false } },
      pub({ payload: 42 as unknown as Uint8Array }),
      pub({ qos: 1, id: "a" as unknown as number }),
      { type: 10, id: 1, topics: [undefined] },
    ];
    // Fill much of a slab first, so a bad call that took memory would shift what follows.
    for (let i = 0; i < 40; i++) encode(pub({ topic: "fill", payload: new Uint8Array(200) }));
    for (let round = 0; round < 200; round++) {
      for (const b of bad) expect(codeOf(() => encode(b as Packet))).not.toBe("no error");
      const got = good.map((p) => hex(encode(p)));
      expect(got).toEqual(want);
    }
  });

  it("lone surrogates are written as U+FFFD, so the bytes stay well-formed UTF-8", () => {
    const b = encode(pub({ topic: "a\ud800b" }));
    const back = parseAll(b)[0] as PublishPacket;
    expect(back.topic).toBe("a\ufffdb");
  });
});

describe("error text", () => {
  it("every code the codec throws has a sentence", () => {
    const codes = Object.entries(C)
      .filter(([k]) => k.startsWith("E_"))
      .map(([, v]) => v as string);
    expect(codes.length).toBeGreaterThan(30);
    for (const code of codes) {
      expect(ERROR_TEXT[code], code).toBeTypeOf("string");
      expect(describeCode(code)).not.toBe(code);
    }
    expect(describeCode("no-such-code")).toBe("no-such-code");
  });
});

describe("board bundle", () => {
  it("the codec as the client imports it leaves out server decoders and host checks", async () => {
    const { build } = await import("esbuild");
    const res = await build({
      entryPoints: ["bench/device-codec.ts"],
      bundle: true,
      write: false,
      minify: true,
      format: "iife",
      platform: "neutral",
      logLevel: "error",
    });
    const code = res.outputFiles[0].text;
    // client-side pieces are there...
    for (const kept of [C.E_SESSION_PRESENT, C.E_SUBACK_CODE, C.E_TOPIC_WILDCARD, C.E_REMAINING_LENGTH]) expect(code).toContain(kept);
    // ...CONNECT/SUBSCRIBE/UNSUBSCRIBE decoding and check() are not
    for (const dropped of [C.E_PROTOCOL_NAME, C.E_WILL_MISSING, C.E_SUBSCRIBE_EMPTY, C.E_UNSUBSCRIBE_EMPTY, C.E_EMPTY_ID_CLEAN, C.E_PASSWORD_NO_USERNAME])
      expect(code).not.toContain(dropped);
  });
});
