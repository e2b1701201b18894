// The frame encoder and the streaming receiver against the `ws` package's own Sender and
// Receiver, a corpus of malformed frames with the code each must raise, and a fuzz run.
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as wsLib from "ws";
import type { Bytes } from "../shared/bytes";
import { describe as describeCode } from "../shared/error-text";
import { isProtocolError, ProtocolError } from "../shared/errors";
import { encodeFragments, encodeFrame } from "../shared/ws/frame";
import { closeCodeOf, createReceiver, validCloseCode } from "../shared/ws/receiver";

// ws exports its Sender and Receiver at run time; @types/ws does not declare them.
const { Receiver, Sender } = wsLib as unknown as {
  Receiver: new (o: { isServer: boolean; maxPayload: number }) => import("node:stream").Writable;
  Sender: { frame(data: Buffer, o: object): Buffer[] };
};

type Got = [number, Buffer];

// [opcode, length, digest]: vitest compares big buffers element by element, which is slow.
const sum = (g: Got[]) => g.map(([op, b]) => [op, b.length, createHash("sha1").update(b).digest("hex")]);

// Everything our receiver delivers, as [opcode, payload].
function decode(chunks: Uint8Array[], opts: { max?: number; server?: boolean } = {}): Got[] {
  const got: Got[] = [];
  const push = createReceiver((op, d) => got.push([op, Buffer.from(d)]), opts.max, opts.server);
  for (const c of chunks) push(c);
  return got;
}

function errorOf(chunks: Uint8Array[], opts: { max?: number; server?: boolean } = {}): ProtocolError {
  try {
    decode(chunks, opts);
  } catch (e) {
    if (isProtocolError(e)) return e;
    throw e;
  }
  throw new Error("no error");
}

// ws's encoder: one frame as a single buffer. Sender.frame masks its input in place: give it a copy.
function wsFrame(data: Uint8Array, opcode: number, o: { fin?: boolean; mask?: boolean; rsv1?: boolean } = {}): Buffer {
  return Buffer.concat(Sender.frame(Buffer.from(data), { fin: o.fin ?? true, opcode, mask: o.mask ?? false, readOnly: false, rsv1: o.rsv1 ?? false }));
}

// ws's decoder: what it emits for our bytes, as [opcode, payload] (close: [8, code(2) + reason]).
function wsDecode(bytes: Uint8Array, isServer: boolean): Promise<Got[]> {
  const r = new Receiver({ isServer, maxPayload: 0 });
  const got: Got[] = [];
  r.on("message", (d: Buffer, binary: boolean) => got.push([binary ? 2 : 1, Buffer.from(d)]));
  r.on("ping", (d: Buffer) => got.push([9, Buffer.from(d)]));
  r.on("pong", (d: Buffer) => got.push([10, Buffer.from(d)]));
  r.on("conclude", (code: number, reason: Buffer) => {
    const b = Buffer.alloc(2 + reason.length);
    b.writeUInt16BE(code, 0);
    reason.copy(b, 2);
    got.push([8, b]);
  });
  return new Promise((resolve, reject) => {
    r.on("error", reject);
    r.write(Buffer.from(bytes), (err?: Error | null) => (err ? reject(err) : resolve(got)));
  });
}

const key = () => new Uint8Array(randomBytes(4));
const SIZES = [0, 1, 125, 126, 127, 65535, 65536, 70000];

