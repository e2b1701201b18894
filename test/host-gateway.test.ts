// The WebSocket gateway against real peers: Aedes (embedded), boards speaking two example
// apps (servo-light: 8-byte messages; sensor-struct: a 40-byte struct report) and one whose
// script has no catalogue, `ws` clients (viewers, a board in binary-WS mode, the dashboard
// channel), a raw socket for framing errors, and a client whose socket is corked to play a
// slow network.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { connect } from "node:net";
import mqtt from "mqtt";
import type { MessageTable } from "../shared/catalogue";
import type { Service } from "../host/bridge/service";
import { startTestService, wsUrl, Collector, isMsg, isJson, waitDevice } from "./host-helpers";
import { catalogueOf, startTestBoard, tableOf, type TestBoard } from "./helpers/boards";
import { frame } from "../host/gateway/bounded-sender";

let svc: Service;
let dev1: TestBoard;
let dev2: TestBoard;
let sensor: TestBoard;
let old: TestBoard;
let sl: MessageTable; // servo-light
let ss: MessageTable; // sensor-struct
const code = (t: MessageTable, name: string) => t.byName.get(name)!.code;
const msg = (t: MessageTable, name: string, v: any) => Buffer.from(t.encode(t.byName.get(name)!, v));
let SERVO_ANGLE: number, LIGHT_LEVEL: number, LED_DUTY: number, LED_SET: number;

beforeAll(async () => {
  [sl, ss] = await Promise.all([tableOf("servo-light"), tableOf("sensor-struct")]);
  [SERVO_ANGLE, LIGHT_LEVEL, LED_DUTY, LED_SET] = ["SERVO_ANGLE", "LIGHT_LEVEL", "LED_DUTY", "LED_SET"].map((n) => code(sl, n));
  svc = await startTestService({ highWaterBytes: 1024 });
  [dev1, dev2, sensor, old] = await Promise.all([
    startTestBoard({ id: "dev1", broker: svc.mqttUrl, app: "servo-light" }),
    startTestBoard({ id: "dev2", broker: svc.mqttUrl, app: "servo-light" }),
    startTestBoard({ id: "sens1", broker: svc.mqttUrl, app: "sensor-struct" }),
    startTestBoard({ id: "old1", broker: svc.mqttUrl, app: null, rawState: Buffer.from("0c0000005a000000", "hex") }),
  ]);
  for (const id of ["dev1", "dev2"]) await waitDevice(svc, id, (d) => d.status === "online" && d.values.LED_SET === -1);
  await waitDevice(svc, "sens1", (d) => d.status === "online" && d.values.PERIOD === 1000);
  await waitDevice(svc, "old1", (d) => d.status === "online" && d.raw !== null);
});

afterAll(async () => {
  for (const b of [dev1, dev2, sensor, old]) await b?.stop();
  await svc?.close();
});

// Waits for everything a viewer gets on connect: the hello and the state frame.
async function viewer(id: string): Promise<Collector> {
  const c = await new Collector(wsUrl(svc, "/ws/" + id)).open();
  await c.next((m) => typeof m !== "string");
  return c;
}

