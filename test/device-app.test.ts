// The reference application on the virtual board, against an in-process Aedes over TCP:
// the real esp8266 bundle, real sockets, simulated encoder, servo, light sensor and LED.
import { afterEach, describe, expect, it } from "vitest";
import { LED_DUTY, LED_SET, LIGHT_LEVEL, SERVO_ANGLE, referencePins } from "./helpers/reference-app";
import { angle, bootBoard, hex, lastMsg, useAedes, stateOf, Watcher, type Rig, type TestBroker } from "./device-harness";
import { hostCode } from "../shared/error-text";

const REF = referencePins("esp8266");

let broker: TestBroker;
let w: Watcher;
let rig: Rig | null = null;

useAedes((b, watcher) => {
  broker = b;
  w = watcher;
});

afterEach(async () => {
  if (rig) await rig.close();
  rig = null;
});

// A board with id `id`, fast light sampling without smoothing so each level lands at once.
async function start(id: string, extra: object = {}): Promise<Rig> {
  const from = w.msgs.length;
  rig = await bootBoard({ id, broker: "mqtt://127.0.0.1:" + broker.port, parts: { light: { period: 40, avg: 1 } }, ...extra });
  const r = rig;
  await w.next((m) => m.topic === "pinwire/" + id + "/status" && m.payload.toString() === "online", from).catch((e) => {
    throw new Error(e.message + "; board printed " + JSON.stringify(r.out()) + ", sockets " + r.board.openSockets);
  });
  // The snapshot that follows "online": later state messages are the test's own.
  await w.next((m) => m.topic === "pinwire/" + id + "/state" && m.payload.length === 32, from);
  return rig;
}

