// The host's size and connection limits (issue 13, item 6), over raw sockets: four 90 MB
// packets before login grew the process by 364 MB (MQTT/TCP and /mqtt); a device could
// publish a retained 20 MB info, which /api/devices then served; one stalled subscriber with
// 3,000 publishers grew RSS from 169 to 826 MB; 20,500 idle sockets used up the file
// descriptors. Each limit here is set small through ServiceOptions, and each refusal must
// show in the log. Other hosts are 127.0.0.x (x > 1): 127.0.0.1 is not limited per address.
import { request } from "node:http";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Service } from "../host/bridge/service";
import type { Limits } from "../host/broker/limits";
import { addressKey } from "../host/broker/admission";
import { encode } from "../shared/mqtt/generator";
import { startMosquitto, startTestService, waitDevice, type Mosquitto } from "./host-helpers";
import { RawMqtt } from "./helpers/raw-mqtt";
import { capturedLog } from "./log-capture";

type Line = Record<string, unknown>;
const MiB = 1024 * 1024;

const publish = (topic: string, n: number, o: { retain?: boolean; qos?: number; id?: number } = {}) =>
  encode({ type: 3, topic, payload: new Uint8Array(n).fill(7), qos: o.qos ?? 0, retain: !!o.retain, dup: false, id: o.qos ? (o.id ?? 1) : undefined });

// The fixed header of a PUBLISH announcing `size` bytes, then as many zero bytes as the
// server takes, 1 MiB at a time, until it closes: resolves with the bytes written by then.
function flood(sock: net.Socket, head: Uint8Array, size: number): Promise<number> {
  return new Promise((resolve) => {
    let written = 0;
    const chunk = Buffer.alloc(MiB);
    const more = () => {
      while (!sock.destroyed && written < size) {
        written += chunk.length;
        if (!sock.write(chunk)) return void sock.once("drain", more);
      }
    };
    sock.on("error", () => {});
    sock.once("close", () => resolve(written));
    sock.write(head);
    more();
  });
}

function varint(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n) b |= 128;
    out.push(b);
  } while (n);
  return out;
}

function useService(limits: Partial<Limits>) {
  const captured = capturedLog("info");
  const ctx = { svc: null as unknown as Service, port: 0, lines: captured.lines as Line[] };
  beforeAll(async () => {
    ctx.svc = await startTestService({ log: captured.log, limits });
    ctx.port = Number(new URL(ctx.svc.mqttUrl).port);
  });
  afterAll(async () => ctx.svc?.close());
  return ctx;
}

