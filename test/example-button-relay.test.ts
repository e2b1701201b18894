// examples/button-relay on the virtual board, run as a maker's own test runs it
// (pinwire/testing: built as `pinwire build` builds it, laid out as `pinwire flash` lays it out,
// on a broker of its own): the debounced button on D0 toggles the relay on D5 with a short
// press and switches it on for good with a long one; RELAY and AUTO_OFF commands; the relay
// goes off by itself after AUTO_OFF seconds. Every wait is on what the board reports or prints.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningApp, startApp } from "../host/app/testing";
import { E_MSG_RANGE } from "../shared/message-codes.board";
import { exampleDir } from "./helpers/examples";

const BUTTON = "D0";
const RELAY_PIN = "D5";
let app: RunningApp;

beforeAll(async () => {
  app = await startApp({ dir: exampleDir("button-relay"), id: "relay1" });
  await app.waitForLog("button-relay started");
}, 60000);

afterAll(async () => {
  await app?.stop();
});

// Presses the button (to ground) and waits for the board to count it; then releases it.
async function press(n: number, hold?: () => Promise<unknown>): Promise<void> {
  app.board.setPin(BUTTON, 0);
  await app.waitFor("PRESSES", (v) => v === n);
  if (hold) await hold();
  app.board.setPin(BUTTON, undefined);
}

// Something the board prints after `ms` of its own time: a wait that needs no sleep here.
async function boardWaits(ms: number): Promise<void> {
  const mark = "waited " + Math.random().toString(36).slice(2);
  await app.board.eval(`setTimeout(function () { print(${JSON.stringify(mark)}); }, ${ms})`);
  await app.board.waitForOutput(mark, 0, ms + 10000);
}

describe("examples/button-relay", () => {
  it("starts with the relay off and reports it, the timer and the presses", async () => {
    expect(await app.waitFor("RELAY")).toBe(0);
    expect(await app.waitFor("AUTO_OFF")).toBe(0);
    expect(await app.waitFor("PRESSES")).toBe(0);
    expect(app.board.pinLevel(RELAY_PIN)).toBe(0);
  });

  it("a short press toggles the relay, on release", async () => {
    await press(1);
    await app.waitFor("RELAY", (v) => v === 1);
    expect(app.board.pinLevel(RELAY_PIN)).toBe(1);
    await app.waitForLog("press 1: relay on");
    await press(2);
    await app.waitFor("RELAY", (v) => v === 0);
    expect(app.board.pinLevel(RELAY_PIN)).toBe(0);
    await app.waitForLog("press 2: relay off");
  });

  it("a RELAY command switches it from any host", async () => {
    await app.command("RELAY", 1);
    await app.waitFor("RELAY", (v) => v === 1);
    expect(app.board.pinLevel(RELAY_PIN)).toBe(1);
    await app.command("RELAY", 0);
    await app.waitFor("RELAY", (v) => v === 0);
    expect(app.board.pinLevel(RELAY_PIN)).toBe(0);
  });

  it("with AUTO_OFF set, a relay switched on goes off by itself", async () => {
    await app.command("AUTO_OFF", 1);
    await app.waitFor("AUTO_OFF", (v) => v === 1);
    await app.command("RELAY", 1);
    await app.waitFor("RELAY", (v) => v === 1);
    await app.waitForLog("relay off after 1 s");
    expect(app.value("RELAY")).toBe(0);
    expect(app.board.pinLevel(RELAY_PIN)).toBe(0);
  });

  it("a long press switches it on to stay on, past AUTO_OFF, and does not toggle on release", async () => {
    expect(app.value("AUTO_OFF")).toBe(1);
    await press(3, () => app.waitForLog("long press: relay on, stays on"));
    expect(app.value("RELAY")).toBe(1);
    // Longer than AUTO_OFF on the board's clock: still on.
    await boardWaits(1500);
    expect(app.board.pinLevel(RELAY_PIN)).toBe(1);
    expect(app.value("RELAY")).toBe(1);
    expect(app.logs.filter((l) => l === "relay off after 1 s")).toHaveLength(1);
    // A short press then toggles it off.
    await press(4);
    await app.waitFor("RELAY", (v) => v === 0);
    await app.waitForLog("press 4: relay off");
  });

  it("refuses a RELAY out of its range, and the relay stays as it was", async () => {
    await app.command("RELAY", 1);
    await app.waitFor("RELAY", (v) => v === 1);
    const { default: mqtt } = await import("mqtt");
    const c = await mqtt.connectAsync(app.broker);
    try {
      const err = new Promise<string>((r) => c.on("message", (_t, p) => r(p.toString())));
      await c.subscribeAsync("pinwire/relay1/error");
      const b = Buffer.alloc(8);
      b[0] = 30;
      b.writeInt32LE(2, 4);
      await c.publishAsync("pinwire/relay1/cmd", b);
      // The board's short spelling of msg-range (shared/message-codes.board.ts).
      expect(JSON.parse(await err)).toEqual({ code: E_MSG_RANGE });
    } finally {
      await c.endAsync();
    }
    expect(app.board.pinLevel(RELAY_PIN)).toBe(1);
    await app.command("RELAY", 0);
    await app.waitFor("RELAY", (v) => v === 0);
  });
});
