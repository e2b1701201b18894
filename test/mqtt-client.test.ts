// shared/mqtt/client.ts against an in-process Aedes broker, over TCP and over WebSocket (the
// shared WsClient on a Node socket), with the `mqtt` npm client as the peer. Time is a fake
// clock moved through tick(); every wait is on an event.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import type { Client } from "aedes";
import { utf8Encode } from "../shared/bytes";
import { MQTT_CLIENT_TEXT } from "../shared/error-text";
import { peer, rig, startBroker, type Broker, type Kind, type Peer, type Rig, type RigOptions } from "./mqtt-client-harness";

describe.each(["tcp", "ws"] as Kind[])("MQTT client over %s", (kind) => {
  let broker: Broker;
  let rigs: Rig[] = [];
  let peers: Peer[] = [];
  // authorizePublish: a topic listed here has its first PUBLISH answered by cutting the
  // client's connection (no ack, not delivered); the packets the hook saw are recorded.
  const cutOnce = new Set<string>();
  const authorized: Array<{ topic: string; dup: boolean; id?: number }> = [];
  const subscribeEvents: Array<{ clientId: string; topics: string[] }> = [];

  beforeAll(async () => {
    broker = await startBroker({
      authenticate(_client, username, password, done) {
        if (username === undefined || (username === "good" && password?.toString() === "secret")) return done(null, true);
        const e = new Error("refused") as Error & { returnCode: number };
        e.returnCode = Number(username.slice(2)); // "rc4" -> 4
        done(e as never, false);
      },
      authorizeSubscribe(_client, sub, cb) {
        cb(null, sub.topic.startsWith("denied/") ? null : sub);
      },
      authorizePublish(client: Client | null, packet, cb) {
        authorized.push({ topic: packet.topic, dup: packet.dup, id: packet.messageId });
        if (client && cutOnce.delete(packet.topic)) return void client.conn.destroy();
        cb(null);
      },
    });
    broker.aedes.on("subscribe", (subs, client) => {
      if (client) subscribeEvents.push({ clientId: client.id, topics: subs.map((s) => s.topic) });
    });
  });

  afterEach(async () => {
    for (const r of rigs) r.c.end();
    await Promise.all(peers.map((p) => p.end()));
    rigs = [];
    peers = [];
  });

  afterAll(async () => {
    await broker.close();
  });

  function make(o: Partial<RigOptions> = {}): Rig {
    const r = rig({ kind, port: kind === "tcp" ? broker.port : broker.wsPort, ...o });
    rigs.push(r);
    return r;
  }

  async function connected(o: Partial<RigOptions> = {}): Promise<Rig> {
    const r = make(o);
    r.c.connect();
    await r.until(() => r.connects.length === 1);
    return r;
  }

  async function listener(...filters: string[]): Promise<Peer> {
    const p = await peer(broker.port);
    peers.push(p);
    await p.client.subscribeAsync(filters, { qos: 2 });
    return p;
  }

  test("publishes QoS 0, 1 and 2 and reports the acks", async () => {
    const p = await listener("up/#");
    const r = await connected();
    const ids = [0, 1, 2].map((q) => r.c.publish("up/" + q, "m" + q, q));
    expect(ids[0]).toBe(0);
    expect(ids[1]).toBeGreaterThan(0);
    expect(ids[2]).not.toBe(ids[1]);
    await p.until(() => p.got.length === 3);
    const got = p.got.slice().sort((a, b) => a.topic.localeCompare(b.topic));
    expect(got.map((m) => [m.topic, m.text, m.qos])).toEqual([
      ["up/0", "m0", 0],
      ["up/1", "m1", 1],
      ["up/2", "m2", 2],
    ]);
    await r.until(() => r.acks.length === 2);
    // PUBACK (4) for QoS 1, PUBCOMP (7) for QoS 2
    expect(r.acks.slice().sort()).toEqual(
      [
        [ids[1], 4],
        [ids[2], 7],
      ].sort(),
    );
  });

  test("receives QoS 0, 1 and 2 at the granted QoS", async () => {
    const r = await connected();
    const sid = r.c.subscribe("down/#", 2);
    await r.until(() => r.subacks.length === 1);
    expect(r.subacks[0]).toEqual([sid, [2]]);
    const p = await peer(broker.port);
    peers.push(p);
    for (const q of [0, 1, 2] as const) await p.client.publishAsync("down/" + q, "d" + q, { qos: q });
    await r.until(() => r.messages.length === 3);
    expect(r.messages.map((m) => [m.topic, m.text, m.qos, m.dup])).toEqual([
      ["down/0", "d0", 0, false],
      ["down/1", "d1", 1, false],
      ["down/2", "d2", 2, false],
    ]);
  });

  test("gets a retained message with the retain flag, live ones without", async () => {
    const p = await peer(broker.port);
    peers.push(p);
    await p.client.publishAsync("ret/" + kind, "kept", { qos: 1, retain: true });
    const r = await connected();
    r.c.subscribe("ret/" + kind, 1);
    await r.until(() => r.messages.length === 1);
    expect(r.messages[0]).toMatchObject({ text: "kept", retain: true });
    await p.client.publishAsync("ret/" + kind, "live", { qos: 1 });
    await r.until(() => r.messages.length === 2);
    expect(r.messages[1]).toMatchObject({ text: "live", retain: false });
    // A retained publish from our client reaches a later subscriber.
    r.c.publish("ret2/" + kind, "mine", 1, true);
    await r.until(() => r.acks.length === 1);
    const late = await listener("ret2/" + kind);
    await late.until(() => late.got.length === 1);
    expect(late.got[0]).toMatchObject({ text: "mine", retain: true });
    for (const t of ["ret/", "ret2/"]) await p.client.publishAsync(t + kind, "", { retain: true });
  });

  test("the will goes out on an abrupt close, not after end()", async () => {
    const p = await listener("will/#");
    const will = (t: string) => ({ topic: "will/" + t, payload: utf8Encode("gone " + t), qos: 1, retain: false });
    const a = await connected({ will: will("a") });
    a.socket().destroy();
    await p.until(() => p.got.length === 1);
    expect(p.got[0]).toMatchObject({ topic: "will/a", text: "gone a", qos: 1 });
    await a.until(() => a.closes === 1);

    const b = await connected({ will: will("b") });
    const gone = new Promise((res) => broker.aedes.once("clientDisconnect", res));
    b.c.end();
    await gone;
    await p.client.publishAsync("will/barrier", "x", { qos: 1 });
    await p.until(() => p.got.length === 2);
    expect(p.got.map((m) => m.topic)).toEqual(["will/a", "will/barrier"]);
    // end() stops reconnecting.
    b.advance(600_000);
    expect(b.opens.length).toBe(1);
  });

  test("sends user name and password; surfaces CONNACK refusals 2-5", async () => {
    const ok = await connected({ username: "good", password: utf8Encode("secret") });
    expect(ok.errors).toEqual([]);
    const bad = await Promise.all(
      [2, 3, 4, 5].map(async (rc) => {
        const r = make({ username: "rc" + rc, password: utf8Encode("x") });
        r.c.connect();
        await r.until(() => r.closes === 1);
        return r;
      }),
    );
    expect(bad.map((r) => r.errors)).toEqual([["connack-2"], ["connack-3"], ["connack-4"], ["connack-5"]]);
    expect(bad.every((r) => r.connects.length === 0)).toBe(true);
    expect(MQTT_CLIENT_TEXT["connack-4"]).toMatch(/bad user name or password/);
    // A refused client retries after its backoff (1000 ms * [0.5, 1) jitter; random is 0.5).
    const r = bad[0];
    r.advance(749);
    expect(r.opens.length).toBe(1);
    r.advance(1);
    expect(r.opens.length).toBe(2);
    await r.until(() => r.closes === 2);
    expect(r.errors).toEqual(["connack-2", "connack-2"]);
  });

  test("surfaces a refused subscription (SUBACK 0x80) and does not restore it", async () => {
    const r = await connected();
    const id = r.c.subscribe("denied/x", 1);
    await r.until(() => r.subacks.length === 1);
    expect(r.subacks[0]).toEqual([id, [0x80]]);
    r.c.subscribe("fine/x", 1);
    await r.until(() => r.subacks.length === 2);
    const before = subscribeEvents.length;
    r.socket().destroy();
    await r.until(() => r.closes === 1);
    r.advance(750);
    await r.until(() => r.connects.length === 2 && r.subacks.length === 3);
    // Only the granted filter is resubscribed.
    expect(r.subacks[2][1]).toEqual([1]);
    expect(subscribeEvents.slice(before).map((e) => e.topics)).toEqual([["fine/x"]]);
  });

  test("unsubscribes: UNSUBACK reported, no more messages", async () => {
    const r = await connected();
    r.c.subscribe("un/a", 0);
    r.c.subscribe("un/b", 0);
    await r.until(() => r.subacks.length === 2);
    const id = r.c.unsubscribe("un/a");
    await r.until(() => r.acks.length === 1);
    expect(r.acks[0]).toEqual([id, 11]);
    const p = await peer(broker.port);
    peers.push(p);
    await p.client.publishAsync("un/a", "no", { qos: 1 });
    await p.client.publishAsync("un/b", "yes", { qos: 1 });
    await r.until(() => r.messages.length === 1);
    expect(r.messages[0].topic).toBe("un/b");
  });

  test("keepalive: PINGREQ when idle, answered, so no timeout", async () => {
    const clientId = "ka-" + kind;
    const r = await connected({ clientId, keepalive: 5, timeout: 3000 });
    let pings = 0;
    const onPing = (_p: unknown, c: Client) => {
      if (c.id === clientId) pings++;
    };
    broker.aedes.on("ping", onPing);
    const bytes = r.bytesIn;
    r.advance(4999);
    r.advance(1);
    // PINGRESP is two bytes.
    await r.until(() => r.bytesIn === bytes + 2);
    expect(pings).toBe(1);
    r.advance(3000);
    r.advance(1999);
    expect(r.errors).toEqual([]);
    expect(r.closes).toBe(0);
    broker.aedes.off("ping", onPing);
  });

  test("broker drops the connection: reconnect, unacked QoS 1 resent with DUP, resubscribed", async () => {
    const topic = "cut/" + kind;
    cutOnce.add(topic);
    const r = await connected();
    r.c.subscribe("rs/" + kind, 1);
    await r.until(() => r.subacks.length === 1);
    const p = await listener(topic);
    const id = r.c.publish(topic, "again", 1);
    await r.until(() => r.closes === 1);
    expect(r.acks).toEqual([]);
    // Backoff: 1000 ms * (0.5 + 0.5 * 0.5) = 750 ms.
    r.advance(749);
    expect(r.opens.length).toBe(1);
    r.advance(1);
    await r.until(() => r.connects.length === 2 && r.acks.length === 1 && r.subacks.length === 2);
    expect(r.connects).toEqual([false, false]);
    expect(r.acks).toEqual([[id, 4]]);
    const seen = authorized.filter((a) => a.topic === topic);
    expect(seen).toEqual([
      { topic, dup: false, id },
      { topic, dup: true, id },
    ]);
    await p.until(() => p.got.length === 1);
    expect(p.got[0].text).toBe("again");
    // The clean session lost the subscription; the client restored it.
    await p.client.publishAsync("rs/" + kind, "back", { qos: 1 });
    await r.until(() => r.messages.length === 1);
    expect(r.messages[0].text).toBe("back");
  });

  test("persistent session: session present, no resubscribe, queued messages delivered", async () => {
    const clientId = "persist-" + kind;
    const r = await connected({ clientId, clean: false });
    r.c.subscribe("ps/" + kind, 1);
    await r.until(() => r.subacks.length === 1);
    const before = subscribeEvents.filter((e) => e.clientId === clientId).length;
    r.socket().destroy();
    await r.until(() => r.closes === 1);
    const p = await peer(broker.port);
    peers.push(p);
    await p.client.publishAsync("ps/" + kind, "while away", { qos: 1 });
    r.advance(750);
    await r.until(() => r.connects.length === 2 && r.messages.length === 1);
    expect(r.connects).toEqual([false, true]);
    expect(r.messages[0].text).toBe("while away");
    expect(subscribeEvents.filter((e) => e.clientId === clientId).length).toBe(before);
    r.c.end();
    // Clean up the stored session.
    const wipe = make({ clientId, clean: true });
    wipe.c.connect();
    await wipe.until(() => wipe.connects.length === 1);
  });

  test("queues while disconnected and sends on connect", async () => {
    const p = await listener("q/#");
    const r = make();
    r.c.publish("q/0", "zero", 0);
    r.c.publish("q/1", "one", 1);
    r.c.connect();
    await p.until(() => p.got.length === 2);
    expect(p.got.map((m) => m.text).sort()).toEqual(["one", "zero"]);
  });
});
