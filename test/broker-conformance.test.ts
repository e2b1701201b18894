// The embedded broker (Aedes behind host/broker/gate.ts) over raw sockets: every malformed case
// of the parser's corpus (mqtt-malformed-cases.ts) closes that one connection with a log line
// naming the rule, while a healthy subscriber on the same broker keeps getting its messages;
// and the CONNECT/PUBLISH rules of MQTT 3.1.1 that Aedes alone let through, each with the exact
// CONNACK or close, checked against Debian mosquitto as well (the reference that gets them right).
import { createServer, type Server } from "node:http";
import net from "node:net";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startEmbeddedBroker, type EmbeddedBroker } from "../host/broker/embedded";
import { E_FIRST_NOT_CONNECT, E_SECOND_CONNECT } from "../host/broker/gate";
import { isProtocolError } from "../shared/errors";
import { encode } from "../shared/mqtt/generator";
import { MqttParser, SERVER_DECODERS } from "../shared/mqtt/parser";
import { startMosquitto, type Mosquitto } from "./host-helpers";
import { capturedLog, type LogLine } from "./log-capture";
import { CASES, connect, frame, s } from "./mqtt-malformed-cases";

const CONNACK_OK = "20020000";
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

// What a server must say about bytes: the rule our parser names ("no error" if none).
function serverRule(b: Uint8Array): string {
  try {
    new MqttParser(SERVER_DECODERS).push(b);
  } catch (e) {
    if (isProtocolError(e)) return e.code;
    throw e;
  }
  return "no error";
}

// A raw connection: everything received, and the close.
class Raw {
  readonly sock: net.Socket;
  got = Buffer.alloc(0);
  readonly closed: Promise<void>;
  private waiters: (() => void)[] = [];
  constructor(port: number) {
    this.sock = net.connect({ host: "127.0.0.1", port });
    this.sock.on("data", (d: Buffer) => {
      this.got = Buffer.concat([this.got, d]);
      for (const w of this.waiters.splice(0)) w();
    });
    this.sock.on("error", () => {});
    this.closed = new Promise((r) => this.sock.on("close", () => (r(), this.waiters.splice(0).forEach((w) => w()))));
  }
  send(b: Uint8Array): void {
    this.sock.write(b);
  }
  // Resolves once n bytes have arrived (or the connection closed first).
  async bytes(n: number): Promise<string> {
    while (this.got.length < n && !this.sock.destroyed) await new Promise<void>((r) => this.waiters.push(r));
    return hex(this.got);
  }
  // A session that CONNECT has opened.
  static async connected(port: number, clientId: string): Promise<Raw> {
    const r = new Raw(port);
    r.send(encode({ type: 1, clientId, clean: true, keepalive: 0 }));
    expect(await r.bytes(4)).toBe(CONNACK_OK);
    return r;
  }
}

// A well-behaved subscriber to conf/# and health/# and a publisher (mqtt.js, as users have
// them): markers published by one must reach the other, and nothing a bad client sent may.
class Healthy {
  private seen: { topic: string; payload: string }[] = [];
  private waiters: (() => void)[] = [];
  private n = 0;
  private constructor(
    private sub: MqttClient,
    private pub: MqttClient,
  ) {
    sub.on("message", (topic, payload) => {
      this.seen.push({ topic, payload: payload.toString() });
      for (const w of this.waiters.splice(0)) w();
    });
  }
  static async start(url: string): Promise<Healthy> {
    const sub = await mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0 });
    const h = new Healthy(sub, await mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0 }));
    await sub.subscribeAsync(["conf/#", "health/#"]);
    return h;
  }
  // Publishes a marker on topic and resolves with what the subscriber got under conf/ and
  // health/ from the previous marker up to this one (the marker last).
  async marker(topic = "health/tick"): Promise<{ topic: string; payload: string }[]> {
    const from = this.seen.length;
    const payload = "marker-" + ++this.n;
    this.pub.publish(topic, payload);
    for (;;) {
      const i = this.seen.findIndex((m, k) => k >= from && m.payload === payload);
      if (i >= 0) return this.seen.slice(from, i + 1);
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }
  async stop(): Promise<void> {
    await Promise.all([this.sub.endAsync(true), this.pub.endAsync(true)]);
  }
}