describe("frame encoder, checked by ws's Receiver", () => {
  for (const n of SIZES) {
    it(`masked binary frame of ${n} bytes (client role)`, async () => {
      const data = randomBytes(n);
      const f = encodeFrame(2, data, key());
      // Header size follows the 7 / 16 / 64-bit length rule, plus 4 mask bytes.
      expect(f.length).toBe(n + 4 + (n < 126 ? 2 : n < 65536 ? 4 : 10));
      expect(sum(await wsDecode(f, true))).toEqual(sum([[2, data]]));
    });
  }

  it("unmasked frames (server role), text, ping, pong and close", async () => {
    const close = Buffer.from([0x03, 0xe8, 0x62, 0x79, 0x65]); // 1000 "bye"
    const bytes = Buffer.concat([
      encodeFrame(1, Buffer.from("h\u00e9llo")),
      encodeFrame(9, Buffer.from("p")),
      encodeFrame(10, Buffer.from("q")),
      encodeFrame(2, Buffer.alloc(70000, 7)),
      encodeFrame(8, close),
    ]);
    const got = await wsDecode(bytes, false);
    expect(got.map((g) => g[0])).toEqual([1, 9, 10, 2, 8]);
    expect(got[0][1].toString()).toBe("h\u00e9llo");
    expect(got[3][1].equals(Buffer.alloc(70000, 7))).toBe(true);
    expect(got[4][1]).toEqual(close);
  });

  it("fragments reassemble in ws, with a ping between them", async () => {
    const data = randomBytes(1000);
    const frames = encodeFragments(2, data, 300, key);
    expect(frames.length).toBe(4);
    expect(frames.map((f) => [f[0] & 0x80, f[0] & 15])).toEqual([
      [0, 2],
      [0, 0],
      [0, 0],
      [0x80, 0],
    ]);
    frames.splice(2, 0, encodeFrame(9, Buffer.from("mid"), key()));
    const got = await wsDecode(Buffer.concat(frames), true);
    expect(got).toEqual([
      [9, Buffer.from("mid")],
      [2, data],
    ]);
  });

});

describe("receiver, fed by ws's Sender", () => {
  for (const n of SIZES) {
    it(`binary message of ${n} bytes, unmasked (client role) and masked (server role)`, () => {
      const data = randomBytes(n);
      expect(sum(decode([wsFrame(data, 2)]))).toEqual(sum([[2, data]]));
      expect(sum(decode([wsFrame(data, 2, { mask: true })], { server: true }))).toEqual(sum([[2, data]]));
    });
  }

  it("every split point of a stream of frames gives the same messages", () => {
    const parts = [
      wsFrame(Buffer.from("ab"), 1, { fin: false }),
      wsFrame(Buffer.from("c"), 9),
      wsFrame(Buffer.from("d\u00e9"), 0),
      wsFrame(randomBytes(300), 2),
      wsFrame(Buffer.alloc(0), 2),
      wsFrame(Buffer.from([0x0f, 0xa0, 0x78]), 8),
    ];
    const all = Buffer.concat(parts);
    const whole = decode([all]);
    expect(whole.map((g) => g[0])).toEqual([9, 1, 2, 2, 8]);
    expect(whole[1][1].toString()).toBe("abd\u00e9");
    const want = sum(whole);
    for (let i = 0; i <= all.length; i++) expect(sum(decode([all.subarray(0, i), all.subarray(i)]))).toEqual(want);
    // One byte at a time.
    expect(sum(decode([...all].map((b) => Uint8Array.of(b))))).toEqual(want);
  });

  it("fragmented binary message with control frames interleaved", () => {
    const a = randomBytes(200);
    const b = randomBytes(70000);
    const got = decode([
      wsFrame(a, 2, { fin: false }),
      wsFrame(Buffer.from("x"), 9),
      wsFrame(b, 0, { fin: false }),
      wsFrame(Buffer.alloc(0), 10),
      wsFrame(Buffer.alloc(0), 0),
    ]);
    expect(sum(got)).toEqual(
      sum([
        [9, Buffer.from("x")],
        [10, Buffer.alloc(0)],
        [2, Buffer.concat([a, b])],
      ]),
    );
  });

  it("a close frame without a body, and with code and UTF-8 reason", () => {
    expect(decode([wsFrame(Buffer.alloc(0), 8)])).toEqual([[8, Buffer.alloc(0)]]);
    const body = Buffer.concat([Buffer.from([0x0b, 0xb8]), Buffer.from("\u00fcber")]); // 3000
    expect(decode([wsFrame(body, 8)])).toEqual([[8, body]]);
  });

  it("maxSize: a message just at the limit passes, one byte more fails before allocating", () => {
    expect(decode([wsFrame(Buffer.alloc(100), 2)], { max: 100 })[0][1].length).toBe(100);
    expect(errorOf([wsFrame(Buffer.alloc(101), 2)], { max: 100 }).code).toBe("WS-10.4-size");
    // Fragments count together.
    expect(errorOf([wsFrame(Buffer.alloc(60), 2, { fin: false }), wsFrame(Buffer.alloc(41), 0)], { max: 100 }).code).toBe("WS-10.4-size");
    // Only the header is sent: the limit is applied before any payload arrives.
    expect(errorOf([Uint8Array.of(0x82, 127, 0, 0, 0, 1, 0, 0, 0, 0)], { max: 1 << 20 }).code).toBe("WS-10.4-size");
  });

  it("closeCodeOf and validCloseCode", () => {
    expect(closeCodeOf("WS-10.4-size")).toBe(1009);
    expect(closeCodeOf("WS-8.1-utf8")).toBe(1007);
    expect(closeCodeOf("WS-5.5.1-utf8")).toBe(1007);
    expect(closeCodeOf("WS-5.2-rsv")).toBe(1002);
    const valid = [];
    for (let c = 0; c < 6000; c++) if (validCloseCode(c)) valid.push(c);
    expect(valid.length).toBe(12 + 2000);
    for (const c of [999, 1004, 1005, 1006, 1015, 2999, 5000]) expect(validCloseCode(c)).toBe(false);
  });
});

