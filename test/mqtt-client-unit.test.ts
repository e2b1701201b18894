// Edges of the client state machine that no broker can be asked to produce on cue (late or
// stale transports, a server breaking the protocol, packet-id wrap), over an in-memory
// transport; mqtt-packet decodes what the client writes and encodes what it is fed.
import mqttPacket from "mqtt-packet";
import { describe, expect, test } from "vitest";
import { E_CONNACK_RESERVED, E_FIELD_TYPE, E_KEEPALIVE } from "../shared/mqtt/constants";
import { codeOf } from "./error-code";
import { mqttClient, type MqttClient, type MqttClientOptions, type Transport } from "../shared/mqtt/client";

interface Fake extends Transport {
  sent: mqttPacket.Packet[];
  closedByClient: boolean;
}

function fake(): Fake {
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  const t: Fake = {
    sent: [],
    closedByClient: false,
    write: (b) => parser.parse(Buffer.from(b)),
    close: () => {
      t.closedByClient = true;
    },
  };
  parser.on("packet", (p: mqttPacket.Packet) => t.sent.push(p));
  return t;
}

const feed = (c: MqttClient, p: object): void => c.data(new Uint8Array(mqttPacket.generate(p as mqttPacket.Packet)));

function setup(o: Partial<MqttClientOptions> = {}) {
  const events: string[] = [];
  let opens = 0;
  const c = mqttClient({ clientId: "u", random: () => 0, open: () => opens++, ...o });
  c.onconnect = () => events.push("connect");
  c.onclose = () => events.push("close");
  c.onerror = (e) => events.push("error " + e.code);
  c.onmessage = (topic, payload) => events.push("message " + topic + " " + Buffer.from(payload).toString("hex"));
  c.tick(0);
  return { c, events, opens: () => opens };
}

