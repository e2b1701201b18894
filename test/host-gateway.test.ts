// The binary WebSocket gateway against real peers: Aedes (embedded), an mqtt.js device,
// `ws` clients (viewers, a board in binary-WS mode, the dashboard channel), a raw socket
// for framing errors, and a client whose socket is corked to play a slow network.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { connect } from "node:net";
import mqtt from "mqtt";
import { SERVO_ANGLE, LIGHT_LEVEL, LED_DUTY, SERVO_ROTATE, LED_SET, STATUS, encodeMessage } from "../shared/messages";
import { FakeDevice } from "../host/bridge/fake-device";
import type { Service } from "../host/bridge/service";
import { startTestService, wsUrl, Collector, isMsg, waitDevice } from "./host-helpers";
import { frame } from "../host/gateway/bounded-sender";

let svc: Service;
let dev1: FakeDevice;
let dev2: FakeDevice;

beforeAll(async () => {
  svc = await startTestService({ highWaterBytes: 1024 });
  dev1 = await new FakeDevice({ id: "dev1", url: svc.mqttUrl }).start();
  dev2 = await new FakeDevice({ id: "dev2", url: svc.mqttUrl }).start();
  await waitDevice(svc, "dev1", (d) => d.status === "online" && d.state.led !== null);
  await waitDevice(svc, "dev2", (d) => d.status === "online" && d.state.led !== null);
});

afterAll(async () => {
  await dev1?.stop();
  await dev2?.stop();
  await svc?.close();
});