describe("packet sizes", () => {
  const ctx = useService({ loginBytes: 4096, packetBytes: 64 * 1024 });

  it("refuses a 90 MB packet before login at its fixed header (MQTT over TCP)", async () => {
    const c = new RawMqtt(ctx.port);
    await c.opened;
    const written = await flood(c.sock, new Uint8Array([0x10, ...varint(90_000_000)]), 90_000_000);
    expect(written).toBeLessThan(16 * MiB);
    expect(ctx.lines.some((l) => l.event === "protocol-violation" && l.rule === "mqtt-packet-too-large" && l.max === 4096)).toBe(true);
  });

  it("refuses a 90 MB WebSocket message on /mqtt at its frame header", async () => {
    const url = new URL(ctx.svc.httpUrl);
    const sock = net.connect({ host: url.hostname, port: Number(url.port) });
    await new Promise<void>((r) => sock.once("connect", () => r()));
    sock.write(
      "GET /mqtt HTTP/1.1\r\nHost: " + url.host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
        "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n",
    );
    await new Promise<void>((r) => sock.once("data", (d: Buffer) => (expect(d.toString()).toMatch(/^HTTP\/1.1 101/), r())));
    // A masked binary frame announcing 90,000,000 bytes (64-bit length).
    const len = Buffer.alloc(8);
    len.writeBigUInt64BE(90_000_000n);
    const head = Buffer.concat([Buffer.from([0x82, 0x80 | 127]), len, Buffer.from([1, 2, 3, 4])]);
    const written = await flood(sock, head, 90_000_000);
    expect(written).toBeLessThan(16 * MiB);
  });

  it("refuses more than --max-login-bytes sent before the login is accepted", async () => {
    const c = new RawMqtt(ctx.port);
    await c.opened;
    // CONNECT and three 2 KiB publishes in one write: each fits, together they do not.
    c.send(Buffer.concat([encode({ type: 1, clientId: "early", clean: true, keepalive: 0 }), publish("t/early", 2048), publish("t/early", 2048), publish("t/early", 2048)]));
    await c.closed;
    expect(c.packets.length).toBe(0);
    expect(ctx.lines.some((l) => l.event === "protocol-violation" && l.rule === "pinwire-login-bytes" && l.max === 4096)).toBe(true);
  });

  it("closes a connection that sends a packet over --max-packet after login; one under it is delivered", async () => {
    const { c: sub } = await RawMqtt.login(ctx.port, { clientId: "size-sub" });
    await sub.subscribe(1, [{ topic: "t/size", qos: 0 }]);
    const { c: pub } = await RawMqtt.login(ctx.port, { clientId: "size-pub" });
    pub.send(publish("t/size", 60 * 1024));
    expect((await sub.received(1, "t/size"))[0].payload.length).toBe(60 * 1024);
    pub.send(publish("t/size", 100 * 1024));
    await pub.closed;
    expect(ctx.lines.some((l) => l.event === "protocol-violation" && l.rule === "mqtt-packet-too-large" && l.max === 64 * 1024)).toBe(true);
    await sub.close();
  });
});

describe("retained payloads", () => {
  const ctx = useService({ retainedBytes: 1024, retainedTotalBytes: 16 * 1024 });

  it("refuses a retained payload over --max-retained, which then never reaches /api/devices", async () => {
    const { c: dev } = await RawMqtt.login(ctx.port, { clientId: "pinwire-big" });
    const info = JSON.stringify({ id: "big", board: "esp8266", pad: "x".repeat(2000) });
    dev.send(encode({ type: 3, topic: "pinwire/big/info", payload: new TextEncoder().encode(info), qos: 0, retain: true, dup: false }));
    await dev.closed;
    expect(ctx.lines.some((l) => l.event === "retained-too-large" && l.topic === "pinwire/big/info" && l.max === 1024)).toBe(true);
    // The same size not retained passes; a small retained info is kept and listed.
    const { c: sub } = await RawMqtt.login(ctx.port, { clientId: "ret-sub" });
    await sub.subscribe(1, [{ topic: "t/plain", qos: 0 }]);
    const { c: dev2 } = await RawMqtt.login(ctx.port, { clientId: "pinwire-big2" });
    dev2.send(publish("t/plain", 2000));
    await sub.received(1, "t/plain");
    dev2.send(encode({ type: 3, topic: "pinwire/big/info", payload: new TextEncoder().encode(JSON.stringify({ id: "big", board: "esp8266" })), qos: 1, retain: true, dup: false, id: 1 }));
    await dev2.next((p) => p.type === 4);
    const listed = (await (await fetch(ctx.svc.httpUrl + "/api/devices")).json()) as { id: string; info: unknown }[];
    expect(JSON.stringify(listed.find((d) => d.id === "big")?.info ?? null).length).toBeLessThan(200);
    await Promise.all([sub.close(), dev2.close()]);
  });

  it("keeps at most --max-retained-total; a topic it holds may still be replaced", async () => {
    const { c: pub } = await RawMqtt.login(ctx.port, { clientId: "fill" });
    const parts: Uint8Array[] = [];
    for (let i = 0; i < 40; i++) parts.push(publish("fill/" + i, 1000, { retain: true }));
    parts.push(new Uint8Array([0xc0, 0]));
    pub.send(Buffer.concat(parts));
    await pub.next((p) => p.type === 13);
    expect(ctx.lines.some((l) => l.event === "retained-store-full" && l.max === 16 * 1024)).toBe(true);
    const kept = ctx.svc.broker!.aedes as unknown as { persistence: { createRetainedStreamCombi(f: string[]): AsyncIterable<unknown> } };
    let n = 0;
    for await (const _ of kept.persistence.createRetainedStreamCombi(["fill/#"])) n++;
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(17);
    pub.send(publish("fill/0", 900, { retain: true, qos: 1, id: 7 }));
    await pub.next((p) => p.type === 4);
    const { c: late } = await RawMqtt.login(ctx.port, { clientId: "fill-late" });
    await late.subscribe(1, [{ topic: "fill/0", qos: 0 }]);
    expect((await late.received(1, "fill/0"))[0].payload.length).toBe(900);
    await Promise.all([pub.close(), late.close()]);
  });
});