// [name, bytes, expected code, receiver options]
const h = (...b: number[]) => Uint8Array.from(b);
const CORPUS: [string, Uint8Array, string, { server?: boolean; max?: number }?][] = [
  ["RSV1 set without an extension", h(0xc2, 0), "WS-5.2-rsv"],
  ["RSV2 set", h(0xa2, 0), "WS-5.2-rsv"],
  ["RSV3 set", h(0x92, 0), "WS-5.2-rsv"],
  ["reserved data opcode 3", h(0x83, 0), "WS-5.2-opcode"],
  ["reserved data opcode 7", h(0x87, 0), "WS-5.2-opcode"],
  ["reserved control opcode 11", h(0x8b, 0), "WS-5.2-opcode"],
  ["reserved control opcode 15", h(0x8f, 0), "WS-5.2-opcode"],
  ["fragmented ping", h(0x09, 0), "WS-5.5-fragmented"],
  ["fragmented close", h(0x08, 0), "WS-5.5-fragmented"],
  ["ping of 126 bytes (16-bit length form)", h(0x89, 126, 0, 126), "WS-5.5-length"],
  ["pong with a 64-bit length", h(0x8a, 127, 0, 0, 0, 0, 0, 0, 0, 1), "WS-5.5-length"],
  ["continuation without a start", h(0x80, 0), "WS-5.4-continuation"],
  ["non-final continuation without a start", h(0x00, 0), "WS-5.4-continuation"],
  ["new text message inside a fragmented one", h(0x02, 1, 0x61, 0x81, 0), "WS-5.4-interleaved"],
  ["new binary message inside a fragmented one", h(0x01, 0, 0x82, 0), "WS-5.4-interleaved"],
  ["masked frame from the server", h(0x82, 0x80, 1, 2, 3, 4), "WS-5.1-masked"],
  ["unmasked frame from the client", h(0x82, 0), "WS-5.1-unmasked", { server: true }],
  ["64-bit length with its top bit set", h(0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 0), "WS-5.2-length"],
  ["64-bit length past 2^53", h(0x82, 127, 0, 0x20, 0, 0, 0, 0, 0, 0), "WS-10.4-size"],
  ["64-bit length of 2^63 - 1", h(0x82, 127, 0x7f, 255, 255, 255, 255, 255, 255, 255), "WS-10.4-size"],
  ["message over maxSize", h(0x82, 126, 1, 0), "WS-10.4-size", { max: 255 }],
  ["close with a 1-byte body", h(0x88, 1, 3), "WS-5.5.1-length"],
  ["close code 999", h(0x88, 2, 0x03, 0xe7), "WS-7.4-code"],
  ["close code 1004", h(0x88, 2, 0x03, 0xec), "WS-7.4-code"],
  ["close code 1005 (reserved)", h(0x88, 2, 0x03, 0xed), "WS-7.4-code"],
  ["close code 1006 (reserved)", h(0x88, 2, 0x03, 0xee), "WS-7.4-code"],
  ["close code 1015 (reserved)", h(0x88, 2, 0x03, 0xf7), "WS-7.4-code"],
  ["close code 2000", h(0x88, 2, 0x07, 0xd0), "WS-7.4-code"],
  ["close code 5000", h(0x88, 2, 0x13, 0x88), "WS-7.4-code"],
  ["close reason with a lone continuation byte", h(0x88, 3, 0x03, 0xe8, 0x80), "WS-5.5.1-utf8"],
  ["text with an overlong encoding", h(0x81, 2, 0xc0, 0xaf), "WS-8.1-utf8"],
  ["text with a surrogate (CESU-8)", h(0x81, 3, 0xed, 0xa0, 0x80), "WS-8.1-utf8"],
  ["text with a code point past U+10FFFF", h(0x81, 4, 0xf4, 0x90, 0x80, 0x80), "WS-8.1-utf8"],
  ["text truncated mid-character", h(0x81, 1, 0xe2), "WS-8.1-utf8"],
  ["fragmented text invalid only once joined", h(0x01, 1, 0xe2, 0x80, 1, 0x28), "WS-8.1-utf8"],
];

