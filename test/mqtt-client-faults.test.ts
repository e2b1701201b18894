// shared/mqtt/client.ts under faults: a TCP proxy in front of Aedes that drops packets or cuts
// the connection at a chosen packet (exactly-once QoS 2 across reconnects, DUP resends, the
// in-flight window), raw servers that refuse or go silent (CONNACK codes, keepalive, timeouts),
// and a refused port for the reconnect backoff. Fake clock throughout; no sleeps.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import tls from "node:tls";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { isProtocolError } from "../shared/errors";
import { mqttClient } from "../shared/mqtt/client";
import {
  peer,
  rawServer,
  rig,
  startBroker,
  startProxy,
  type Broker,
  type Peer,
  type Proxy,
  type RawServer,
  type Rig,
  type RigOptions,
} from "./mqtt-client-harness";

let rigs: Rig[] = [];
let peers: Peer[] = [];
let servers: Array<{ close(): Promise<void> }> = [];

afterEach(async () => {
  for (const r of rigs) r.c.end();
  await Promise.all(peers.map((p) => p.end()));
  await Promise.all(servers.map((s) => s.close()));
  rigs = [];
  peers = [];
  servers = [];
});

function make(o: RigOptions): Rig {
  const r = rig(o);
  rigs.push(r);
  return r;
}

const ids = (ps: Array<{ cmd: string; messageId?: number }>, cmd: string) =>
  ps.filter((p) => p.cmd === cmd).map((p) => p.messageId);