describe("queued bytes per subscriber", () => {
  const ctx = useService({ queuedBytes: 256 * 1024 });

  it("disconnects a QoS 1 subscriber that stops reading; the others get every QoS 1 message, in order", async () => {
    const { c: stalled } = await RawMqtt.login(ctx.port, { clientId: "stalled" });
    await stalled.subscribe(1, [{ topic: "q/#", qos: 1 }]);
    stalled.sock.pause();
    const { c: healthy } = await RawMqtt.login(ctx.port, { clientId: "healthy" });
    await healthy.subscribe(1, [{ topic: "q/#", qos: 1 }]);
    // healthy acknowledges each QoS 1 delivery as a client must.
    healthy.sock.on("data", () => {
      for (const p of healthy.packets.splice(0)) if (p.type === 3) {
        got.push(p.payload[0] | (p.payload[1] << 8));
        if (p.id) healthy.send({ type: 4, id: p.id });
      }
    });
    const got: number[] = [];
    const { c: pub } = await RawMqtt.login(ctx.port, { clientId: "q-pub" });
    const N = 10000; // 10,000 x 4 KiB = 40 MiB: more than the socket buffers of a reader that stopped hold
    for (let i = 0; i < N; i++) {
      const b = new Uint8Array(4096);
      b[0] = i & 255;
      b[1] = i >> 8;
      pub.send(encode({ type: 3, topic: "q/" + (i % 10), payload: b, qos: 1, retain: false, dup: false, id: (i % 65535) + 1 }));
    }
    await healthy.until(() => got.length >= N);
    expect(got).toEqual(Array.from({ length: N }, (_, i) => i));
    const line = ctx.lines.find((l) => l.event === "slow-subscriber-disconnected");
    expect(line).toMatchObject({ client: "stalled", max: 256 * 1024 });
    // It sees the close once it reads again (a paused socket does not read its end).
    stalled.sock.resume();
    await stalled.closed;
    await Promise.all([healthy.close(), pub.close()]);
  });
});

