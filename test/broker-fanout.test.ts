// The embedded broker's QoS 0 fan-out (host/broker/fanout.ts): the PUBLISH it writes is the one
// MQTT asks for (retain only on a retained message sent for a new subscription), QoS 1 and 2
// still go through Aedes, and a subscriber that stops reading neither stalls the others nor
// grows the broker's memory without bound.
import net from "node:net";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedBroker, type EmbeddedBroker } from "../host/broker/embedded";
import { encode } from "../shared/mqtt/generator";
import type { PublishPacket } from "../shared/mqtt/packet";
import { CLIENT_DECODERS, MqttParser } from "../shared/mqtt/parser";
import { capturedLog } from "./log-capture";

// A raw subscriber: every PUBLISH it reads, parsed by pinwire's client-side parser.
class RawSub {
  readonly sock: net.Socket;
  readonly got: PublishPacket[] = [];
  private parser = new MqttParser(CLIENT_DECODERS);
  private waiters: (() => void)[] = [];
  constructor(port: number, filter: string, id: string) {
    this.sock = net.connect({ host: "127.0.0.1", port });
    this.sock.on("data", (d: Buffer) => {
      for (const p of this.parser.push(new Uint8Array(d))) if (p.type === 3 || p.type === 9) this.got.push(p as PublishPacket);
      for (const w of this.waiters.splice(0)) w();
    });
    this.sock.write(encode({ type: 1, clientId: id, clean: true, keepalive: 0 }));
    this.sock.write(encode({ type: 8, id: 1, subs: [{ topic: filter, qos: 0 }] }));
  }
  async until(pred: () => boolean): Promise<void> {
    while (!pred()) await new Promise<void>((r) => this.waiters.push(r));
  }
  publishes(): PublishPacket[] {
    return this.got.filter((p) => p.type === 3);
  }
}

describe("QoS 0 fan-out", () => {
  let broker: EmbeddedBroker;
  const captured = capturedLog("info");
  const logs = captured.lines;
  beforeAll(async () => {
    broker = await startEmbeddedBroker({ host: "127.0.0.1", port: 0, log: captured.log });
  });
  afterAll(async () => broker?.close());

  it("writes retain 0 for live messages, retain 1 for the retained one a new subscription gets", async () => {
    const pub = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
    const live = new RawSub(broker.port, "fan/r/#", "live");
    await live.until(() => live.got.length === 1); // SUBACK
    await pub.publishAsync("fan/r/x", "kept", { retain: true });
    await live.until(() => live.publishes().length === 1);
    const late = new RawSub(broker.port, "fan/r/x", "late");
    await late.until(() => late.publishes().length === 1);
    expect(live.publishes().map((p) => [p.topic, Buffer.from(p.payload).toString(), p.retain, p.qos])).toEqual([["fan/r/x", "kept", false, 0]]);
    expect(late.publishes().map((p) => [p.topic, Buffer.from(p.payload).toString(), p.retain, p.qos])).toEqual([["fan/r/x", "kept", true, 0]]);
    await pub.publishAsync("fan/r/x", "", { retain: true });
    await pub.endAsync();
    live.sock.destroy();
    late.sock.destroy();
  });

  it("QoS 1 to a QoS 1 subscription still goes through Aedes (PUBACK both ways)", async () => {
    const sub = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
    const got = new Promise<[string, number]>((r) => sub.once("message", (_t, p, packet) => r([p.toString(), packet.qos])));
    await sub.subscribeAsync("fan/q1", { qos: 1 });
    const pub = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
    await pub.publishAsync("fan/q1", "once", { qos: 1 });
    expect(await got).toEqual(["once", 1]);
    await Promise.all([sub.endAsync(), pub.endAsync()]);
  });

  it("a subscriber that stops reading has its QoS 0 dropped, logged; the others get everything in order", async () => {
    const stalled = new RawSub(broker.port, "fan/load", "stalled");
    const healthy = new RawSub(broker.port, "fan/load", "healthy");
    await stalled.until(() => stalled.got.length === 1);
    await healthy.until(() => healthy.got.length === 1);
    stalled.sock.pause();
    // 8 MiB of 1 KiB messages: more than the stalled socket's kernel buffers and the broker's
    // 1 MiB bound for it together.
    const n = 8192;
    const pub = net.connect({ host: "127.0.0.1", port: broker.port });
    pub.on("error", () => {});
    pub.write(encode({ type: 1, clientId: "fan-pub", clean: true, keepalive: 0 }));
    // Publishes only after CONNACK: Aedes drops a client that sends more than 42 packets before.
    await new Promise((r) => pub.once("data", r));
    const body = new Uint8Array(1024);
    for (let i = 0; i < n; i++) {
      body[0] = i >> 8;
      body[1] = i & 255;
      pub.write(encode({ type: 3, topic: "fan/load", payload: body, qos: 0, retain: false, dup: false }));
    }
    await healthy.until(() => healthy.publishes().length === n);
    const seq = healthy.publishes().map((p) => (p.payload[0] << 8) | p.payload[1]);
    expect(seq.every((v, i) => v === i)).toBe(true);
    expect(logs.some((l) => l.event === "slow-subscriber" && l.client === "stalled")).toBe(true);
    // Reading again, it gets what was queued (a prefix, in order), then live messages again.
    // A marker after each chunk it reads: the first ones may still find its queue over the bound.
    const marker = encode({ type: 3, topic: "fan/load", payload: new Uint8Array([0xff, 0xff]), qos: 0, retain: false, dup: false });
    stalled.sock.on("data", () => pub.write(marker));
    stalled.sock.resume();
    await stalled.until(() => stalled.publishes().some((p) => p.payload.length === 2));
    const s = stalled.publishes().map((p) => (p.payload.length === 2 ? -1 : (p.payload[0] << 8) | p.payload[1]));
    const queued = s.filter((v) => v >= 0);
    expect(queued.length).toBeLessThan(n);
    expect(queued.every((v, i) => v === i)).toBe(true);
    expect(s.indexOf(-1)).toBe(queued.length); // markers only after what was queued
    expect(logs.some((l) => l.event === "slow-subscriber-resumed" && l.dropped! > 0)).toBe(true);
    pub.destroy();
    stalled.sock.destroy();
    healthy.sock.destroy();
  });
});
