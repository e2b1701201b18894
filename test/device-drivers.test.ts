// The drivers (device/encoder, servo, light, led) as ES5 on the virtual board, through
// device/testkit.ts, with the simulated peripherals on the esp8266 pins.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleES5 } from "../scripts/device-bundle.mjs";
import { VirtualBoard } from "../host/vboard";
import { tempDir } from "./host-helpers";

let board: VirtualBoard;
let out = "";
let cleanup: () => void;
const PINS = { servo: "D15", clk: "D12", dt: "D13", light: "A0", led: "D14" };

beforeAll(async () => {
  const code = await bundleES5("device/testkit.ts", { PINWIRE_BOARD: "esp8266" });
  const t = tempDir("pinwire-drv-");
  cleanup = t.cleanup;
  board = new VirtualBoard({ board: "esp8266", storageDir: t.dir, pins: PINS, console: (s) => (out += s) });
  board.storage.write(".bootcde", Buffer.from(code, "latin1"));
  await board.boot();
});

afterAll(async () => {
  await board.stop();
  cleanup();
});

const ev = (code: string) => board.eval(code);

describe("rotary encoder", () => {
  it("counts quadrature steps within its limits and reports each change", async () => {
    await ev('var steps = []; pw.encoderStart("D12", "D13", -3, 3, 1, function (n) { steps.push(n); console.log("E " + n); })');
    const from = out.length;
    await board.encoder.turn(2);
    await board.waitForOutput("E 2", from);
    await board.encoder.turn(-7);
    await board.waitForOutput("E -3", from);
    await board.encoder.turn(1);
    await board.waitForOutput("E -2", from);
    expect(await ev("steps.join()")).toBe("1,2,1,0,-1,-2,-3,-2");
    // A resync moves the counter silently, clamped to the limits.
    expect(await ev("pw.encoderSet(10)")).toBe(3);
    expect(await ev("pw.encoderSet(-1)")).toBe(-1);
    expect(await ev("steps.length")).toBe(8);
    await board.encoder.turn(1);
    await board.waitForOutput("E 0", from);
    await ev("pw.encoderStop()");
    await board.encoder.turn(2);
    expect(await ev("pw.encoderGet()")).toBe(0);
  });
});

describe("servo", () => {
  it("maps 0..180 deg to the configured pulse at 50 Hz, clamped to whole degrees", async () => {
    await ev('pw.servoStart("D15", 1, 2)');
    expect(await ev("pw.servoGet()")).toBe(-1);
    expect(await ev("pw.servoSet(0)")).toBe(0);
    expect(board.pins.pwm("D15")).toEqual({ duty: 0.05, freq: 50 });
    expect(await ev("pw.servoSet(180)")).toBe(180);
    expect(board.pins.pwm("D15")!.duty).toBeCloseTo(0.1, 10);
    expect(await ev("pw.servoSet(250)")).toBe(180);
    expect(await ev("pw.servoSet(-4)")).toBe(0);
    expect(await ev("pw.servoSet(44.6)")).toBe(45);
    expect(board.pins.pwm("D15")!.duty).toBeCloseTo((1 + 45 / 180) / 20, 10);
    // The default 0.5..2.5 ms: the virtual servo reads back the angle.
    await ev('pw.servoStart("D15", 0.5, 2.5); pw.servoSet(135)');
    expect(board.servoAngle()).toBeCloseTo(135, 6);
  });
});

describe("LED dimmer", () => {
  it("sets duty 0..100 % at its frequency, with optional gamma", async () => {
    await ev('pw.ledStart("D14", 500, 1)');
    expect(await ev("pw.ledSet(40)")).toBe(40);
    expect(board.pins.pwm("D14")).toEqual({ duty: 0.4, freq: 500 });
    expect(await ev("pw.ledSet(140)")).toBe(100);
    expect(await ev("pw.ledSet(-1)")).toBe(0);
    await ev('pw.ledStart("D14", 1000, 2)');
    expect(await ev("pw.ledSet(50)")).toBe(50);
    expect(board.pins.pwm("D14")).toEqual({ duty: 0.25, freq: 1000 });
    expect(await ev("pw.ledGet()")).toBe(50);
  });
});

describe("light sensor", () => {
  it("calibrates, smooths, and reports only moves of at least the hysteresis", async () => {
    board.setLight(0.5);
    const from = out.length;
    // dark 0.2 .. bright 0.8 raw, averaging over 4 samples, 5 % hysteresis, 10 ms period
    await ev('var lv = []; pw.lightStart("A0", 10, 4, 0.2, 0.8, 5, function (p) { lv.push(p); console.log("L " + p); })');
    expect(await ev("lv.join()")).toBe("50");
    // Noise below the hysteresis is not reported.
    board.setLight(0.515);
    // Let the 10 ms sampler run about ten times (a board timer, so it orders after them).
    const t = out.length;
    await ev('setTimeout(function () { console.log("T"); }, 100)');
    await board.waitForOutput("T", t);
    expect(await ev("lv.join()")).toBe("50");
    // A step is smoothed: several growing reports, each at least 5 apart, ending at 100.
    board.setLight(0.9);
    await board.waitForOutput("L 100", from);
    const lv = String(await ev("lv.join()")).split(",").map(Number);
    expect(lv.length).toBeGreaterThan(3);
    for (let i = 1; i < lv.length; i++) {
      expect(lv[i]).toBeGreaterThan(lv[i - 1]);
      if (lv[i] !== 100) expect(lv[i] - lv[i - 1]).toBeGreaterThanOrEqual(5);
    }
    // Inverted wiring (dark reads higher than bright) works the same way.
    await ev('lv = []; pw.lightStart("A0", 10, 1, 0.8, 0.2, 1, function (p) { lv.push(p); })');
    expect(await ev("lv.join()")).toBe("0");
    board.setLight(0.35);
    const f2 = out.length;
    await ev('pw.lightStart("A0", 10, 1, 0.8, 0.2, 1, function (p) { console.log("I " + p); })');
    await board.waitForOutput("I 75", f2);
    await ev("pw.lightStop()");
    expect(await ev("pw.lightGet()")).toBe(75);
  });
});