describe("connections", () => {
  const ctx = useService({ connections: 14, connectionsPerAddress: 5 });

  // A TCP connection from `from` that the server keeps (true) or closes at once (false).
  function kept(port: number, from: string): Promise<{ ok: boolean; sock: net.Socket }> {
    return new Promise((resolve) => {
      const sock = net.connect({ host: "127.0.0.1", port, localAddress: from });
      sock.on("error", () => {});
      sock.once("close", () => resolve({ ok: false, sock }));
      // Kept: it answers a CONNECT.
      sock.once("connect", () => sock.write(encode({ type: 1, clientId: "c-" + Math.random().toString(16).slice(2), clean: true, keepalive: 0 })));
      sock.once("data", () => resolve({ ok: true, sock }));
    });
  }
  const httpFrom = (from: string) =>
    new Promise<number>((resolve) => {
      const u = new URL(ctx.svc.httpUrl + "/healthz");
      const req = request({ host: u.hostname, port: u.port, path: u.pathname, localAddress: from, agent: false }, (res) => (res.resume(), resolve(res.statusCode!)));
      req.on("error", () => resolve(0));
      req.end();
    });

  it("refuses a sixth connection from one address on MQTT and on HTTP, not from another", async () => {
    const five = await Promise.all([1, 2, 3, 4, 5].map(() => kept(ctx.port, "127.0.0.2")));
    expect(five.map((x) => x.ok)).toEqual([true, true, true, true, true]);
    expect((await kept(ctx.port, "127.0.0.2")).ok).toBe(false);
    expect(await httpFrom("127.0.0.2")).toBe(0);
    const other = await kept(ctx.port, "127.0.0.3");
    expect(other.ok).toBe(true);
    expect(await httpFrom("127.0.0.3")).toBe(200);
    expect(ctx.lines.some((l) => l.event === "connection-limit" && l.limit === "connections-per-address" && l.max === 5)).toBe(true);
    for (const x of [...five, other]) x.sock.destroy();
  });

  it("refuses connections over the total, then takes them again once some close", async () => {
    const open: net.Socket[] = [];
    // 127.0.0.1 is not limited per address: fill the total from it.
    for (;;) {
      const x = await kept(ctx.port, "127.0.0.1");
      if (!x.ok) break;
      open.push(x.sock);
      expect(open.length).toBeLessThan(15);
    }
    expect(await httpFrom("127.0.0.1")).toBe(0);
    expect(ctx.lines.some((l) => l.event === "connection-limit" && l.limit === "connections" && l.max === 14)).toBe(true);
    for (const s of open) s.destroy();
    // Freed once the server has seen them close: the first connection it keeps is the sign.
    let x = await kept(ctx.port, "127.0.0.1");
    while (!x.ok) x = await kept(ctx.port, "127.0.0.1");
    x.sock.destroy();
  });
});

describe("the address a connection is counted under", () => {
  it("is the IPv4 address (mapped too), an IPv6 /64, or none for 127.0.0.1 and ::1", () => {
    expect(addressKey("10.1.2.3")).toBe("10.1.2.3");
    expect(addressKey("::ffff:10.1.2.3")).toBe("10.1.2.3");
    expect(addressKey("127.0.0.2")).toBe("127.0.0.2");
    expect(addressKey("127.0.0.1")).toBeNull();
    expect(addressKey("::ffff:127.0.0.1")).toBeNull();
    expect(addressKey("::1")).toBeNull();
    expect(addressKey("2001:db8:0:1::5")).toBe("2001:db8:0:1::/64");
    expect(addressKey("2001:DB8:0:1:ab:cd:ef:1")).toBe("2001:db8:0:1::/64");
    expect(addressKey("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
  });
});

describe("a large retained info on another broker", () => {
  let mosq: Mosquitto;
  let svc: Service;
  const captured = capturedLog("info");
  beforeAll(async () => {
    mosq = await startMosquitto();
    svc = await startTestService({ log: captured.log, broker: "mqtt://127.0.0.1:" + mosq.port });
  });
  afterAll(async () => {
    await svc?.close();
    await mosq?.stop();
  });

  it("is not kept or served by the bridge (mosquitto retains it)", async () => {
    const { c } = await RawMqtt.login(mosq.port, { clientId: "pinwire-huge" });
    const big = JSON.stringify({ id: "huge", board: "esp8266", pad: "x".repeat(100 * 1024) });
    c.send(encode({ type: 3, topic: "pinwire/huge/info", payload: new TextEncoder().encode(big), qos: 1, retain: true, dup: false, id: 1 }));
    c.send(encode({ type: 3, topic: "pinwire/huge/status", payload: new TextEncoder().encode("online"), qos: 1, retain: true, dup: false, id: 2 }));
    await c.next((p) => p.type === 4 && (p as { id: number }).id === 2);
    await waitDevice(svc, "huge", (d) => d.status === "online");
    expect(captured.lines.some((l) => l.event === "bad-info")).toBe(true);
    const listed = (await (await fetch(svc.httpUrl + "/api/devices")).json()) as { id: string; info: unknown }[];
    expect(listed.find((d) => d.id === "huge")?.info).toBeNull();
    c.send(encode({ type: 3, topic: "pinwire/huge/info", payload: new Uint8Array(0), qos: 0, retain: true, dup: false }));
    await c.close();
  });
});