describe("through a proxy that cuts the connection", () => {
  let broker: Broker;
  let px: Proxy;

  beforeAll(async () => {
    broker = await startBroker();
  });
  afterAll(async () => {
    await broker.close();
  });

  async function setup(o: Partial<RigOptions> = {}): Promise<Rig> {
    px = await startProxy(broker.port);
    servers.push(px);
    const r = make({ port: px.port, clean: false, ...o });
    r.c.connect();
    await r.until(() => r.connects.length === 1);
    return r;
  }

  // Subscribed at QoS 0 so that deliveries reach it in publish order (the barrier relies on
  // that: a QoS 2 delivery to mqtt.js surfaces only after its PUBREL round trip).
  async function listener(filter: string): Promise<Peer> {
    const p = await peer(broker.port);
    peers.push(p);
    await p.client.subscribeAsync(filter, { qos: 0 });
    return p;
  }

  // Resolves once the peer has the barrier message, so anything sent before it has arrived.
  async function barrier(p: Peer, topic: string): Promise<void> {
    const q = await peer(broker.port);
    peers.push(q);
    await q.client.publishAsync(topic, "barrier", { qos: 1 });
    await p.until(() => p.got.some((m) => m.text === "barrier"));
  }

  async function reconnect(r: Rig, n: number): Promise<void> {
    await r.until(() => r.closes === n - 1);
    r.advance(750);
    await r.until(() => r.connects.length === n);
  }

  test("QoS 1 PUBLISH lost with the connection is resent with DUP and the same id", async () => {
    const p = await listener("x1/#");
    const r = await setup();
    px.rule = (dir, pk, conn) => (conn === 0 && dir === "up" && pk.cmd === "publish" ? "cut" : "pass");
    const id = r.c.publish("x1/a", "once", 1);
    await reconnect(r, 2);
    await r.until(() => r.acks.length === 1);
    expect(r.acks).toEqual([[id, 4]]);
    const again = px.seen[1].up.find((pk) => pk.cmd === "publish") as { dup: boolean; messageId: number };
    expect(again).toMatchObject({ dup: true, messageId: id });
    await p.until(() => p.got.length === 1);
    expect(p.got[0].text).toBe("once");
  });

  test("QoS 2 out, cut before PUBREC arrives: PUBLISH resent, delivered exactly once", async () => {
    const p = await listener("x2/#");
    const r = await setup();
    px.rule = (dir, pk, conn) => (conn === 0 && dir === "down" && pk.cmd === "pubrec" ? "cut" : "pass");
    const id = r.c.publish("x2/a", "exactly once", 2);
    await reconnect(r, 2);
    await r.until(() => r.acks.length === 1);
    expect(r.acks).toEqual([[id, 7]]);
    expect(ids(px.seen[0].up, "publish")).toEqual([id]);
    expect(px.seen[1].up.filter((pk) => pk.cmd === "publish")).toMatchObject([{ dup: true, messageId: id }]);
    await barrier(p, "x2/z");
    expect(p.got.map((m) => m.text)).toEqual(["exactly once", "barrier"]);
  });

  test("QoS 2 out, cut before PUBCOMP arrives: only PUBREL resent, delivered once", async () => {
    const p = await listener("x3/#");
    const r = await setup();
    px.rule = (dir, pk, conn) => (conn === 0 && dir === "down" && pk.cmd === "pubcomp" ? "cut" : "pass");
    const id = r.c.publish("x3/a", "one", 2);
    await reconnect(r, 2);
    await r.until(() => r.acks.length === 1);
    expect(r.acks).toEqual([[id, 7]]);
    expect(ids(px.seen[1].up, "publish")).toEqual([]);
    expect(ids(px.seen[1].up, "pubrel")).toEqual([id]);
    await barrier(p, "x3/z");
    expect(p.got.map((m) => m.text)).toEqual(["one", "barrier"]);
  });

  test("QoS 2 in, our PUBREC lost: the broker's DUP is acked but not delivered again", async () => {
    const r = await setup();
    r.c.subscribe("x4/#", 2);
    await r.until(() => r.subacks.length === 1);
    px.rule = (dir, pk, conn) => (conn === 0 && dir === "up" && pk.cmd === "pubrec" ? "cut" : "pass");
    const p = await peer(broker.port);
    peers.push(p);
    await p.client.publishAsync("x4/a", "in once", { qos: 2 });
    await r.until(() => r.messages.length === 1);
    await reconnect(r, 2);
    // The broker resends the PUBLISH (DUP, same id); the client answers PUBREC, PUBREL, PUBCOMP.
    await px.until(() => px.seen[1].up.some((pk) => pk.cmd === "pubcomp"));
    // Aedes resends without setting DUP; the client goes by the packet id.
    const first = ids(px.seen[0].down, "publish");
    expect(first.length).toBe(1);
    expect(ids(px.seen[1].down, "publish")).toEqual(first);
    expect(ids(px.seen[1].up, "pubrec")).toEqual(first);
    await p.client.publishAsync("x4/b", "next", { qos: 2 });
    await r.until(() => r.messages.length === 2);
    expect(r.messages.map((m) => m.text)).toEqual(["in once", "next"]);
  });

  test("QoS 2 in, PUBREL lost: answered with PUBCOMP after reconnect, no redelivery", async () => {
    const r = await setup();
    r.c.subscribe("x5/#", 2);
    await r.until(() => r.subacks.length === 1);
    px.rule = (dir, pk, conn) => (conn === 0 && dir === "down" && pk.cmd === "pubrel" ? "cut" : "pass");
    const p = await peer(broker.port);
    peers.push(p);
    await p.client.publishAsync("x5/a", "only", { qos: 2 });
    await reconnect(r, 2);
    await px.until(() => px.seen[1].up.some((pk) => pk.cmd === "pubcomp"));
    expect(ids(px.seen[1].down, "publish")).toEqual([]);
    await p.client.publishAsync("x5/b", "next", { qos: 2 });
    await r.until(() => r.messages.length === 2);
    expect(r.messages.map((m) => m.text)).toEqual(["only", "next"]);
  });

  test("clean session: subscriptions restored in one SUBSCRIBE after reconnect", async () => {
    const r = await setup({ clean: true });
    r.c.subscribe("rs/a", 1);
    r.c.subscribe("rs/b", 2);
    await r.until(() => r.subacks.length === 2);
    r.socket().destroy();
    await reconnect(r, 2);
    await r.until(() => r.subacks.length === 3);
    expect(r.connects).toEqual([false, false]);
    const sub = px.seen[1].up.filter((pk) => pk.cmd === "subscribe") as Array<{ subscriptions: unknown[] }>;
    expect(sub.map((s) => s.subscriptions)).toEqual([
      [
        { topic: "rs/a", qos: 1 },
        { topic: "rs/b", qos: 2 },
      ],
    ]);
    const p = await peer(broker.port);
    peers.push(p);
    await p.client.publishAsync("rs/b", "back", { qos: 1 });
    await r.until(() => r.messages.length === 1);
  });

  test("in-flight window bounds unacked packets; retransmits with DUP after the timeout; queue full", async () => {
    const r = await setup({ clean: true, window: 2, queue: 3, timeout: 5000, keepalive: 3 });
    let holdAcks = true;
    px.rule = (dir, pk) => (holdAcks && dir === "down" && pk.cmd === "puback" ? "drop" : "pass");
    const sent = [1, 2, 3, 4, 5].map((i) => r.c.publish("w/" + i, "m" + i, 1));
    let full: unknown;
    try {
      r.c.publish("w/6", "m6", 1);
    } catch (e) {
      full = e;
    }
    expect(isProtocolError(full) && full.code).toBe("queue-full");
    // A PINGREQ written after the publishes marks when the proxy has seen all of them.
    r.advance(3000);
    await px.until(() => px.seen[0].up.some((pk) => pk.cmd === "pingreq"));
    expect(ids(px.seen[0].up, "publish")).toEqual(sent.slice(0, 2));
    // No ack yet: the two in flight go again, marked DUP.
    holdAcks = false;
    r.advance(2000);
    await r.until(() => r.acks.length === 5);
    expect(r.acks.map((a) => a[0])).toEqual(sent);
    const pubs = px.seen[0].up.filter((pk) => pk.cmd === "publish") as Array<{ dup: boolean; messageId: number }>;
    expect(pubs.map((pk) => [pk.messageId, pk.dup])).toEqual([
      [sent[0], false],
      [sent[1], false],
      [sent[0], true],
      [sent[1], true],
      [sent[2], false],
      [sent[3], false],
      [sent[4], false],
    ]);
    expect(px.cuts).toBe(0);
  });
});

