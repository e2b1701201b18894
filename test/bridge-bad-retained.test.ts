// A broker that serves retained messages the MQTT client must refuse (U+0000, ill-formed UTF-8
// in the topic) after every SUBSCRIBE. The bridge logs each with its rule and carries on: one
// connection for the whole test, and every viewer command still reaches the broker. The
// "broker" is a raw TCP server speaking just enough MQTT 3.1.1 (mqtt-packet reads what the
// bridge sends; the bad packets are written byte by byte, as no conforming encoder would).
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import net, { type AddressInfo } from "node:net";
import { Writable } from "node:stream";
import mqttPacket from "mqtt-packet";
import { createLogger } from "../host/log";
import { publishGuard } from "../host/net/publish-guard";
import type { Service } from "../host/bridge/service";
import { startTestService, wsUrl, Collector, isJson, waitDevice } from "./host-helpers";
import { catalogueOf, encode } from "./helpers/boards";

// A PUBLISH with the topic given as raw bytes.
function rawPublish(topic: Buffer, payload: Buffer, o: { qos?: number; retain?: boolean; id?: number } = {}): Buffer {
  const qos = o.qos ?? 0;
  const id = qos ? Buffer.from([o.id! >> 8, o.id! & 255]) : Buffer.alloc(0);
  const body = Buffer.concat([Buffer.from([topic.length >> 8, topic.length & 255]), topic, id, payload]);
  if (body.length > 127) throw new Error("keep test packets short");
  return Buffer.concat([Buffer.from([0x30 | (qos << 1) | (o.retain ? 1 : 0), body.length]), body]);
}

interface RawBroker {
  port: number;
  connections: number;
  commands: Buffer[]; // payloads the bridge published on pinwire/good1/cmd
  acked: number[]; // packet ids the bridge acknowledged (PUBACK / PUBREC)
  waitCommands(n: number): Promise<void>;
  close(): Promise<void>;
}

const BAD_NUL = rawPublish(Buffer.from("pinwire/bad\0/status", "latin1"), Buffer.from("online"), { retain: true });
const BAD_UTF8 = rawPublish(Buffer.concat([Buffer.from("pinwire/bad"), Buffer.from([0xc3, 0x28]), Buffer.from("/info")]), Buffer.from("{}"), { retain: true, qos: 1, id: 7 });
const GOOD = rawPublish(Buffer.from("pinwire/good1/status"), Buffer.from("online"), { retain: true });
// The good device's catalogue and info (servo-light), as a board leaves them retained.
let GOOD_APP: Buffer;
const retained = (topic: string, payload: string) => mqttPacket.generate({ cmd: "publish", topic, payload: Buffer.from(payload), qos: 0, retain: true, dup: false } as any);

async function startRawBroker(): Promise<RawBroker> {
  const socks = new Set<net.Socket>();
  let waiters: { n: number; resolve: () => void }[] = [];
  const b: RawBroker = {
    port: 0,
    connections: 0,
    commands: [],
    acked: [],
    waitCommands: (n) => (b.commands.length >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
    close: () => new Promise<void>((r) => (socks.forEach((s) => s.destroy()), server.close(() => r()))),
  };
  const server = net.createServer((s) => {
    b.connections++;
    socks.add(s);
    s.on("close", () => socks.delete(s));
    s.on("error", () => {});
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    parser.on("packet", (p: any) => {
      if (p.cmd === "connect") s.write(mqttPacket.generate({ cmd: "connack", returnCode: 0, sessionPresent: false } as any));
      else if (p.cmd === "subscribe") {
        s.write(mqttPacket.generate({ cmd: "suback", messageId: p.messageId, granted: p.subscriptions.map((x: any) => x.qos) } as any));
        // Retained messages follow the SUBACK, as brokers send them: the bad ones split
        // across writes, then a good one right behind them in the same write.
        if (p.subscriptions.some((x: any) => x.topic === "pinwire/+/status")) {
          s.write(BAD_NUL.subarray(0, 5));
          s.write(Buffer.concat([BAD_NUL.subarray(5), BAD_UTF8, GOOD, GOOD_APP]));
        }
      } else if (p.cmd === "publish") {
        if (p.topic === "pinwire/good1/cmd") {
          b.commands.push(Buffer.from(p.payload));
          waiters = waiters.filter((w) => (b.commands.length >= w.n ? (w.resolve(), false) : true));
        }
        if (p.qos === 1) s.write(mqttPacket.generate({ cmd: "puback", messageId: p.messageId } as any));
      } else if (p.cmd === "puback" || p.cmd === "pubrec") b.acked.push(p.messageId);
      else if (p.cmd === "pingreq") s.write(mqttPacket.generate({ cmd: "pingresp" } as any));
      else if (p.cmd === "unsubscribe") s.write(mqttPacket.generate({ cmd: "unsuback", messageId: p.messageId } as any));
    });
    s.on("data", (d) => parser.parse(d));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  b.port = (server.address() as AddressInfo).port;
  return b;
}

let broker: RawBroker;
let svc: Service;
const lines: any[] = [];

beforeAll(async () => {
  const c = await catalogueOf("servo-light");
  GOOD_APP = Buffer.concat([retained("pinwire/good1/app", JSON.stringify(c)), retained("pinwire/good1/info", JSON.stringify({ id: "good1", app: c.app, version: c.version, hash: c.hash }))]);
  broker = await startRawBroker();
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const l of chunk.toString().split("\n")) if (l) lines.push(JSON.parse(l));
      cb();
    },
  });
  svc = await startTestService({ broker: "mqtt://127.0.0.1:" + broker.port, discovery: false, log: createLogger({ destination: sink }) });
});

