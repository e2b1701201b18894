// The parts (device/parts/) as ES5 on the virtual board, made from its console through
// test/fixtures/parts-entry.ts, with the simulated peripherals on the esp8266 pins.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleES5 } from "../scripts/device-bundle.mjs";
import { VirtualBoard } from "../host/vboard";
import { tempDir } from "./host-helpers";
import { referencePins } from "./helpers/reference-app";

let board: VirtualBoard;
let out = "";
let cleanup: () => void;
const REF = referencePins("esp8266");

beforeAll(async () => {
  const code = await bundleES5("test/fixtures/parts-entry.ts", { PINWIRE_BOARD: "esp8266" });
  const t = tempDir("pinwire-drv-");
  cleanup = t.cleanup;
  board = new VirtualBoard({ board: "esp8266", storageDir: t.dir, console: (s) => (out += s) });
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
    await ev('var steps = []; var enc = pw.encoder({ n: "e", p: { clk: "D12", dt: "D13" }, o: { min: -3, max: 3, debounce: 1 } }); enc.on(function (n) { steps.push(n); console.log("E " + n); })');
    const from = out.length;
    await board.encoder.turn(2, REF.encoder);
    await board.waitForOutput("E 2", from);
    await board.encoder.turn(-7, REF.encoder);
    await board.waitForOutput("E -3", from);
    await board.encoder.turn(1, REF.encoder);
    await board.waitForOutput("E -2", from);
    expect(await ev("steps.join()")).toBe("1,2,1,0,-1,-2,-3,-2");
    // A resync moves the counter silently, clamped to the limits.
    expect(await ev("enc.set(10)")).toBe(3);
    expect(await ev("enc.set(-1)")).toBe(-1);
    expect(await ev("steps.length")).toBe(8);
    await board.encoder.turn(1, REF.encoder);
    await board.waitForOutput("E 0", from);
    expect(await ev("enc.get()")).toBe(0);
  });
});

describe("servo", () => {
  it("maps 0..180 deg to the configured pulse at 50 Hz, clamped to whole degrees", async () => {
    await ev('var sv = pw.servo({ n: "s", p: "D15", o: { min: 1, max: 2 } })');
    expect(await ev("sv.get()")).toBe(-1);
    expect(await ev("sv.set(0)")).toBe(0);
    expect(board.pins.pwm("D15")).toEqual({ duty: 0.05, freq: 50 });
    expect(await ev("sv.set(180)")).toBe(180);
    expect(board.pins.pwm("D15")!.duty).toBeCloseTo(0.1, 10);
    expect(await ev("sv.set(250)")).toBe(180);
    expect(await ev("sv.set(-4)")).toBe(0);
    expect(await ev("sv.set(44.6)")).toBe(45);
    expect(board.pins.pwm("D15")!.duty).toBeCloseTo((1 + 45 / 180) / 20, 10);
    // The default 0.5..2.5 ms: the virtual servo reads back the angle.
    await ev('pw.servo({ n: "s2", p: "D15", o: {} }).set(135)');
    expect(board.servoAngle(REF.servo)).toBeCloseTo(135, 6);
  });
});

describe("LED dimmer", () => {
  it("sets duty 0..100 % with optional gamma, at 50 Hz on the ESP8266 (one PWM clock there)", async () => {
    await ev('var led = pw.pwm({ n: "l", p: "D14", o: { freq: 500 } })');
    expect(await ev("led.set(40)")).toBe(40);
    expect(board.pins.pwm("D14")).toEqual({ duty: 0.4, freq: 50 });
    expect(await ev("led.set(140)")).toBe(100);
    expect(await ev("led.set(-1)")).toBe(0);
    await ev('led = pw.pwm({ n: "l", p: "D14", o: { gamma: 2 } })');
    expect(await ev("led.set(50)")).toBe(50);
    expect(board.pins.pwm("D14")).toEqual({ duty: 0.25, freq: 50 });
    expect(await ev("led.get()")).toBe(50);
  });
});

describe("light sensor", () => {
  it("calibrates, smooths, and reports only moves of at least the hysteresis", async () => {
    board.setAnalog(REF.light!, 0.5);
    const from = out.length;
    // dark 0.2 .. bright 0.8 raw, averaging over 4 samples, 5 % hysteresis, 10 ms period
    await ev('var lv = []; pw.analogIn({ n: "a", p: "A0", o: { period: 10, avg: 4, dark: 0.2, bright: 0.8, hyst: 5 } }).on(function (p) { lv.push(p); console.log("L " + p); })');
    expect(await ev("lv.join()")).toBe("50");
    // Noise below the hysteresis is not reported.
    board.setAnalog(REF.light!, 0.515);
    // Let the 10 ms sampler run about ten times (a board timer, so it orders after them).
    const t = out.length;
    await ev('setTimeout(function () { console.log("T"); }, 100)');
    await board.waitForOutput("T", t);
    expect(await ev("lv.join()")).toBe("50");
    // A step is smoothed: several growing reports, each at least 5 apart, ending at 100.
    board.setAnalog(REF.light!, 0.9);
    await board.waitForOutput("L 100", from);
    const lv = String(await ev("lv.join()")).split(",").map(Number);
    expect(lv.length).toBeGreaterThan(3);
    for (let i = 1; i < lv.length; i++) {
      expect(lv[i]).toBeGreaterThan(lv[i - 1]);
      if (lv[i] !== 100) expect(lv[i] - lv[i - 1]).toBeGreaterThanOrEqual(5);
    }
    // Inverted wiring (dark reads higher than bright) works the same way.
    await ev('var inv = pw.analogIn({ n: "b", p: "A0", o: { period: 10, avg: 1, dark: 0.8, bright: 0.2, hyst: 1 } }); lv = []; inv.on(function (p) { lv.push(p); console.log("I " + p); })');
    expect(await ev("lv.join()")).toBe("0");
    const f2 = out.length;
    board.setAnalog(REF.light!, 0.35);
    await board.waitForOutput("I 75", f2);
    expect(await ev("inv.get()")).toBe(75);
  });
});

describe("button", () => {
  it("reports presses and releases (pull-up: pressed reads 0), debounced", async () => {
    board.setPin("D4", 1);
    await ev('var presses = []; var btn = pw.button({ n: "b", p: "D4", o: { debounce: 5 } }); btn.on(function (p) { presses.push(p); console.log("B " + p); })');
    expect(await ev("btn.get()")).toBe(false);
    const from = out.length;
    board.setPin("D4", 0);
    await board.waitForOutput("B true", from);
    expect(await ev("btn.get()")).toBe(true);
    board.setPin("D4", 1);
    await board.waitForOutput("B false", from);
    expect(await ev("presses.join()")).toBe("true,false");
  });
});

describe("digital output", () => {
  it("drives the pin, inverted for active-low wiring, starting off", async () => {
    await ev('var relay = pw.digitalOut({ n: "r", p: "D5", o: { invert: true } })');
    expect(board.pinLevel("D5")).toBe(1);
    expect(await ev("relay.set(true)")).toBe(1);
    expect(board.pinLevel("D5")).toBe(0);
    expect(await ev("relay.get()")).toBe(1);
    await ev('var lamp = pw.digitalOut({ n: "l2", p: "D16", o: { initial: 1 } })');
    expect(board.pinLevel("D16")).toBe(1);
  });
});