describe("viewer /ws/<id>", () => {
  it("gets the device and its catalogue first, then the state as one binary frame", async () => {
    const c = await viewer("dev1");
    const hello = JSON.parse(c.messages[0] as string);
    expect(hello.type).toBe("hello");
    expect(hello.device).toMatchObject({ id: "dev1", status: "online", app: { name: "servo-light", version: "1.0.0" } });
    expect(hello.device.catalogue).toEqual(await catalogueOf("servo-light"));
    expect(hello.device.info).toMatchObject({ app: "servo-light", hash: hello.device.catalogue.hash, script: "1.0.0" });
    expect(Object.keys(hello.history)).toEqual(["SERVO_ANGLE", "LIGHT_LEVEL", "LED_DUTY"]);
    // The snapshot: every report in declaration order, decoded with the same catalogue.
    const state = c.messages[1] as Buffer;
    expect(sl.split(state).map((d) => [d.spec.name, d.value])).toEqual([
      ["SERVO_ANGLE", 90],
      ["LIGHT_LEVEL", 50],
      ["LED_DUTY", 50],
      ["LED_SET", -1],
    ]);
    expect(c.messages.length).toBe(2);
    await c.close();
  });

  it("one report reaches each viewer as one frame, though the board sends it twice (alone and in its snapshot)", async () => {
    const a = await viewer("dev1");
    const b = await viewer("dev1");
    const seen: string[] = [];
    const count = svc.bridge.addListener({ raw: () => seen.push("raw") });
    const from = [a.messages.length, b.messages.length];
    for (let i = 0; i < 10; i++) dev1.input("LIGHT_LEVEL", 60 + i);
    // The last one's snapshot has reached the bridge when the marker (a command's report) is back.
    a.ws.send(msg(sl, "SERVO_ROTATE", 33));
    await Promise.all([a.next(isMsg(SERVO_ANGLE, 33), from[0]), b.next(isMsg(SERVO_ANGLE, 33), from[1])]);
    count();
    for (const [c, f] of [[a, from[0]], [b, from[1]]] as const) {
      const got = c.messages.slice(f) as Buffer[];
      // Ten light levels, the LED following each (automatic), the servo: 21 frames of 8 bytes.
      expect(got.map((m) => m.length)).toEqual(Array(21).fill(8));
      expect(got.filter(isMsg(LIGHT_LEVEL)).map((m) => m.readInt32LE(4))).toEqual([60, 61, 62, 63, 64, 65, 66, 67, 68, 69]);
      expect(got.filter(isMsg(LED_DUTY)).map((m) => m.readInt32LE(4))).toEqual([40, 39, 38, 37, 36, 35, 34, 33, 32, 31]);
    }
    expect(seen).toEqual([]);
    await Promise.all([a.close(), b.close()]);
  });

  it("forwards the board's own report of a command that goes both ways (LED_SET) to every viewer", async () => {
    const a = await viewer("dev2");
    const b = await viewer("dev2");
    a.ws.send(msg(sl, "LED_SET", 35));
    await Promise.all([a.next(isMsg(LED_SET, 35)), b.next(isMsg(LED_SET, 35))]);
    expect(dev2.received().at(-1)).toEqual({ name: "LED_SET", value: 35 });
    expect(svc.bridge.device("dev2")!.values).toMatchObject({ LED_DUTY: 35, LED_SET: 35 });
    // The report was not taken for a command: the board got exactly one.
    expect(dev2.received().filter((m) => m.name === "LED_SET")).toHaveLength(1);
    const late = await viewer("dev2");
    expect(sl.split(late.messages[1] as Buffer).find((d) => d.spec.name === "LED_SET")!.value).toBe(35);
    b.ws.send(JSON.stringify({ control: "PWM", value: -1 }));
    await Promise.all([a.next(isMsg(LED_SET, -1)), late.next(isMsg(LED_SET, -1))]);
    const api = await (await fetch(svc.httpUrl + "/api/devices/dev2")).json();
    expect(api.values.LED_SET).toBe(-1);
    await Promise.all([a.close(), b.close(), late.close()]);
  });

  it("fans reports out to the viewers of that device only", async () => {
    const a = await viewer("dev1");
    const other = await viewer("dev2");
    dev1.input("LIGHT_LEVEL", 77);
    dev2.input("LIGHT_LEVEL", 11);
    await Promise.all([a.next(isMsg(LIGHT_LEVEL, 77)), other.next(isMsg(LIGHT_LEVEL, 11))]);
    expect(other.binary().some(isMsg(LIGHT_LEVEL, 77))).toBe(false);
    expect(svc.bridge.device("dev1")!.values.LIGHT_LEVEL).toBe(77);
    await Promise.all([a.close(), other.close()]);
  });

  it("sends binary commands and JSON controls by alias to pinwire/<id>/cmd", async () => {
    const c = await viewer("dev1");
    c.ws.send(msg(sl, "SERVO_ROTATE", 120));
    await c.next(isMsg(SERVO_ANGLE, 120));
    c.ws.send(JSON.stringify({ control: "PWM", value: 30, unit: "%" }));
    await c.next(isMsg(LED_DUTY, 30));
    expect(dev1.received().slice(-2)).toEqual([
      { name: "SERVO_ROTATE", value: 120 },
      { name: "LED_SET", value: 30 },
    ]);
    await c.close();
  });

  it("carries a struct report (40 bytes) and a command of another app", async () => {
    const c = await viewer("sens1");
    const hello = JSON.parse(c.messages[0] as string);
    expect(hello.device.app.name).toBe("sensor-struct");
    const state = ss.split(c.messages[1] as Buffer);
    expect(state[0].spec.name).toBe("READING");
    expect(state[0].value).toEqual({ id: 1, v1: 21.5, v2: -3.25, v3: 4000000000, v4: "hello" });
    sensor.input("READING", { id: 2, v1: 1.5, v2: 2.5, v3: 7, v4: "x" });
    const r = (await c.next((m) => typeof m !== "string" && m.length === 40 && m[0] === code(ss, "READING"))) as Buffer;
    expect(ss.decode(r).value).toEqual({ id: 2, v1: 1.5, v2: 2.5, v3: 7, v4: "x" });
    c.ws.send(JSON.stringify({ control: "PERIOD", value: 250, unit: "ms" }));
    await c.next(isMsg(code(ss, "PERIOD"), 250));
    c.ws.send(msg(ss, "PERIOD", 5000));
    await c.next(isMsg(code(ss, "PERIOD"), 5000));
    expect(sensor.received()).toEqual([
      { name: "PERIOD", value: 250 },
      { name: "PERIOD", value: 5000 },
    ]);
    // servo-light's code means nothing here.
    const wrong = await viewer("sens1");
    wrong.ws.send(msg(sl, "SERVO_ROTATE", 10));
    const closed = await wrong.closed;
    expect(closed.code).toBe(1007);
    expect(closed.reason).toMatch(/catalogue-code/);
    await c.close();
  });

  it("closes only the offending client on bad messages (1007, 1008, 1009, 1002)", async () => {
    const good = await viewer("dev1");
    const cases: [string, Buffer | string, number, RegExp][] = [
      ["short", Buffer.from([13, 0, 0, 0, 1, 0, 0]), 1007, /catalogue-code|catalogue-length/],
      ["range", msg(sl, "SERVO_ROTATE", 10).fill(181, 4, 5), 1007, /catalogue-range/],
      ["report", msg(sl, "SERVO_ANGLE", 10), 1008, /SERVO_ANGLE is not a command/],
      ["json", '{"control":"SERVO","value":', 1007, /catalogue-json/],
      ["alias", '{"control":"NOPE","value":1}', 1007, /unknown control/],
      ["unit", '{"control":"SERVO","value":1,"unit":"%"}', 1007, /catalogue-unit/],
      ["huge", Buffer.alloc(10000), 1009, /too big/],
    ];
    const clients = await Promise.all(cases.map(() => new Collector(wsUrl(svc, "/ws/dev1")).open()));
    cases.forEach(([, data], i) => clients[i].ws.send(data));
    for (let i = 0; i < cases.length; i++) {
      const r = await clients[i].closed;
      expect([cases[i][0], r.code], r.reason).toEqual([cases[i][0], cases[i][2]]);
      expect(r.reason).toMatch(cases[i][3]);
    }
    // A device without a catalogue: a command cannot be checked, so none is taken.
    const o = await viewer("old1");
    o.ws.send(msg(sl, "SERVO_ROTATE", 10));
    expect((await o.closed).code).toBe(1008);

    // A frame without the client mask breaks RFC 6455 framing: ws answers 1002.
    const raw = connect(svc.httpPort, "127.0.0.1");
    let rawData = Buffer.alloc(0);
    raw.on("data", (d) => (rawData = Buffer.concat([rawData, d])));
    raw.write("GET /ws/dev1 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    await new Promise<void>((r) => raw.on("data", () => rawData.includes("\r\n\r\n") && r()));
    raw.write(Buffer.from([0x82, 0x08, 13, 0, 0, 0, 1, 0, 0, 0]));
    await new Promise((r) => raw.on("close", r));
    const i = rawData.lastIndexOf(Buffer.from([0x88]));
    expect(i).toBeGreaterThan(0);
    expect(rawData.readUInt16BE(i + 2)).toBe(1002);

    // The well-behaved client is still served; nothing bad reached the board.
    const before = dev1.received().length;
    dev1.input("LIGHT_LEVEL", 42);
    await good.next(isMsg(LIGHT_LEVEL, 42));
    expect(good.ws.readyState).toBe(1);
    expect(dev1.received().length).toBe(before);
    await good.close();
  });

  it("keeps a slow client bounded: latest value per message, nothing unbounded", async () => {
    const fast = await viewer("dev2");
    const slow = await viewer("dev2");
    // Find the server side of the slow client and cork its socket: writes pile up in
    // user space exactly as they do behind a congested link.
    const port = (slow.ws as any)._socket.localPort;
    const server = [...(svc.gateway as any).wss.clients].find((w: any) => w._socket.remotePort === port);
    server._socket.cork();
    // Bursts of 20 reports (each light level moves the LED too: 200 frames of 10 bytes per
    // burst... below the mark only for the fast client), each after the fast one got the last.
    const bursts = 25;
    const from = fast.messages.length;
    for (let k = 0; k < bursts; k++) {
      const start = fast.messages.length;
      for (let i = 0; i < 19; i++) dev2.input("SERVO_ANGLE", (k * 20 + i) % 181);
      dev2.input("LIGHT_LEVEL", k);
      await fast.next(isMsg(LIGHT_LEVEL, k), start);
    }
    dev2.input("SERVO_ANGLE", 99);
    dev2.input("LIGHT_LEVEL", 33);
    await fast.next(isMsg(LIGHT_LEVEL, 33), from + bursts * 21);
    // Every report (and the LED following each light level) reached the fast client.
    expect(fast.messages.length - from).toBe(bursts * 21 + 3);
    // Bounded: the socket holds at most the high-water mark plus a frame, the queue one slot per code.
    expect(server.bufferedAmount).toBeLessThan(1024 + 10);
    const viewers = (svc.gateway as any).viewers.get("dev2") as Set<any>;
    const sv = [...viewers].find((v) => v.ws === server);
    expect(sv.out.queued).toBeLessThanOrEqual(3);
    expect(sv.out.dropped).toBeGreaterThan(300);
    const before = slow.messages.length;
    server._socket.uncork();
    await slow.next(isMsg(LIGHT_LEVEL, 33), before);
    const got = slow.messages.slice(before);
    // What was already in the socket (high-water / 10-byte frames) plus one per code.
    expect(got.length).toBeLessThanOrEqual(Math.ceil(1024 / 10) + 1 + 3);
    const last = (c: number) => (got.filter(isMsg(c)) as Buffer[]).pop()!.readInt32LE(4);
    expect(last(SERVO_ANGLE)).toBe(99);
    expect(last(LIGHT_LEVEL)).toBe(33);
    await Promise.all([fast.close(), slow.close()]);
  });

  it("tells viewers about status changes, log lines and another app, in JSON text frames", async () => {
    const b = await startTestBoard({ id: "chg1", broker: svc.mqttUrl, app: "servo-light" });
    try {
      const c = await viewer("chg1");
      b.log("hello from chg1");
      const l = JSON.parse((await c.next(isJson("log"))) as string);
      expect(l.line.text).toBe("hello from chg1");
      // A push of another app: offline (the will), then the new catalogue and its state.
      await b.switchApp("sensor-struct", "2.0.0");
      await c.next(isJson("device", (o) => o.device.status === "offline"));
      const d = JSON.parse((await c.next(isJson("device", (o) => o.change === "app" && o.device.app?.name === "sensor-struct"))) as string);
      expect(d.device.catalogue.hash).toBe((await catalogueOf("sensor-struct")).hash);
      // Its state, decoded with the new catalogue (the reports, one frame each).
      const i = c.messages.indexOf(c.messages.find(isJson("device", (o) => o.change === "app" && o.device.app?.name === "sensor-struct"))!);
      await c.next(isMsg(code(ss, "PERIOD"), 1000), i);
      const frames = c.messages.slice(i).filter((m): m is Buffer => typeof m !== "string");
      expect(frames.flatMap((f) => ss.split(f).map((x) => x.spec.name))).toEqual(["READING", "PERIOD"]);
      await waitDevice(svc, "chg1", (x) => x.status === "online" && (x.info as any).script === "2.0.0");
      expect(svc.bridge.device("chg1")!.values).toEqual({ READING: { id: 1, v1: 21.5, v2: -3.25, v3: 4000000000, v4: "hello" }, PERIOD: 1000 });
      await c.close();
    } finally {
      await b.stop();
    }
  });

  it("refuses unknown paths and bad ids", async () => {
    await expect(new Collector(wsUrl(svc, "/ws/bad%20id")).open()).rejects.toThrow(/404/);
    await expect(new Collector(wsUrl(svc, "/nothing")).open()).rejects.toThrow(/404/);
    await expect(new Collector(wsUrl(svc, "/ws/%E0%A4%A")).open()).rejects.toThrow(/404/);
    expect((await fetch(svc.httpUrl + "/api/devices/%E0%A4%A")).status).toBe(400);
    expect((await fetch(svc.httpUrl + "/%E0%A4%A")).status).toBe(400);
    // A request target that is not a URL at all ("//"): a 400, and the server lives on.
    const raw = connect(svc.httpPort, "127.0.0.1");
    let reply = "";
    raw.on("data", (d) => (reply += d));
    raw.write("GET // HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    await new Promise((r) => raw.on("close", r));
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    const up = connect(svc.httpPort, "127.0.0.1");
    let upReply = "";
    up.on("data", (d) => (upReply += d));
    up.write("GET // HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    await new Promise((r) => up.on("close", r));
    expect(upReply).toMatch(/^HTTP\/1\.1 400/);
    expect((await fetch(svc.httpUrl + "/healthz")).status).toBe(200);
  });
});

describe("board in binary-WS mode /ws/<id>?role=device", () => {
  it("announces its catalogue, publishes its reports as the device's MQTT state and receives its commands", async () => {
    const viewerC = await new Collector(wsUrl(svc, "/ws/wsdev")).open();
    await viewerC.next(isJson("hello", (o) => o.device.status === "unknown"));
    const mq = await mqtt.connectAsync(svc.mqttUrl, { protocolVersion: 4 });
    const seen: { topic: string; payload: Buffer; retain: boolean }[] = [];
    let offline: () => void;
    const wentOffline = new Promise<void>((r) => (offline = r));
    mq.on("message", (topic, payload, p) => {
      seen.push({ topic, payload, retain: p.retain });
      if (topic === "pinwire/wsdev/status" && payload.toString() === "offline") offline();
    });
    await mq.subscribeAsync("pinwire/wsdev/#");

    const cat = await catalogueOf("servo-light");
    const board = await new Collector(wsUrl(svc, "/ws/wsdev?role=device")).open();
    board.ws.send(JSON.stringify(cat));
    board.ws.send(JSON.stringify({ id: "wsdev", board: "ESP8266", app: cat.app, version: cat.version, hash: cat.hash, script: "3", memory: { free: 900 } }));
    await viewerC.next(isJson("device", (o) => o.change === "app" && o.device.app?.name === "servo-light"));
    board.ws.send(Buffer.concat([msg(sl, "SERVO_ANGLE", 45), msg(sl, "LIGHT_LEVEL", 60)]));
    await viewerC.next(isMsg(LIGHT_LEVEL, 60));
    expect(viewerC.binary().some(isMsg(SERVO_ANGLE, 45))).toBe(true);
    board.ws.send(JSON.stringify({ log: "booted" }));
    await viewerC.next(isJson("log", (o) => o.line.text === "booted"));

    // Commands for it, from a viewer and as a JSON control over MQTT, arrive as binary messages.
    viewerC.ws.send(msg(sl, "SERVO_ROTATE", 150));
    await board.next(isMsg(code(sl, "SERVO_ROTATE"), 150));
    await mq.publishAsync("pinwire/wsdev/cmd", JSON.stringify({ control: "PWM", value: -1 }));
    await board.next(isMsg(LED_SET, -1));

    // The retained state carries everything known, the changed value last.
    let state = seen.filter((s) => s.topic === "pinwire/wsdev/state").pop()!;
    expect(sl.split(state.payload).map((d) => d.spec.name)).toEqual(["SERVO_ANGLE", "LIGHT_LEVEL"]);
    board.ws.send(msg(sl, "LED_SET", -1));
    await viewerC.next(isMsg(LED_SET, -1));
    await waitDevice(svc, "wsdev", (d) => d.values.LED_SET === -1);
    state = seen.filter((s) => s.topic === "pinwire/wsdev/state").pop()!;
    expect(state.payload.length).toBe(24);
    expect(state.payload.subarray(16).toString("hex")).toBe("10000000ffffffff");
    // Retained as an MQTT board's: a client subscribing now gets the catalogue and the state.
    const late = await mqtt.connectAsync(svc.mqttUrl, { protocolVersion: 4 });
    const retained = new Map<string, Buffer>();
    const got = new Promise<void>((r) => late.on("message", (t, p, pk) => pk.retain && retained.set(t, p) && retained.has("pinwire/wsdev/app") && retained.has("pinwire/wsdev/state") && r()));
    await late.subscribeAsync(["pinwire/wsdev/app", "pinwire/wsdev/state"]);
    await got;
    expect(JSON.parse(retained.get("pinwire/wsdev/app")!.toString())).toEqual(cat);
    expect(retained.get("pinwire/wsdev/state")!.toString("hex")).toBe(state.payload.toString("hex"));
    await late.endAsync();

    // A board may not send commands or garbage.
    board.ws.send(msg(sl, "SERVO_ROTATE", 1));
    const closed = await board.closed;
    expect(closed.code).toBe(1008);
    await viewerC.next(isJson("device", (o) => o.device.status === "offline"));
    await wentOffline;
    expect(seen.filter((s) => s.topic === "pinwire/wsdev/status").map((s) => s.payload.toString())).toEqual(["online", "offline"]);
    const bad = await new Collector(wsUrl(svc, "/ws/wsdev2?role=device")).open();
    bad.ws.send(JSON.stringify({ ...cat, hash: "nothex!!" }));
    expect((await bad.closed).reason).toMatch(/invalid catalogue: hash/);
    await mq.endAsync();
    await viewerC.close();
  });
});

describe("dashboard channel /ws", () => {
  it("lists devices and follows status and info changes", async () => {
    const d = await new Collector(wsUrl(svc, "/ws")).open();
    const hello = JSON.parse((await d.next()) as string);
    expect(hello.type).toBe("devices");
    expect(hello.devices.map((x: any) => x.id)).toEqual(expect.arrayContaining(["dev1", "dev2", "old1", "sens1"]));
    const dev3 = await startTestBoard({ id: "dev3", broker: svc.mqttUrl, app: "servo-light" });
    await d.next((m) => typeof m === "string" && /"status":"online"/.test(m) && /"id":"dev3"/.test(m));
    await dev3.stop(false); // vanishes: the broker publishes its will
    await d.next((m) => typeof m === "string" && /"change":"status"/.test(m) && /"id":"dev3"/.test(m) && /"offline"/.test(m));
    d.ws.send(JSON.stringify({ type: "ping" }));
    await d.next((m) => m === '{"type":"pong"}');
    d.ws.send("not json");
    expect((await d.closed).code).toBe(1007);
  });
});

describe("the device API", () => {
  it("GET /api/devices: status, info, app, values; a board without a catalogue with its raw state", async () => {
    const res = await fetch(svc.httpUrl + "/api/devices");
    expect(res.status).toBe(200);
    const list = await res.json();
    const d1 = list.find((d: any) => d.id === "dev1");
    expect(d1).toMatchObject({ status: "online", info: { board: "fake" }, app: { name: "servo-light" }, values: { SERVO_ANGLE: 120 } });
    const o = list.find((d: any) => d.id === "old1");
    expect(o).toMatchObject({ status: "online", info: { board: "fake", version: "1.0.0" }, app: null, catalogue: null, values: {}, raw: { state: "0c0000005a000000" } });
    expect(o.catalogueNote).toMatch(/no catalogue/);
    expect((await fetch(svc.httpUrl + "/api/devices/nope")).status).toBe(404);
    expect((await fetch(svc.httpUrl + "/")).headers.get("content-type")).toMatch(/text\/html/);
    expect((await fetch(svc.httpUrl + "/../../etc/passwd")).status).toBe(404);
    const lib = await fetch(svc.httpUrl + "/vendor/uplot/uPlot.esm.js");
    expect(lib.status).toBe(200);
    expect((await fetch(svc.httpUrl + "/vendor/uplot/%2e%2e/package.json")).status).toBe(404);
  });

  it("GET /api/devices/<id>/history: the charted reports of the last minutes", async () => {
    const h = await (await fetch(svc.httpUrl + "/api/devices/dev1/history")).json();
    expect(Object.keys(h)).toEqual(["SERVO_ANGLE", "LIGHT_LEVEL", "LED_DUTY"]);
    // At most one point per second each, the latest value last.
    expect(h.SERVO_ANGLE.at(-1)[1]).toBe(120);
    expect(h.LIGHT_LEVEL.at(-1)[1]).toBe(svc.bridge.device("dev1")!.values.LIGHT_LEVEL);
    for (const s of Object.values(h) as [number, number][][]) {
      const secs = s.map(([t]) => Math.floor(t / 1000));
      expect(new Set(secs).size).toBe(secs.length);
    }
    expect(await (await fetch(svc.httpUrl + "/api/devices/sens1/history")).json()).toEqual({});
  });

  it("DELETE /api/devices/<id> forgets an offline device (its retained topics too), not an online one", async () => {
    const b = await startTestBoard({ id: "gone1", broker: svc.mqttUrl, app: "servo-light" });
    await waitDevice(svc, "gone1", (d) => d.status === "online");
    const del = () => fetch(svc.httpUrl + "/api/devices/gone1", { method: "DELETE" });
    expect((await del()).status).toBe(409);
    await b.stop();
    await waitDevice(svc, "gone1", (d) => d.status === "offline");
    const d = await new Collector(wsUrl(svc, "/ws")).open();
    const r = await del();
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ id: "gone1", forgotten: true });
    await d.next(isJson("device", (o) => o.change === "removed" && o.device.id === "gone1"));
    expect(svc.bridge.device("gone1")).toBeUndefined();
    // Nothing of it is left retained on the broker.
    const mq = await mqtt.connectAsync(svc.mqttUrl, { protocolVersion: 4 });
    const left: string[] = [];
    mq.on("message", (t, p) => p.length && left.push(t));
    await mq.subscribeAsync(["pinwire/gone1/#", "pinwire/sync/#"]);
    await mq.publishAsync("pinwire/sync/x", "1"); // retained messages come before it
    await new Promise<void>((r) => mq.on("message", (t) => t === "pinwire/sync/x" && r()));
    expect(left.filter((t) => t.startsWith("pinwire/gone1/"))).toEqual([]);
    await mq.endAsync();
    expect((await del()).status).toBe(404);
    await d.close();
  });
});

describe("frame()", () => {
  it("builds frames ws parses, for every length encoding", async () => {
    const { Receiver } = (await import("ws")) as any; // not in @types/ws
    for (const n of [0, 8, 125, 126, 65535, 65536]) {
      const r = new (Receiver as any)({ isServer: false, maxPayload: 0 });
      const got = new Promise<[Buffer, boolean]>((resolve) => r.on("message", (d: Buffer, bin: boolean) => resolve([d, bin])));
      const text = "é".repeat(n >> 1) + "x".repeat(n & 1);
      r.write(frame(1, text));
      const [d, bin] = await got;
      expect(bin).toBe(false);
      expect(d.toString()).toBe(text);
    }
    const r = new (Receiver as any)({ isServer: false });
    const got = new Promise<[Buffer, boolean]>((resolve) => r.on("message", (d: Buffer, bin: boolean) => resolve([d, bin])));
    r.write(frame(2, msg(sl, "LED_SET", -1)));
    const [d, bin] = await got;
    expect(bin).toBe(true);
    expect(d.toString("hex")).toBe("10000000ffffffff");
  });
});