describe("malformed-frame corpus", () => {
  for (const [name, bytes, code, opts] of CORPUS) {
    it(`${name}: ${code}, close ${closeCodeOf(code)}`, () => {
      expect(errorOf([bytes], opts).code).toBe(code);
      // The same in one-byte chunks: the error does not depend on how the bytes arrive.
      expect(errorOf([...bytes].map((b) => Uint8Array.of(b)), opts).code).toBe(code);
    });
  }

  it("ws's own Receiver rejects every one of them too (the corpus is not just our reading)", async () => {
    for (const [name, bytes, , opts] of CORPUS) {
      if (opts?.max) continue; // our configured limit; ws runs unlimited here
      await expect(wsDecode(bytes, !!opts?.server), name).rejects.toBeInstanceOf(Error).catch((e) => { throw new Error(name + ": " + e.message); });
    }
  });
});

describe("fuzz", () => {
  it("100,000 random and mutated inputs raise only ProtocolError and always return", () => {
    // A deterministic generator so that a failure can be replayed.
    let seed = 0x2545f491;
    const rnd = (n: number) => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const valid = Buffer.concat([
      wsFrame(Buffer.from("hello"), 1, { fin: false }),
      wsFrame(Buffer.from("x"), 9),
      wsFrame(Buffer.from(" world"), 0),
      wsFrame(randomBytes(200), 2),
      wsFrame(Buffer.from([0x03, 0xe8, 0x6f, 0x6b]), 8),
    ]);
    const validMasked = Buffer.concat([wsFrame(randomBytes(130), 2, { mask: true }), wsFrame(Buffer.from("hi"), 1, { mask: true })]);
    const codes = new Map<string, number>();
    let delivered = 0;
    const t0 = Date.now();
    for (let run = 0; run < 100000; run++) {
      const server = run % 4 === 3;
      let input: Uint8Array;
      if (run % 3 === 0) {
        input = new Uint8Array(1 + rnd(40));
        for (let i = 0; i < input.length; i++) input[i] = rnd(256);
      } else {
        input = Uint8Array.from(server ? validMasked : valid);
        const flips = 1 + rnd(4);
        for (let f = 0; f < flips; f++) input[rnd(input.length)] = rnd(3) ? rnd(256) : input[rnd(input.length)] ^ (1 << rnd(8));
        if (rnd(4) === 0) input = input.subarray(0, rnd(input.length));
      }
      const push = createReceiver(() => delivered++, 1 << 16, server);
      try {
        // Random chunking.
        for (let i = 0; i < input.length; ) {
          const n = 1 + rnd(input.length - i);
          push(input.subarray(i, i + n));
          i += n;
        }
      } catch (e) {
        if (!(e instanceof ProtocolError)) throw e;
        if (!/^WS-[0-9.]+-[a-z0-9]+$/.test(e.code)) throw new Error("malformed code " + e.code);
        codes.set(e.code, (codes.get(e.code) || 0) + 1);
      }
    }
    const ms = Date.now() - t0;
    expect(ms).toBeLessThan(10000);
    expect(delivered).toBeGreaterThan(1000);
    // The mutations reach most of the checks, not just one.
    expect(codes.size).toBeGreaterThanOrEqual(10);
  });
});

describe("error text", () => {
  it("every WS code raised in shared/ws has a sentence in shared/error-text.ts", () => {
    const codes = new Set<string>();
    for (const f of ["codes", "receiver", "handshake", "client"]) {
      const src = readFileSync(new URL("../shared/ws/" + f + ".ts", import.meta.url), "utf8");
      for (const m of src.matchAll(/"(WS-[0-9.]+-[a-z0-9]+)"/g)) codes.add(m[1]);
    }
    expect(codes.size).toBeGreaterThanOrEqual(20);
    for (const c of codes) expect(describeCode(c), c).not.toBe(c);
  });
});
