// Retained messages in the embedded broker (host/broker/retained.ts). Issue 13, item 1: each
// SUBSCRIBE tested every retained topic against its filters, so with thousands of devices
// connecting slowed to a few per second. The index must match exactly as MQTT 3.1.1 (and
// Aedes' live routing) does, checked against qlobber (the matcher Aedes' mqemitter uses, with
// empty levels matched, plus the spec's `$` rule) on random topics and filters; and on a
// broker holding 20,000 retained messages a SUBSCRIBE must not test them one by one.
import { createRequire } from "node:module";
import type { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedBroker, type EmbeddedBroker } from "../host/broker/embedded";
import { RetainedIndex, type RetainedPacket } from "../host/broker/retained";
import { capturedLog } from "./log-capture";
import { encode } from "../shared/mqtt/generator";
import { RawMqtt } from "./helpers/raw-mqtt";
import { int, pick, prng } from "./mqtt-codec-fixtures";

const require = createRequire(import.meta.url);
const { Qlobber, QlobberTrue } = require("qlobber") as {
  Qlobber: new (o: object) => { add(t: string, v: unknown): void; match(t: string): unknown[] };
  QlobberTrue: { prototype: { test(t: string): boolean } };
};

const pkt = (topic: string, payload = "x"): RetainedPacket => ({ topic, payload: Buffer.from(payload), qos: 0, retain: true });

// What a filter matches, by the reference: qlobber as mqemitter sets it up, and [MQTT-4.7.2-1].
function reference(filter: string, topics: string[]): string[] {
  const q = new Qlobber({ separator: "/", wildcard_one: "+", wildcard_some: "#", match_empty_levels: true });
  q.add(filter, true);
  const wild = filter[0] === "+" || filter[0] === "#";
  return topics.filter((t) => q.match(t).length > 0 && !(wild && t[0] === "$")).sort();
}

describe("retained index", () => {
  it("matches what MQTT 3.1.1 matches, on 3,000 random filters over 400 topics", () => {
    const r = prng(0x5e7a1);
    const words = ["a", "b", "pinwire", "dev1", "", "$SYS", "$x", "cmd"];
    const topics = new Set<string>();
    while (topics.size < 400) topics.add(Array.from({ length: int(r, 1, 4) }, () => pick(r, words)).join("/"));
    const idx = new RetainedIndex();
    for (const t of topics) idx.set(pkt(t));
    const all = [...topics];
    for (let k = 0; k < 3000; k++) {
      const n = int(r, 1, 4);
      const levels = Array.from({ length: n }, (_, i) => (int(r, 0, 3) === 0 ? "+" : i === n - 1 && int(r, 0, 3) === 0 ? "#" : pick(r, words)));
      const filter = levels.join("/");
      const got = [...idx.match(filter)].map((p) => p.topic).sort();
      expect(got, filter).toEqual(reference(filter, all));
    }
  });

  it("replaces, removes with an empty payload, prunes emptied branches and copies payloads", () => {
    const idx = new RetainedIndex();
    const chunk = Buffer.from("....hello....");
    idx.set({ topic: "a/b/c", payload: chunk.subarray(4, 9) });
    idx.set(pkt("a/b", "yy"));
    expect(idx.count).toBe(2);
    expect(idx.bytes).toBe(7);
    const kept = idx.get("a/b/c")!.payload;
    expect(kept.toString()).toBe("hello");
    expect(kept.buffer.byteLength).toBe(5); // its own memory, not a view of the chunk
    idx.set(pkt("a/b/c", "zzz"));
    expect([idx.count, idx.bytes]).toEqual([2, 5]);
    idx.set(pkt("a/b/c", ""));
    idx.set(pkt("a/b", ""));
    expect([idx.count, idx.bytes]).toEqual([0, 0]);
    expect((idx as unknown as { root: { children: unknown } }).root.children).toBeNull();
    idx.set(pkt("gone", "")); // removing what is not there
    expect(idx.count).toBe(0);
  });
});