describe("viewer /ws/<id>", () => {
  it("gets the current state and STATUS on connect", async () => {
    const c = await new Collector(wsUrl(svc, "/ws/dev1")).open();
    await c.next(isMsg(STATUS, 1));
    const b = c.binary();
    expect(b.slice(0, 5).map((m) => [m[0], m.readInt32LE(4)])).toEqual([
      [SERVO_ANGLE, 90],
      [LIGHT_LEVEL, 50],
      [LED_DUTY, 50],
      [LED_SET, -1],
      [STATUS, 1],
    ]);
    await c.close();
  });

  it("forwards the board's LED mode (LED_SET on state) to every viewer, who may still send LED_SET", async () => {
    const a = await new Collector(wsUrl(svc, "/ws/dev2")).open();
    const b = await new Collector(wsUrl(svc, "/ws/dev2")).open();
    await Promise.all([a.next(isMsg(STATUS)), b.next(isMsg(STATUS))]);
    expect(a.binary().some(isMsg(LED_SET, -1))).toBe(true);
    // One viewer sets manual: the command reaches the board, whose mode report reaches both.
    a.ws.send(encodeMessage(LED_SET, 35));
    await Promise.all([a.next(isMsg(LED_SET, 35)), b.next(isMsg(LED_SET, 35))]);
    expect(dev2.commands.at(-1)).toEqual({ cmd: LED_SET, value: 35 });
    expect(svc.bridge.device("dev2")!.state).toMatchObject({ led: 35, mode: 35 });
    // The report was not taken for a command: the board got exactly one.
    expect(dev2.commands.filter((m) => m.cmd === LED_SET)).toHaveLength(1);
    // A viewer that connects now starts from the board's mode.
    const late = await new Collector(wsUrl(svc, "/ws/dev2")).open();
    await late.next(isMsg(STATUS));
    expect(late.binary().some(isMsg(LED_SET, 35))).toBe(true);
    b.ws.send(JSON.stringify({ control: "PWM", value: -1 }));
    await Promise.all([a.next(isMsg(LED_SET, -1)), late.next(isMsg(LED_SET, -1))]);
    expect(svc.bridge.device("dev2")!.state.mode).toBe(-1);
    // /api/devices carries it too.
    const api = await (await fetch(svc.httpUrl + "/api/devices/dev2")).json();
    expect(api.state.mode).toBe(-1);
    await Promise.all([a.close(), b.close(), late.close()]);
  });

  it("fans reports out to every client of that device only", async () => {
    const a = await new Collector(wsUrl(svc, "/ws/dev1")).open();
    const b = await new Collector(wsUrl(svc, "/ws/dev1")).open();
    const other = await new Collector(wsUrl(svc, "/ws/dev2")).open();
    await Promise.all([a.next(isMsg(STATUS)), b.next(isMsg(STATUS)), other.next(isMsg(STATUS))]);
    dev1.report(LIGHT_LEVEL, 77);
    dev2.report(LIGHT_LEVEL, 11);
    await Promise.all([a.next(isMsg(LIGHT_LEVEL, 77)), b.next(isMsg(LIGHT_LEVEL, 77)), other.next(isMsg(LIGHT_LEVEL, 11))]);
    expect(other.binary().some(isMsg(LIGHT_LEVEL, 77))).toBe(false);
    expect(svc.bridge.device("dev1")!.state.light).toBe(77);
    await Promise.all([a.close(), b.close(), other.close()]);
  });

  it("sends binary commands and JSON controls to pinwire/<id>/cmd", async () => {
    const c = await new Collector(wsUrl(svc, "/ws/dev1")).open();
    c.ws.send(encodeMessage(SERVO_ROTATE, 120));
    await c.next(isMsg(SERVO_ANGLE, 120));
    c.ws.send(JSON.stringify({ control: "PWM", value: 30, unit: "%" }));
    await c.next(isMsg(LED_DUTY, 30));
    expect(dev1.commands.slice(-2)).toEqual([
      { cmd: SERVO_ROTATE, value: 120 },
      { cmd: LED_SET, value: 30 },
    ]);
    await c.close();
  });

  it("closes only the offending client on bad messages (1007, 1008, 1009, 1002)", async () => {
    const good = await new Collector(wsUrl(svc, "/ws/dev1")).open();
    const short = await new Collector(wsUrl(svc, "/ws/dev1")).open();
    const range = await new Collector(wsUrl(svc, "/ws/dev1")).open();
    const report = await new Collector(wsUrl(svc, "/ws/dev1")).open();
    const badJson = await new Collector(wsUrl(svc, "/ws/dev1")).open();
    const huge = await new Collector(wsUrl(svc, "/ws/dev1")).open();
    short.ws.send(Buffer.from([SERVO_ROTATE, 0, 0, 0, 1, 0, 0]));
    const bad = Buffer.from(encodeMessage(SERVO_ROTATE, 10));
    bad.writeInt32LE(181, 4);
    range.ws.send(bad);
    report.ws.send(encodeMessage(SERVO_ANGLE, 10));
    badJson.ws.send('{"control":"SERVO","value":');
    huge.ws.send(Buffer.alloc(10000));
    expect((await short.closed).code).toBe(1007);
    expect((await range.closed).code).toBe(1007);
    expect((await report.closed).code).toBe(1008);
    expect((await badJson.closed).code).toBe(1007);
    expect((await huge.closed).code).toBe(1009);

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

    // The well-behaved client is still served.
    dev1.report(LIGHT_LEVEL, 42);
    await good.next(isMsg(LIGHT_LEVEL, 42));
    expect(good.ws.readyState).toBe(1);
    await good.close();
  });

  it("keeps a slow client bounded: latest value per message type, nothing unbounded", async () => {
    const fast = await new Collector(wsUrl(svc, "/ws/dev2")).open();
    const slow = await new Collector(wsUrl(svc, "/ws/dev2")).open();
    await Promise.all([fast.next(isMsg(STATUS)), slow.next(isMsg(STATUS))]);
    // Find the server side of the slow client and cork its socket: writes pile up in
    // user space exactly as they do behind a congested link.
    const port = (slow.ws as any)._socket.localPort;
    const server = [...(svc.gateway as any).wss.clients].find((w: any) => w._socket.remotePort === port);
    server._socket.cork();
    // Bursts of 20 reports (200 bytes of frames, under the 1024-byte mark), each burst
    // after the fast client got the previous one: the fast client must get every report.
    const bursts = 25;
    const from = fast.messages.length;
    for (let k = 0; k < bursts; k++) {
      const start = fast.messages.length;
      for (let i = 0; i < 19; i++) dev2.report(LIGHT_LEVEL, (k * 20 + i) % 101);
      dev2.report(SERVO_ANGLE, k);
      await fast.next(isMsg(SERVO_ANGLE, k), start);
    }
    dev2.report(LIGHT_LEVEL, 99);
    dev2.report(SERVO_ANGLE, 33);
    await fast.next(isMsg(SERVO_ANGLE, 33), from + bursts * 20);
    expect(fast.messages.length - from).toBe(bursts * 20 + 2);
    // Bounded: the socket holds at most the high-water mark plus a frame, the queue one slot per type.
    expect(server.bufferedAmount).toBeLessThan(1024 + 10);
    const viewers = (svc.gateway as any).viewers.get("dev2") as Set<any>;
    const sv = [...viewers].find((v) => v.ws === server);
    expect(sv.out.queued).toBeLessThanOrEqual(2);
    expect(sv.out.dropped).toBeGreaterThan(300);
    const before = slow.messages.length;
    server._socket.uncork();
    await slow.next(isMsg(SERVO_ANGLE, 33), before);
    const got = slow.messages.slice(before);
    // What was already in the socket (high-water / 10-byte frames) plus one per type.
    expect(got.length).toBeLessThanOrEqual(Math.ceil(1024 / 10) + 1 + 2);
    // The last of each type is the latest value.
    const last = (cmd: number) => (got.filter(isMsg(cmd)) as Buffer[]).pop()!.readInt32LE(4);
    expect(last(LIGHT_LEVEL)).toBe(99);
    expect(last(SERVO_ANGLE)).toBe(33);
    await Promise.all([fast.close(), slow.close()]);
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
  it("publishes its reports as the device's MQTT state and receives its commands", async () => {
    const viewer = await new Collector(wsUrl(svc, "/ws/wsdev")).open();
    await viewer.next(isMsg(STATUS, 0));
    const mq = await mqtt.connectAsync(svc.mqttUrl, { protocolVersion: 4 });
    const seen: { topic: string; payload: Buffer; retain: boolean }[] = [];
    let offline: () => void;
    const wentOffline = new Promise<void>((r) => (offline = r));
    mq.on("message", (topic, payload, p) => {
      seen.push({ topic, payload, retain: p.retain });
      if (topic === "pinwire/wsdev/status" && payload.toString() === "offline") offline();
    });
    await mq.subscribeAsync("pinwire/wsdev/#");

    const board = await new Collector(wsUrl(svc, "/ws/wsdev?role=device")).open();
    await viewer.next(isMsg(STATUS, 1));
    board.ws.send(JSON.stringify({ board: "ESP8266", version: "1.0", memory: { free: 900 } }));
    board.ws.send(Buffer.concat([encodeMessage(SERVO_ANGLE, 45), encodeMessage(LIGHT_LEVEL, 60)]));
    await viewer.next(isMsg(LIGHT_LEVEL, 60));
    expect(viewer.binary().some(isMsg(SERVO_ANGLE, 45))).toBe(true);
    await waitDevice(svc, "wsdev", (d) => (d.info as any)?.board === "ESP8266");

    // Commands for it, from a viewer and as a JSON control over MQTT, arrive as 8-byte messages.
    viewer.ws.send(encodeMessage(SERVO_ROTATE, 150));
    await board.next(isMsg(SERVO_ROTATE, 150));
    await mq.publishAsync("pinwire/wsdev/cmd", JSON.stringify({ control: "PWM", value: -1 }));
    await board.next(isMsg(LED_SET, -1));

    // The retained state carries everything known, the changed value last.
    let state = seen.filter((s) => s.topic === "pinwire/wsdev/state").pop()!;
    expect(state.payload.length).toBe(16);
    expect(state.payload[8]).toBe(LIGHT_LEVEL);

    // The board's LED mode is a report: to viewers, the registry and the retained state.
    board.ws.send(encodeMessage(LED_SET, -1));
    await viewer.next(isMsg(LED_SET, -1));
    await waitDevice(svc, "wsdev", (d) => d.state.mode === -1);
    state = seen.filter((s) => s.topic === "pinwire/wsdev/state").pop()!;
    expect(state.payload.length).toBe(24);
    expect(state.payload.subarray(16).toString("hex")).toBe("10000000ffffffff");

    // A board may not send commands or garbage.
    board.ws.send(encodeMessage(SERVO_ROTATE, 1));
    expect((await board.closed).code).toBe(1008);
    await viewer.next(isMsg(STATUS, 0));
    await wentOffline;
    expect(seen.filter((s) => s.topic === "pinwire/wsdev/status").map((s) => s.payload.toString())).toEqual(["online", "offline"]);
    await mq.endAsync();
    await viewer.close();
  });
});

describe("dashboard channel /ws", () => {
  it("lists devices and follows status and info changes", async () => {
    const d = await new Collector(wsUrl(svc, "/ws")).open();
    const hello = JSON.parse((await d.next()) as string);
    expect(hello.type).toBe("devices");
    expect(hello.devices.map((x: any) => x.id)).toEqual(expect.arrayContaining(["dev1", "dev2"]));
    const dev3 = await new FakeDevice({ id: "dev3", url: svc.mqttUrl }).start();
    await d.next((m) => typeof m === "string" && /"status":"online"/.test(m) && /"id":"dev3"/.test(m));
    await dev3.stop(false); // vanishes: the broker publishes its will
    await d.next((m) => typeof m === "string" && /"change":"status"/.test(m) && /"id":"dev3"/.test(m) && /"offline"/.test(m));
    d.ws.send(JSON.stringify({ type: "ping" }));
    await d.next((m) => m === '{"type":"pong"}');
    d.ws.send("not json");
    expect((await d.closed).code).toBe(1007);
  });
});

describe("GET /api/devices", () => {
  it("returns status, info and last state", async () => {
    const res = await fetch(svc.httpUrl + "/api/devices");
    expect(res.status).toBe(200);
    const list = await res.json();
    const d1 = list.find((d: any) => d.id === "dev1");
    expect(d1).toMatchObject({ status: "online", info: { board: "FAKE", version: "0.0.0" }, state: { servo: 120 } });
    expect(typeof d1.state.light).toBe("number");
    expect((await fetch(svc.httpUrl + "/api/devices/nope")).status).toBe(404);
    expect((await fetch(svc.httpUrl + "/")).headers.get("content-type")).toMatch(/text\/html/);
    expect((await fetch(svc.httpUrl + "/../../etc/passwd")).status).toBe(404);
    // The dashboard's chart library comes from the installed uplot package.
    const lib = await fetch(svc.httpUrl + "/vendor/uplot/uPlot.esm.js");
    expect(lib.status).toBe(200);
    expect(lib.headers.get("content-type")).toMatch(/javascript/);
    expect((await fetch(svc.httpUrl + "/vendor/uplot/%2e%2e/package.json")).status).toBe(404);
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
    r.write(frame(2, encodeMessage(LED_SET, -1)));
    const [d, bin] = await got;
    expect(bin).toBe(true);
    expect([...d]).toEqual([...encodeMessage(LED_SET, -1)]);
  });
});