describe("MQTT client state machine", () => {
  test("a string password, will payload or publish payload goes out as its UTF-8 bytes", () => {
    const { c } = setup({ username: "u", password: "p\u00e9", will: { topic: "w", payload: "off\u00e9", qos: 1, retain: true } });
    c.connect();
    const t = fake();
    c.connected(t);
    const con = t.sent[0] as mqttPacket.IConnectPacket;
    expect(Buffer.from(con.password!).toString("hex")).toBe("70c3a9");
    expect(Buffer.from(con.will!.payload).toString("hex")).toBe("6f6666c3a9");
    feed(c, { cmd: "connack", returnCode: 0, sessionPresent: false });
    c.publish("s", "\u00e9\u20ac", 0);
    expect(Buffer.from((t.sent[1] as mqttPacket.IPublishPacket).payload).toString("hex")).toBe("c3a9e282ac");
    // The host's check reads a string as its bytes; a number is still refused.
    expect(codeOf(() => mqttClient({ clientId: "u", open: () => {}, will: { topic: "w", payload: 5 as unknown as string, qos: 0, retain: false } }))).toBe(E_FIELD_TYPE);
  });

  test("CONNECT carries the options; binary payloads go out unchanged", () => {
    const { c, events } = setup({
      clientId: "dev-1",
      clean: false,
      keepalive: 30,
      username: "u",
      password: new Uint8Array([0, 1, 2]),
      will: { topic: "w", payload: new Uint8Array([255]), qos: 2, retain: true },
    });
    c.connect();
    const t = fake();
    c.connected(t);
    expect(t.sent[0]).toMatchObject({
      cmd: "connect",
      clientId: "dev-1",
      clean: false,
      keepalive: 30,
      username: "u",
      will: { topic: "w", qos: 2, retain: true },
    });
    expect([...(t.sent[0] as mqttPacket.IConnectPacket).password!]).toEqual([0, 1, 2]);
    feed(c, { cmd: "connack", returnCode: 0, sessionPresent: false });
    expect(events).toEqual(["connect"]);
    c.publish("bin", new Uint8Array([0, 0x80, 0xff]), 0);
    expect([...(t.sent[1] as mqttPacket.IPublishPacket).payload]).toEqual([0, 0x80, 0xff]);
    feed(c, { cmd: "publish", topic: "in", payload: Buffer.from([1, 254]), qos: 0 });
    expect(events[1]).toBe("message in 01fe");
    c.end();
    expect(t.sent[t.sent.length - 1].cmd).toBe("disconnect");
    expect(t.closedByClient).toBe(true);
  });

  test("options that cannot be sent as given are refused when the client is made", () => {
    // 70000 would go out as 4464 while the client timed its pings by 70000 s.
    for (const keepalive of [70000, 65536, -1, 3.1416, NaN]) expect(codeOf(() => setup({ keepalive })), String(keepalive)).toBe(E_KEEPALIVE);
    expect(codeOf(() => setup({ clientId: 5 as unknown as string }))).toBe(E_FIELD_TYPE);
    expect(codeOf(() => setup({ will: { topic: "w", payload: 42 as unknown as Uint8Array, qos: 0, retain: false } }))).toBe(E_FIELD_TYPE);
    for (const keepalive of [0, 1, 65535, undefined]) expect(codeOf(() => setup({ keepalive })), String(keepalive)).toBe("no error");
  });

  test("a transport that connects after the attempt timed out is closed, not used", () => {
    const { c, events, opens } = setup({ timeout: 1000 });
    c.connect();
    expect(opens()).toBe(1);
    c.tick(1000);
    expect(events).toEqual(["error connect-timeout", "close"]);
    const late = fake();
    c.connected(late);
    expect(late.closedByClient).toBe(true);
    expect(late.sent).toEqual([]);
  });

  // While an attempt is opening the client cannot tell transports apart (it has none yet), so
  // a transport must not report closed() after the client closed it (host/net's don't).
  test("a replaced transport's close is ignored; end() while opening", () => {
    const { c, events, opens } = setup();
    c.connect();
    const a = fake();
    c.connected(a);
    feed(c, { cmd: "connack", returnCode: 0, sessionPresent: false });
    c.closed(a);
    expect(events).toEqual(["connect", "close"]);
    c.tick(500); // backoff 1000 * [0.5, 1), random 0
    expect(opens()).toBe(2);
    const b = fake();
    c.connected(b);
    feed(c, { cmd: "connack", returnCode: 0, sessionPresent: false });
    c.closed(a); // the old transport again: not the current connection's business
    expect(events).toEqual(["connect", "close", "connect"]);
    c.publish("t", "still up", 0);
    expect(b.sent.map((p) => p.cmd)).toEqual(["connect", "publish"]);
    c.closed(b);
    c.tick(1000);
    expect(opens()).toBe(3);
    c.end();
    expect(events).toEqual(["connect", "close", "connect", "close", "close"]);
    const late = fake();
    c.connected(late);
    expect(late.closedByClient).toBe(true);
    expect(late.sent).toEqual([]);
    c.tick(1e9);
    expect(opens()).toBe(3);
  });

  test("a malformed packet from the server drops the connection with the codec's code", () => {
    const { c, events } = setup();
    c.connect();
    const t = fake();
    c.connected(t);
    c.data(new Uint8Array([0x20, 2, 0, 9])); // CONNACK return code 9 (reserved)
    expect(events).toEqual(["error " + E_CONNACK_RESERVED, "close"]);
    expect(t.closedByClient).toBe(true);
  });

  test("packet ids wrap at 65535 and skip ids still in flight", () => {
    const { c } = setup({ window: 4, queue: 4 });
    c.connect();
    // Not decoded: 65,000 round trips through mqtt-packet would dominate the suite's time.
    let writes = 0;
    c.connected({ write: () => writes++, close: () => {} });
    feed(c, { cmd: "connack", returnCode: 0, sessionPresent: false });
    const first = c.publish("a", "x", 1); // id 1 stays in flight throughout
    expect(first).toBe(1);
    let last = 0;
    for (let i = 0; i < 65534; i++) {
      last = c.publish("a", "x", 1);
      c.data(new Uint8Array([0x40, 2, last >> 8, last & 255])); // PUBACK
    }
    expect(last).toBe(65535);
    expect(c.publish("a", "x", 1)).toBe(2);
    expect(writes).toBe(1 + 65536);
  });

  test("a reconnect resends unacked packets in the order they were first sent, across an id wrap (MQTT-4.6.0-1)", () => {
    const { c } = setup({ window: 4, queue: 4 });
    c.connect();
    c.connected({ write: () => {}, close: () => {} });
    feed(c, { cmd: "connack", returnCode: 0, sessionPresent: false });
    // Walk the ids up to 65533 so the next four in flight are 65534, 65535, 1, 2.
    for (let i = 0; i < 65533; i++) {
      const id = c.publish("a", "x", 1);
      c.data(new Uint8Array([0x40, 2, id >> 8, id & 255]));
    }
    const ids = [c.publish("m", "0", 1), c.publish("m", "1", 2), c.publish("m", "2", 1), c.publish("m", "3", 2)];
    expect(ids).toEqual([65534, 65535, 1, 2]);
    c.data(new Uint8Array([0x50, 2, 255, 255])); // PUBREC for 65535: it now awaits PUBCOMP
    c.closed();
    c.tick(60000);
    const t = fake();
    c.connected(t);
    feed(c, { cmd: "connack", returnCode: 0, sessionPresent: true });
    expect(t.sent.slice(1).map((p) => p.cmd + " " + (p as { messageId: number }).messageId)).toEqual([
      "publish 65534",
      "pubrel 65535",
      "publish 1",
      "publish 2",
    ]);
    expect(t.sent.slice(1).every((p) => p.cmd !== "publish" || (p as mqttPacket.IPublishPacket).dup)).toBe(true);
  });

  test("a QoS 2 id is delivered once until released, then free for a new message", () => {
    const { c, events } = setup();
    c.connect();
    const t = fake();
    c.connected(t);
    feed(c, { cmd: "connack", returnCode: 0, sessionPresent: false });
    const pub = { cmd: "publish", topic: "q2", qos: 2, messageId: 7 };
    feed(c, { ...pub, payload: Buffer.from([1]) });
    feed(c, { ...pub, payload: Buffer.from([1]), dup: true });
    expect(t.sent.filter((p) => p.cmd === "pubrec").length).toBe(2);
    feed(c, { cmd: "pubrel", messageId: 7 });
    expect(t.sent[t.sent.length - 1]).toMatchObject({ cmd: "pubcomp", messageId: 7 });
    feed(c, { ...pub, payload: Buffer.from([2]) });
    expect(events.filter((e) => e.startsWith("message"))).toEqual(["message q2 01", "message q2 02"]);
  });
});