describe("retained messages on the embedded broker", () => {
  let broker: EmbeddedBroker;
  const captured = capturedLog("warn");
  beforeAll(async () => {
    broker = await startEmbeddedBroker({ host: "127.0.0.1", port: 0, log: captured.log });
  });
  afterAll(async () => broker?.close());

  it("answers each SUBSCRIBE without testing every retained topic (20,000 held)", async () => {
    const { c: pub } = await RawMqtt.login(broker.port, { clientId: "ret-pub" });
    const parts: Uint8Array[] = [];
    for (let i = 0; i < 5000; i++) for (const k of ["status", "info", "app", "state"]) parts.push(retained("pinwire/d" + i + "/" + k, k + i));
    // PINGREQ last: its PINGRESP comes once every PUBLISH before it was handled (and stored).
    parts.push(new Uint8Array([0xc0, 0]));
    pub.send(Buffer.concat(parts));
    await pub.next((p) => p.type === 13);

    const proto = QlobberTrue.prototype;
    const test = proto.test;
    let tests = 0;
    proto.test = function (t: string) {
      tests++;
      return test.call(this, t);
    };
    try {
      const subs = await Promise.all(Array.from({ length: 100 }, (_, i) => RawMqtt.login(broker.port, { clientId: "pinwire-d" + i })));
      await Promise.all(subs.map(({ c }, i) => c.subscribe(1, [{ topic: "pinwire/d" + i + "/cmd", qos: 1 }, { topic: "pinwire/d" + i + "/+", qos: 0 }])));
      // Each gets its own device's four retained messages (+ matches them, cmd holds none).
      for (const [i, { c }] of subs.entries()) {
        await c.received(4);
        expect(c.publishes().map((p) => p.topic).sort()).toEqual(["app", "info", "state", "status"].map((k) => "pinwire/d" + i + "/" + k));
      }
      expect(tests).toBeLessThan(100);
      await Promise.all(subs.map(({ c }) => c.close()));
    } finally {
      proto.test = test;
    }
    await pub.close();
  });

  // Issue 13, item 12 (memory): Aedes went on sending every retained message to a client that
  // had already gone, one at a time (each write failing, or waiting up to a minute for a
  // 'drain' that never comes), holding the Client, its socket and the packets meanwhile: a
  // fuzz of short connections grew the host by hundreds of MB. The stream a SUBSCRIBE reads
  // must end with its connection.
  it("ends the retained stream of a subscriber that has left", async () => {
    const { c: pub } = await RawMqtt.login(broker.port, { clientId: "left-pub" });
    const parts: Uint8Array[] = [];
    for (let i = 0; i < 2000; i++) parts.push(retained("left/" + i, "v" + i));
    parts.push(new Uint8Array([0xc0, 0]));
    pub.send(Buffer.concat(parts));
    await pub.next((p) => p.type === 13);
    // Every stream a SUBSCRIBE reads its retained messages from.
    const persistence = (broker.aedes as unknown as { persistence: { createRetainedStreamCombi(p: string[]): Readable } }).persistence;
    const open = persistence.createRetainedStreamCombi;
    // Each stream, and how many retained messages it handed out.
    const streams: { st: Readable; sent: number }[] = [];
    persistence.createRetainedStreamCombi = (p) => {
      const st = open(p);
      const rec = { st, sent: 0 };
      const push = st.push;
      st.push = function (this: Readable, chunk: unknown) {
        if (chunk !== null) rec.sent++;
        return push.call(this, chunk);
      };
      streams.push(rec);
      return st;
    };
    try {
      const gone = await Promise.all(Array.from({ length: 50 }, (_, i) => RawMqtt.login(broker.port, { clientId: "left-" + i })));
      await Promise.all(
        gone.map(async ({ c }, i) => {
          await c.subscribe(1, [{ topic: "left/#", qos: i % 2 }]);
          c.sock.destroy();
        }),
      );
      // A subscriber that stays gets all 2,000 while the others' streams run alongside.
      const { c: stays } = await RawMqtt.login(broker.port, { clientId: "left-stays" });
      await stays.subscribe(1, [{ topic: "left/#", qos: 0 }]);
      await stays.received(2000);
      const left = streams.slice(0, 50);
      expect(left.length).toBe(50);
      // Each ended, having handed out at most its read-ahead (16), not the 2,000 messages.
      expect(left.filter(({ st }) => !st.readableEnded && !st.destroyed).length).toBe(0);
      expect(Math.max(...left.map((x) => x.sent))).toBeLessThan(50);
      await stays.close();
    } finally {
      persistence.createRetainedStreamCombi = open;
    }
    await pub.close();
  });
});

function retained(topic: string, payload: string): Uint8Array {
  return encode({ type: 3, topic, payload: new TextEncoder().encode(payload), qos: 0, retain: true, dup: false });
}
