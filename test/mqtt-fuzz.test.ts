// Fuzzing the MQTT parser with seeded random and mutated input: over 100,000 buffers, and
// the only thing it may throw is a ProtocolError. Whatever it accepts must survive
// encode -> parse unchanged. Bounded loops, so a hang would show as a timeout.
import { describe, expect, it } from "vitest";
import { isProtocolError } from "../shared/errors";
import { encode } from "../shared/mqtt/generator";
import type { Packet } from "../shared/mqtt/packet";
import { ALL_DECODERS, CLIENT_DECODERS, MqttParser } from "../shared/mqtt/parser";
import { bytes, concatAll, int, pick, plain, prng, randomPacket, type Rng } from "./mqtt-codec-fixtures";

const SEED = 0xf022;
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

function validPool(r: Rng, n: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  while (out.length < n) {
    const w = encode(randomPacket(r));
    if (w.length <= 1500) out.push(w);
  }
  return out;
}

// 1..5 random varint bytes: continuation bits on all but the last.
function varint(r: Rng): number[] {
  const n = int(r, 1, 5);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(i < n - 1 ? int(r, 128, 255) : int(r, 0, 127));
  return out;
}

function mutate(r: Rng, pool: Uint8Array[]): Uint8Array {
  const src = pick(r, pool);
  const b = Array.from(src);
  const edits = int(r, 1, 3);
  for (let e = 0; e < edits; e++) {
    const at = int(r, 0, Math.max(0, b.length - 1));
    switch (int(r, 0, 7)) {
      case 0: // flip a bit
        b[at] ^= 1 << int(r, 0, 7);
        break;
      case 1: // any value
        b[at] = int(r, 0, 255);
        break;
      case 2: // insert
        b.splice(at, 0, ...bytes(r, int(r, 1, 4)));
        break;
      case 3: // delete
        b.splice(at, int(r, 1, 4));
        break;
      case 4: // truncate
        b.length = at;
        break;
      case 5: // the first byte: any type and flags
        b[0] = int(r, 0, 255);
        break;
      case 6: // the remaining length: any varint of 1..5 bytes
        b.splice(1, 1, ...varint(r));
        break;
      default: // another packet after it
        b.push(...pick(r, pool));
    }
  }
  return new Uint8Array(b);
}

function randomBuffer(r: Rng): Uint8Array {
  const b = bytes(r, int(r, 0, 48));
  if (b.length && r() < 0.7) b[0] = (int(r, 1, 14) << 4) | (r() < 0.8 ? pick(r, [0, 2]) : int(r, 0, 15));
  if (b.length > 1 && r() < 0.7) b[1] = int(r, 0, b.length - 2);
  return b;
}

// Splits b into 1..4 chunks at random points.
function chunks(r: Rng, b: Uint8Array): Uint8Array[] {
  const cuts = [0];
  for (let k = int(r, 0, 3); k > 0; k--) cuts.push(int(r, 0, b.length));
  cuts.push(b.length);
  cuts.sort((x, y) => x - y);
  const out: Uint8Array[] = [];
  for (let i = 1; i < cuts.length; i++) out.push(b.subarray(cuts[i - 1], cuts[i]));
  return out;
}

interface Tally {
  buffers: number;
  accepted: number;
  refused: number;
  codes: Set<string>;
}

// Feeds one buffer; fails the test on anything but a ProtocolError, and checks what parsed.
function run(r: Rng, b: Uint8Array, tally: Tally, what: string): void {
  const parser = new MqttParser(r() < 0.5 ? ALL_DECODERS : CLIENT_DECODERS, r() < 0.2 ? int(r, 2, 2000) : 0);
  const got: Packet[] = [];
  tally.buffers++;
  try {
    for (const c of chunks(r, b)) for (const p of parser.push(c)) got.push(p);
  } catch (e) {
    if (!isProtocolError(e)) throw new Error(`${what}: ${hex(b)} threw ${String(e)}`);
    tally.refused++;
    tally.codes.add(e.code);
    return;
  }
  tally.accepted++;
  for (const p of got) {
    const again = new MqttParser(ALL_DECODERS).push(encode(p));
    if (JSON.stringify(again.map(plain)) !== JSON.stringify([plain(p)])) {
      expect(again.map(plain), `${what}: ${hex(b)} re-encoded`).toEqual([plain(p)]);
    }
  }
}

describe("MQTT parser fuzz", () => {
  it("over 100,000 random and mutated buffers raise nothing but ProtocolError", () => {
    const r = prng(SEED);
    const pool = validPool(r, 2000);
    const tally: Tally = { buffers: 0, accepted: 0, refused: 0, codes: new Set() };
    const t0 = Date.now();
    for (let i = 0; i < 70000; i++) run(r, mutate(r, pool), tally, `mutated #${i} (seed ${SEED})`);
    for (let i = 0; i < 40000; i++) run(r, randomBuffer(r), tally, `random #${i} (seed ${SEED})`);
    expect(tally.buffers).toBeGreaterThanOrEqual(100000);
    // both outcomes occur in bulk, and the refusals span many rules
    expect(tally.accepted).toBeGreaterThan(10000);
    expect(tally.refused).toBeGreaterThan(10000);
    expect(tally.codes.size).toBeGreaterThan(25);
    expect(Date.now() - t0).toBeLessThan(20000);
  });

  it("a long-lived parser fed a mutated stream in random chunks stays consistent", () => {
    const r = prng(SEED + 1);
    const pool = validPool(r, 500);
    let restarts = 0;
    let packets = 0;
    for (let round = 0; round < 200; round++) {
      // mostly valid packets with the odd mutation, cut at random
      const parts: Uint8Array[] = [];
      for (let k = 0; k < 50; k++) parts.push(r() < 0.97 ? pick(r, pool) : mutate(r, pool));
      const stream = concatAll(parts);
      let parser = new MqttParser(ALL_DECODERS);
      for (let i = 0; i < stream.length; ) {
        const n = int(r, 1, 700);
        try {
          packets += parser.push(stream.subarray(i, i + n)).length;
        } catch (e) {
          if (!isProtocolError(e)) throw new Error(`stream round ${round} (seed ${SEED + 1}) threw ${String(e)}`);
          parser = new MqttParser(ALL_DECODERS);
          restarts++;
        }
        i += n;
      }
    }
    expect(packets).toBeGreaterThan(1000);
    expect(restarts).toBeGreaterThan(10);
  });
});