afterAll(async () => {
  await svc?.close();
  await broker?.close();
});

describe("a bad retained message from the broker", () => {
  it("is logged with its rule and skipped; one connection, every viewer command delivered", async () => {
    await waitDevice(svc, "good1", (d) => d.status === "online" && d.app !== null);
    const viewer = await new Collector(wsUrl(svc, "/ws/good1")).open();
    await viewer.next(isJson("hello", (o) => o.device.status === "online"));
    const N = 99;
    for (let i = 0; i < N; i++) viewer.ws.send(await encode("servo-light", "SERVO_ROTATE", i));
    await broker.waitCommands(N);
    expect(broker.commands.map((c) => c.readInt32LE(4))).toEqual([...Array(N).keys()]);
    expect(broker.connections).toBe(1);

    const skipped = lines.filter((l) => l.event === "publish-skipped");
    expect(skipped.map((l) => l.rule)).toEqual(["MQTT-1.5.3-2", "MQTT-1.5.3-1"]);
    expect(skipped[0]).toMatchObject({ retain: true, qos: 0, topicHex: Buffer.from("pinwire/bad\0/status", "latin1").toString("hex") });
    expect(skipped[0].why).toMatch(/U\+0000/);
    expect(skipped[1]).toMatchObject({ retain: true, qos: 1, acked: true });
    // The QoS 1 one was acknowledged, so a broker would not send it again on this session.
    expect(broker.acked).toEqual([7]);
    expect(svc.bridge.devices().map((d) => d.id)).toEqual(["good1"]);
    expect(lines.filter((l) => l.event === "reconnect")).toEqual([]);
    await viewer.close();
  });
});

describe("publishGuard", () => {
  // The client side of the guard: records what reaches it.
  function sink() {
    const got: Buffer[] = [];
    return { got, connected: () => {}, data: (b: Uint8Array) => void got.push(Buffer.from(b)), closed: () => {} };
  }

  it("passes good packets through byte for byte, however the stream is cut, and acks a refused QoS 2 PUBLISH", () => {
    const good1 = mqttPacket.generate({ cmd: "publish", topic: "a/b", payload: Buffer.from("x"), qos: 1, messageId: 3, retain: false, dup: false } as any);
    const bad = rawPublish(Buffer.from("a/+"), Buffer.from("y"), { qos: 2, id: 9 });
    const good2 = mqttPacket.generate({ cmd: "suback", messageId: 4, granted: [0] } as any);
    const stream = Buffer.concat([good1, bad, good2]);
    for (const cut of [1, 2, 3, 7, stream.length]) {
      const c = sink();
      const written: Buffer[] = [];
      const skipped: any[] = [];
      const g = publishGuard(c, (s) => skipped.push(s));
      g.connected({ write: (b) => void written.push(Buffer.from(b)), close: () => {} });
      for (let i = 0; i < stream.length; i += cut) g.data(new Uint8Array(stream.subarray(i, i + cut)));
      expect(Buffer.concat(c.got).equals(Buffer.concat([good1, good2])), "cut " + cut).toBe(true);
      expect(skipped).toMatchObject([{ rule: "MQTT-3.3.2-2", qos: 2, acked: true }]);
      expect(Buffer.from(skipped[0].topic).toString()).toBe("a/+");
      expect(written).toEqual([Buffer.from([0x50, 2, 0, 9])]); // PUBREC 9
    }
  });

  it("hands an unreadable fixed header to the client, whose parser refuses it", () => {
    const c = sink();
    const g = publishGuard(c, () => {});
    g.connected({ write: () => {}, close: () => {} });
    const junk = Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x7f, 1, 2]);
    g.data(new Uint8Array(junk));
    g.data(new Uint8Array([3]));
    expect(Buffer.concat(c.got).equals(Buffer.concat([junk, Buffer.from([3])]))).toBe(true);
  });
});