describe("against raw servers", () => {
  async function raw(connack: ((conn: number) => number | null) | number | null): Promise<RawServer> {
    const s = await rawServer(connack);
    servers.push(s);
    return s;
  }

  test("CONNACK return codes 1-5 surfaced, each attempt after its backoff", async () => {
    const s = await raw((conn) => conn + 1);
    const r = make({ port: s.port, random: () => 0, backoff: 100, maxBackoff: 1000 });
    r.c.connect();
    for (let rc = 1; rc <= 5; rc++) {
      await r.until(() => r.closes === rc);
      r.advance(1000);
    }
    expect(r.errors).toEqual(["connack-1", "connack-2", "connack-3", "connack-4", "connack-5"]);
    expect(r.connects).toEqual([]);
  });

  test("keepalive: PINGREQ when idle, dead connection detected when the server stops answering", async () => {
    const s = await raw(0);
    const r = make({ port: s.port, keepalive: 2, timeout: 3000 });
    r.c.connect();
    await r.until(() => r.connects.length === 1);
    r.advance(1999);
    r.advance(1);
    await s.until(() => s.packets.some((p) => p.cmd === "pingreq"));
    r.advance(2999);
    expect(r.errors).toEqual([]);
    r.advance(1);
    expect(r.errors).toEqual(["ping-timeout"]);
    expect(r.closes).toBe(1);
    await s.until(() => s.conns[0].destroyed);
    // And it reconnects after the backoff.
    r.advance(750);
    await r.until(() => r.connects.length === 2);
    expect(s.conns.length).toBe(2);
  });

  test("no CONNACK: connect timeout, then retry", async () => {
    const s = await raw(null);
    const r = make({ port: s.port, timeout: 4000 });
    r.c.connect();
    await s.until(() => s.packets.length === 1);
    r.advance(3999);
    expect(r.closes).toBe(0);
    r.advance(1);
    expect(r.errors).toEqual(["connect-timeout"]);
    r.advance(750);
    await s.until(() => s.packets.length === 2);
    expect(s.packets.map((p) => p.cmd)).toEqual(["connect", "connect"]);
  });

  test("reconnect backoff doubles up to the cap, with jitter, reset by a success", async () => {
    // A port with nothing listening: every attempt is refused.
    const tmp = net.createServer();
    await new Promise<void>((res) => tmp.listen(0, "127.0.0.1", () => res()));
    const port = (tmp.address() as AddressInfo).port;
    await new Promise<void>((res) => tmp.close(() => res()));
    // random 0 gives the low end of each window ([d/2, d)), 0.999 the high end.
    const seq = [0, 0, 0, 0, 0, 0.999, 0.999];
    let k = 0;
    const r = make({ port, backoff: 1000, maxBackoff: 8000, random: () => seq[k++], start: 0 });
    r.c.connect();
    const gaps: number[] = [];
    for (let i = 0; i < seq.length; i++) {
      await r.until(() => r.closes === i + 1);
      // Drive the clock in 50 ms steps, as a platform ticking would, until the next open().
      const from = r.now();
      while (r.opens.length === i + 1) r.advance(50);
      gaps.push(r.now() - from);
    }
    expect(gaps).toEqual([500, 1000, 2000, 4000, 4000, 8000, 8000]);
  });

  test("a successful connection resets the backoff", async () => {
    const s = await raw((conn) => (conn < 2 ? 3 : 0));
    const r = make({ port: s.port, backoff: 1000, random: () => 0, start: 0 });
    r.c.connect();
    const gap = async (n: number): Promise<number> => {
      await r.until(() => r.closes === n);
      const from = r.now();
      while (r.opens.length === n) r.advance(50);
      return r.now() - from;
    };
    expect(await gap(1)).toBe(500);
    expect(await gap(2)).toBe(1000);
    await r.until(() => r.connects.length === 1);
    s.conns[2].destroy();
    expect(await gap(3)).toBe(500);
  });

  test("a full queue is an error, QoS 0 included; nothing is sent before connect()", () => {
    const opened: number[] = [];
    const c = mqttClient({ clientId: "q", queue: 2, open: () => opened.push(1) });
    c.tick(0);
    expect(c.publish("a", "1", 0)).toBe(0);
    expect(c.publish("a", "2", 1)).toBe(1);
    expect(() => c.publish("a", "3", 0)).toThrow(expect.objectContaining({ code: "queue-full" }));
    expect(() => c.subscribe("a/#", 1)).toThrow(expect.objectContaining({ code: "queue-full" }));
    c.tick(100_000);
    expect(opened).toEqual([]);
  });
});