// For one describe block: an embedded broker logging into an array, and a healthy pair on it.
function useBroker(): { broker: () => EmbeddedBroker; healthy: () => Healthy; logs: LogLine[] } {
  const captured = capturedLog("warn");
  let broker: EmbeddedBroker;
  let healthy: Healthy;
  beforeAll(async () => {
    broker = await startEmbeddedBroker({ host: "127.0.0.1", port: 0, log: captured.log });
    healthy = await Healthy.start(broker.url);
  });
  afterAll(async () => {
    await healthy?.stop();
    await broker?.close();
  });
  return { broker: () => broker, healthy: () => healthy, logs: captured.lines };
}

describe("embedded broker: the malformed corpus", () => {
  const b = useBroker();
  const logs = b.logs;

  // Bytes a client may send a server (the corpus holds them as what a *client* must refuse)
  // and the case that needs a configured size limit are not malformed here.
  const cases = CASES.filter((c) => !c.max && serverRule(c.bytes) !== "no error");

  it("leaves out only the valid client packets and the size-limit case", () => {
    expect(CASES.filter((c) => !cases.includes(c)).map((c) => c.name)).toEqual([
      "client receives CONNECT",
      "client receives SUBSCRIBE",
      "client receives UNSUBSCRIBE",
      "client receives PINGREQ",
      "client receives DISCONNECT",
      "over maxPacketSize",
    ]);
  });

  for (const [i, c] of cases.entries()) {
    const rule = serverRule(c.bytes);
    it(`${c.name}: closed, [${rule}] logged, the healthy client unaffected`, async () => {
      const mark = logs.length;
      // A CONNECT goes first; anything else after a valid CONNECT, so the parser's rule is
      // what fails, not the first-packet rule.
      const first = c.bytes[0] >> 4 === 1;
      const raw = first ? new Raw(b.broker().port) : await Raw.connected(b.broker().port, "bad-" + i);
      raw.send(c.bytes);
      await raw.closed;
      const refusal = rule === "MQTT-3.1.2-2" ? "20020001" : rule === "MQTT-3.1.3-8" ? "20020002" : "";
      expect(hex(raw.got)).toBe(first ? refusal : CONNACK_OK);
      expect(logs.slice(mark).filter((l) => l.event === "protocol-violation")).toMatchObject([{ rule }]);
      // Nothing of it was routed, and the healthy pair still talks.
      expect((await b.healthy().marker()).map((m) => m.topic)).toEqual(["health/tick"]);
    });
  }

  it("a packet before CONNECT and a second CONNECT close with their rules", async () => {
    const mark = logs.length;
    const a = new Raw(b.broker().port);
    a.send(frame(0xc0));
    await a.closed;
    const twice = await Raw.connected(b.broker().port, "twice");
    twice.send(encode({ type: 1, clientId: "twice", clean: true, keepalive: 0 }));
    await twice.closed;
    expect(hex(a.got)).toBe("");
    expect(hex(twice.got)).toBe(CONNACK_OK);
    expect(logs.slice(mark).map((l) => l.rule)).toEqual([E_FIRST_NOT_CONNECT, E_SECOND_CONNECT]);
  });
});

// MQTT 3.1.1's CONNECT and PUBLISH rules that Aedes on its own accepted (issue 12), with the
// outcome the spec requires: the bytes received before the close ("" = closed without a word).
interface Rule {
  name: string;
  rule: string;
  before?: "connect"; // sent after a valid CONNECT
  bytes: Uint8Array;
  answer: string;
}

const TOPIC_BAD_UTF8 = s([0x63, 0x6f, 0x6e, 0x66, 0x2f, 0xc3, 0x28]); // "conf/" + C3 28
const TOPIC_NUL = s([0x63, 0x6f, 0x6e, 0x66, 0x2f, 0x61, 0x00, 0x62]); // "conf/a\0b"
const RULES: Rule[] = [
  { name: "password flag without user name", rule: "MQTT-3.1.2-22", bytes: connect(0x42, s("r1"), s([1, 2])), answer: "" },
  { name: "will QoS 3", rule: "MQTT-3.1.2-14", bytes: connect(0x1e, s("r2"), s("conf/will"), s("gone")), answer: "" },
  { name: "QoS 1 PUBLISH with packet id 0", rule: "MQTT-2.3.1-1", before: "connect", bytes: frame(0x32, s("conf/q1"), [0, 0], 0x41), answer: CONNACK_OK },
  { name: "topic of ill-formed UTF-8", rule: "MQTT-1.5.3-1", before: "connect", bytes: frame(0x30, TOPIC_BAD_UTF8, 0x41), answer: CONNACK_OK },
  { name: "topic with U+0000", rule: "MQTT-1.5.3-2", before: "connect", bytes: frame(0x30, TOPIC_NUL, 0x41), answer: CONNACK_OK },
  { name: 'protocol name "MQTT" with level 3', rule: "MQTT-3.1.2-2", bytes: frame(0x10, s("MQTT"), 3, 2, [0, 60], s("r6")), answer: "20020001" },
  { name: "zero-length client id with CleanSession 0", rule: "MQTT-3.1.3-8", bytes: connect(0, s("")), answer: "20020002" },
];