describe("reference application over MQTT (Aedes)", () => {
  it("announces itself: status online, info, full state, all retained", async () => {
    const from = w.msgs.length;
    const r = await start("boot1");
    const info = await w.next((m) => m.topic === "pinwire/boot1/info", from);
    const o = JSON.parse(info.payload.toString());
    expect(o).toMatchObject({ id: "boot1", board: "esp8266", version: expect.any(String) });
    expect(o.memory.free).toBeGreaterThan(0);
    // The snapshot: every report back to back (single reports may come first).
    const st = await w.next((m) => m.topic === "pinwire/boot1/state" && m.payload.length === 32, from);
    const s = stateOf(st.payload);
    expect(s[SERVO_ANGLE]).toBe(90);
    expect(s[LIGHT_LEVEL]).toBeGreaterThanOrEqual(0);
    expect(s[LED_DUTY]).toBe(100 - s[LIGHT_LEVEL]);
    expect(s[LED_SET]).toBe(-1); // automatic
    expect(angle(r.board)).toBe(90);
    // A late subscriber rebuilds everything from retained messages.
    const late = await Watcher.connect("mqtt://127.0.0.1:" + broker.port, "pinwire/boot1/#");
    try {
      await late.next((m) => m.topic.endsWith("/status") && m.retain && m.payload.toString() === "online");
      await late.next((m) => m.topic.endsWith("/info") && m.retain);
      await late.next((m) => m.topic.endsWith("/state") && m.retain && stateOf(m.payload)[SERVO_ANGLE] === 90);
    } finally {
      await late.close();
    }
  });

  it("turning the encoder moves the servo and reports the angle", async () => {
    const r = await start("enc1");
    const from = w.msgs.length;
    await r.board.encoder.turn(10, REF.encoder);
    await w.state("enc1", SERVO_ANGLE, 100, from);
    expect(angle(r.board)).toBe(100);
    await r.board.encoder.turn(-25, REF.encoder);
    await w.state("enc1", SERVO_ANGLE, 75, from);
    expect(angle(r.board)).toBe(75);
    // The counter stops at its limit (-90 -> 0 deg) and turning back moves at once.
    await r.board.encoder.turn(-120, REF.encoder);
    await w.state("enc1", SERVO_ANGLE, 0, from);
    await r.board.encoder.turn(1, REF.encoder);
    await w.state("enc1", SERVO_ANGLE, 1, from);
    expect(angle(r.board)).toBe(1);
  });

  it("SERVO_ROTATE (binary and JSON) sets the servo and resyncs the encoder", async () => {
    const r = await start("rot1");
    let from = w.msgs.length;
    await w.publish("pinwire/rot1/cmd", hex("0d00000078000000"));
    // The change itself goes out as exactly its 8-byte message...
    const m = await w.next((x) => x.topic === "pinwire/rot1/state", from);
    expect(m.payload.toString("hex")).toBe("0c00000078000000");
    expect(angle(r.board)).toBe(120);
    // ...and the retained message becomes the full snapshot, the change last.
    await w.next((x) => x.topic === "pinwire/rot1/state" && x.payload.length === 32 && lastMsg(x.payload)?.value === 120, from);
    const late = await Watcher.connect("mqtt://127.0.0.1:" + broker.port, "pinwire/rot1/state");
    try {
      const rm = await late.next((x) => x.retain);
      expect(rm.payload.length).toBe(32);
      expect(lastMsg(rm.payload)).toEqual({ cmd: SERVO_ANGLE, value: 120 });
      expect(Object.keys(stateOf(rm.payload)).map(Number).sort()).toEqual([SERVO_ANGLE, LIGHT_LEVEL, LED_DUTY, LED_SET]);
    } finally {
      await late.close();
    }
    await r.board.encoder.turn(1, REF.encoder);
    await w.settled("rot1", SERVO_ANGLE, 121, from);
    from = w.msgs.length;
    await w.publish("pinwire/rot1/cmd", JSON.stringify({ control: "SERVO", value: 45, unit: "deg" }));
    await w.state("rot1", SERVO_ANGLE, 45, from);
    expect(angle(r.board)).toBe(45);
    await r.board.encoder.turn(-2, REF.encoder);
    await w.state("rot1", SERVO_ANGLE, 43, from);
  });

  it("the LED follows the light until set by hand; LED_SET -1 restores automatic", async () => {
    const r = await start("led1");
    let from = w.msgs.length;
    r.board.setAnalog(REF.light!, { percent: 20 });
    await w.state("led1", LIGHT_LEVEL, 20, from);
    await w.state("led1", LED_DUTY, 80, from);
    expect(r.board.duty(REF.led)).toBeCloseTo(0.8, 5);
    r.board.setAnalog(REF.light!, { percent: 70 });
    await w.state("led1", LED_DUTY, 30, from);
    // Manual: LED_SET 55 binary, then the light no longer moves it.
    from = w.msgs.length;
    await w.publish("pinwire/led1/cmd", hex("1000000037000000"));
    await w.state("led1", LED_DUTY, 55, from);
    // The board reports its mode: manual at 55 %, as its own message and in the snapshot.
    const mode = await w.next((x) => x.topic === "pinwire/led1/state" && x.payload.length === 8 && x.payload[0] === LED_SET, from);
    expect(mode.payload.toString("hex")).toBe("1000000037000000");
    await w.next((x) => x.topic === "pinwire/led1/state" && x.payload.length === 32 && lastMsg(x.payload)?.cmd === LED_SET && stateOf(x.payload)[LED_SET] === 55, from);
    expect(r.board.duty(REF.led)).toBeCloseTo(0.55, 5);
    r.board.setAnalog(REF.light!, { percent: 10 });
    await w.state("led1", LIGHT_LEVEL, 10, from);
    expect(r.board.duty(REF.led)).toBeCloseTo(0.55, 5);
    // JSON PWM control is manual too.
    await w.publish("pinwire/led1/cmd", '{"control":"PWM","value":50,"unit":"%"}');
    await w.state("led1", LED_DUTY, 50, from);
    // Its mode report (LED_SET 50) and then the snapshot ending in it come after LED_DUTY:
    // wait for the snapshot, the command's last reply, before taking the next marker.
    await w.settled("led1", LED_SET, 50, from);
    // Back to automatic: follows the current light (10 % -> 90 %).
    from = w.msgs.length;
    await w.publish("pinwire/led1/cmd", hex("10000000ffffffff"));
    await w.state("led1", LED_DUTY, 90, from);
    expect(r.board.duty(REF.led)).toBeCloseTo(0.9, 5);
    // Automatic again: reported as -1 (all four value bytes), and a late reader of the
    // retained snapshot sees it too.
    const auto = await w.next((x) => x.topic === "pinwire/led1/state" && x.payload.length === 8 && x.payload[0] === LED_SET, from);
    expect(auto.payload.toString("hex")).toBe("10000000ffffffff");
    await w.next((x) => x.topic === "pinwire/led1/state" && x.payload.length === 32 && stateOf(x.payload)[LED_SET] === -1, from);
    const late = await Watcher.connect("mqtt://127.0.0.1:" + broker.port, "pinwire/led1/state");
    try {
      const rm = await late.next((x) => x.retain);
      expect(rm.payload.slice(24).toString("hex")).toBe("10000000ffffffff");
      expect(stateOf(rm.payload)[LED_DUTY]).toBe(90);
    } finally {
      await late.close();
    }
  });

  it("malformed commands are ignored with a console error and an error report", async () => {
    const r = await start("bad1");
    const cases: Array<[Buffer | string, string]> = [
      [hex("0d000000780000"), "msg-length"],
      [hex("2a00000001000000"), "msg-unknown-cmd"],
      [hex("0d000000b5000000"), "msg-range"],
      [hex("0c0000005a000000"), "msg-not-command"],
      ["{nope", "control-json"],
      ['{"control":"PWM","value":500}', "control-range"],
      ['{"control":"FAN","value":1}', "control-unknown"],
    ];
    for (const [payload, code] of cases) {
      const from = w.msgs.length;
      await w.publish("pinwire/bad1/cmd", payload);
      const e = await w.next((m) => m.topic === "pinwire/bad1/error", from);
      // The board reports its short code (shared/message-codes.board.ts); the host spells it out.
      const got = JSON.parse(e.payload.toString()) as { code: string };
      expect(Object.keys(got)).toEqual(["code"]);
      expect(hostCode(got.code)).toBe(code);
      expect(r.out()).toContain("bad command " + got.code);
    }
    expect(angle(r.board)).toBe(90);
    // Still running.
    const from = w.msgs.length;
    await w.publish("pinwire/bad1/cmd", hex("0d0000000a000000"));
    await w.state("bad1", SERVO_ANGLE, 10, from);
    expect(r.out()).not.toContain("Uncaught");
  });

  it("a board that dies leaves its will: status offline, retained", async () => {
    const r = await start("will1");
    const from = w.msgs.length;
    await r.close();
    rig = null;
    const m = await w.next((x) => x.topic === "pinwire/will1/status" && x.payload.toString() === "offline", from);
    expect(m).toBeTruthy();
  });
});