describe("over TLS", () => {
  test("connects to a TLS listener, verifying its certificate, and publishes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mqtt-tls-"));
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
      "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")], { stdio: "ignore" });
    const key = readFileSync(join(dir, "key.pem"));
    const cert = readFileSync(join(dir, "cert.pem"));
    rmSync(dir, { recursive: true });
    const broker = await startBroker();
    const server = tls.createServer({ key, cert }, broker.aedes.handle);
    await new Promise<void>((res) => server.listen(0, "127.0.0.1", () => res()));
    servers.push({ close: () => new Promise<void>((res) => server.close(() => res())) }, broker);
    const p = await peer(broker.port);
    peers.push(p);
    await p.client.subscribeAsync("tls/#", { qos: 1 });
    const r = make({ port: (server.address() as AddressInfo).port, tls: { ca: cert } });
    r.c.connect();
    await r.until(() => r.connects.length === 1);
    r.c.publish("tls/a", "secret", 1);
    await p.until(() => p.got.length === 1);
    expect(p.got[0].text).toBe("secret");
    // An untrusted certificate fails the handshake: reported as a closed attempt.
    const bad = make({ port: (server.address() as AddressInfo).port, tls: true });
    bad.c.connect();
    await bad.until(() => bad.closes === 1);
    expect(bad.connects).toEqual([]);
  });
});