async function checkRules(port: () => number, healthy: () => Healthy, logged?: (mark: number) => { rule?: string }[]): Promise<void> {
  for (const r of RULES) {
    const mark = logged ? logged(0).length : 0;
    const raw = r.before ? await Raw.connected(port(), "rule-client") : new Raw(port());
    raw.send(r.bytes);
    await raw.closed;
    expect(hex(raw.got), r.name).toBe(r.answer);
    if (logged) expect(logged(mark).map((l) => l.rule), r.name).toEqual([r.rule]);
    // Nothing was routed: no will (the connection was closed, not disconnected), no PUBLISH.
    expect((await healthy().marker("conf/marker")).map((m) => m.topic), r.name).toEqual(["conf/marker"]);
  }
}

describe("MQTT 3.1.1 CONNECT/PUBLISH rules: embedded broker", () => {
  const b = useBroker();
  const logs = b.logs;

  it("each closes the connection, or refuses it with the CONNACK the spec names, and logs the rule", async () => {
    await checkRules(
      () => b.broker().port,
      b.healthy,
      (mark) => logs.slice(mark).filter((l) => l.event === "protocol-violation"),
    );
  });

  it('MQTT 3.1 ("MQIsdp") is not spoken: closed under MQTT-3.1.2-1', async () => {
    const mark = logs.length;
    const raw = new Raw(b.broker().port);
    raw.send(frame(0x10, s("MQIsdp"), 3, 2, [0, 60], s("v31")));
    await raw.closed;
    expect(hex(raw.got)).toBe("");
    expect(logs.slice(mark).map((l) => l.rule)).toEqual(["MQTT-3.1.2-1"]);
  });
});

describe("embedded broker: MQTT over WebSocket (/mqtt) passes the same gate", () => {
  const b = useBroker();
  const logs = b.logs;
  let http: Server;
  beforeAll(async () => {
    http = createServer();
    http.on("upgrade", (req, socket, head) => b.broker().handleUpgrade(req, socket, head));
    await new Promise<void>((r) => http.listen(0, "127.0.0.1", () => r()));
  });
  afterAll(async () => {
    await new Promise((r) => http?.close(r));
  });

  it("a QoS 1 PUBLISH with packet id 0 closes the WebSocket, the rule logged", async () => {
    const ws = new WebSocket("ws://127.0.0.1:" + (http.address() as net.AddressInfo).port + "/mqtt", ["mqtt"]);
    const got: string[] = [];
    ws.on("message", (d) => {
      got.push(Buffer.from(d as Buffer).toString("hex"));
      if (got.join("") === CONNACK_OK) ws.send(frame(0x32, s("conf/q1"), [0, 0], 0x41));
    });
    const closed = new Promise<void>((r) => ws.on("close", () => r()));
    ws.on("open", () => ws.send(encode({ type: 1, clientId: "ws-bad", clean: true, keepalive: 0 })));
    await closed;
    // (Aedes writes a packet in pieces, and each piece is a WebSocket message of its own.)
    expect(got.join("")).toBe(CONNACK_OK);
    expect(logs.filter((l) => l.event === "protocol-violation").map((l) => l.rule)).toEqual(["MQTT-2.3.1-1"]);
  });
});

describe("MQTT 3.1.1 CONNECT/PUBLISH rules: mosquitto, the reference", () => {
  let m: Mosquitto;
  let healthy: Healthy;
  beforeAll(async () => {
    m = await startMosquitto();
    healthy = await Healthy.start("mqtt://127.0.0.1:" + m.port);
  });
  afterAll(async () => {
    await healthy?.stop();
    await m?.stop();
  });

  it("gives the same answers", async () => {
    await checkRules(
      () => m.port,
      () => healthy,
    );
  });
});
