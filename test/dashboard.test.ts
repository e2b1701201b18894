// The live dashboard in Debian's Chromium (playwright-core) against the whole stack in this
// process: embedded Aedes + bridge + gateway + HTTP (with a dashboard token), and boards
// running two different example apps (servo-light, sensor-struct) plus one whose script has no
// catalogue. Cards are checked by assertions on the DOM at 1366 px and 390 px (screenshots
// are written to /tmp for a person to look at). Every wait is on a page or stack condition.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import type { Socket } from "node:net";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import mqtt from "mqtt";
import type { Service } from "../host/bridge/service";
import { encodeAck, encodeBoot, encodeDone, encodeManifest, BOOT_UPDATED } from "../shared/ota";
import { startTestService, waitDevice } from "./host-helpers";
import { startTestBoard, type TestBoard } from "./helpers/boards";

const TOKEN = "dash-token-1";
const LAMP = "lamp1";
const SENSOR = "sensor-garden-north";
const OLD = "old-kitchen-board";

let svc: Service;
let lamp: TestBoard;
let sensor: TestBoard;
let old: TestBoard;
let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];
const foreignRequests: string[] = [];

beforeAll(async () => {
  svc = await startTestService({ token: TOKEN });
  [lamp, sensor, old, browser] = await Promise.all([
    startTestBoard({ id: LAMP, broker: svc.mqttUrl, app: "servo-light" }),
    startTestBoard({ id: SENSOR, broker: svc.mqttUrl, app: "sensor-struct" }),
    startTestBoard({ id: OLD, broker: svc.mqttUrl, app: null, script: "0.9.0", rawState: Buffer.from("0c0000005a000000", "hex") }),
    chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    }),
  ]);
  await waitDevice(svc, LAMP, (d) => d.status === "online" && d.values.SERVO_ANGLE === 90);
  await waitDevice(svc, SENSOR, (d) => d.status === "online" && d.values.PERIOD === 1000);
  await waitDevice(svc, OLD, (d) => d.status === "online" && d.raw !== null);
});

afterAll(async () => {
  await browser?.close();
  for (const b of [lamp, sensor, old]) await b?.stop().catch(() => {});
  await svc?.close();
});

async function open(opts: { token?: string | null; width?: number } = {}): Promise<Page> {
  const width = opts.width ?? 1366;
  const ctx = await browser.newContext({ viewport: { width, height: 900 }, deviceScaleFactor: width < 500 ? 2 : 1 });
  contexts.push(ctx);
  const page = await ctx.newPage();
  page.setDefaultTimeout(10000); // a failing wait reports itself before the test times out
  page.on("pageerror", (e) => pageErrors.push(e.message));
  page.on("console", (m) => m.type() === "error" && !/WebSocket|401|Failed to load resource/.test(m.text()) && pageErrors.push(m.text()));
  page.on("request", (r) => !r.url().startsWith(svc.httpUrl + "/") && foreignRequests.push(r.url()));
  const token = opts.token === undefined ? TOKEN : opts.token;
  await page.goto(svc.httpUrl + "/" + (token ? "?token=" + token : ""));
  return page;
}

const card = (page: Page, id: string) => page.locator(`article.card[data-device="${id}"]`);
const w = (page: Page, id: string, message: string, widget: string) => card(page, id).locator(`[data-message="${message}"][data-widget="${widget}"]`);
// Waits until an attribute of a widget has a value.
const until = (page: Page, id: string, message: string, widget: string, attr: string, value: string) =>
  page.waitForFunction(
    ([id, m, wd, a, v]) => document.querySelector(`article[data-device="${id}"] [data-message="${m}"][data-widget="${wd}"]`)?.getAttribute(a) === v,
    [id, message, widget, attr, value] as const,
  );
const gauge = (page: Page, v: number) => until(page, LAMP, "SERVO_ANGLE", "gauge", "data-value", String(v));
const live = (page: Page) => page.waitForFunction(() => document.querySelector("#conn")?.getAttribute("data-state") === "live");

describe("dashboard", () => {
  it("shows two boards running different apps side by side at 1366 px, each card from its catalogue", async () => {
    const page = await open();
    await live(page);
    await gauge(page, 90);
    await until(page, SENSOR, "READING", "table", "data-message", "READING");
    expect(await page.locator("#device-list li").evaluateAll((li) => li.map((e) => [e.getAttribute("data-device"), e.getAttribute("data-status")]))).toEqual([
      [LAMP, "online"],
      [OLD, "online"],
      [SENSOR, "online"],
    ]);
    // servo-light: gauge, slider and presets for the servo; values and a switch for the light
    // and LED; one chart of the three charted reports.
    const l = card(page, LAMP);
    expect(await l.getAttribute("data-app")).toBe("servo-light");
    expect(await l.locator(".app").textContent()).toBe("servo-light 1.0.0");
    expect(await w(page, LAMP, "SERVO_ANGLE", "gauge").getAttribute("aria-valuemax")).toBe("180");
    expect(await w(page, LAMP, "SERVO_ROTATE", "slider").evaluate((e: HTMLInputElement) => [e.min, e.max, e.value])).toEqual(["0", "180", "90"]);
    expect(await w(page, LAMP, "SERVO_ROTATE", "buttons").locator("button").evaluateAll((b) => b.map((e) => e.textContent))).toEqual(["0°", "45°", "90°", "135°", "180°"]);
    expect(await w(page, LAMP, "LIGHT_LEVEL", "value").textContent()).toBe("50%");
    expect(await w(page, LAMP, "LED_DUTY", "value").textContent()).toBe("50%");
    expect(await w(page, LAMP, "LED_SET", "switch").getAttribute("aria-checked")).toBe("true");
    // While the switch is on (automatic) the LED's slider waits; it covers 0..100, not -1.
    expect(await w(page, LAMP, "LED_SET", "slider").evaluate((e: HTMLInputElement) => [e.min, e.max, e.disabled])).toEqual(["0", "100", true]);
    expect(await l.locator(".chart .legend .series").evaluateAll((s) => s.map((e) => e.textContent))).toEqual(["servo 90°", "light 50%", "LED 50%"]);
    expect(await l.locator(".plot canvas").count()).toBe(1);
    // sensor-struct: the 40-byte struct as a table of its members, the period as presets and a value.
    const s = card(page, SENSOR);
    expect(await s.locator(".app").textContent()).toBe("sensor-struct 1.0.0");
    expect(await w(page, SENSOR, "READING", "table").locator("tr").evaluateAll((r) => r.map((e) => [e.querySelector("th")!.textContent, e.querySelector("td")!.textContent]))).toEqual([
      ["id", "1"],
      ["v1", "21.5"],
      ["v2", "-3.25"],
      ["v3", "4000000000"],
      ["v4", "hello"],
    ]);
    expect(await w(page, SENSOR, "PERIOD", "buttons").locator("button").evaluateAll((b) => b.map((e) => [e.textContent, e.getAttribute("aria-pressed")]))).toEqual([
      ["0 ms", "false"],
      ["250 ms", "false"],
      ["1000 ms", "true"],
      ["5000 ms", "false"],
    ]);
    expect(await w(page, SENSOR, "PERIOD", "value").textContent()).toBe("1000 ms");
    expect(await s.locator("svg.gauge, .plot").count()).toBe(0);
    // Per board: app, the running script's version, IP, RSSI, uptime.
    const info = async (id: string) => Object.fromEntries(await card(page, id).locator(".info output").evaluateAll((o) => o.map((e) => [e.className, e.textContent])));
    expect(await info(LAMP)).toMatchObject({ "app-version": "servo-light 1.0.0", script: "v1.0.0", board: "fake", runtime: "fake", ip: "127.0.0.1", rssi: "-50 dBm" });
    expect((await info(SENSOR))["app-version"]).toBe("sensor-struct 1.0.0");
    await page.waitForFunction((id) => /\d+ s/.test(document.querySelector(`article[data-device="${id}"] output.uptime`)!.textContent!), LAMP);
    // Side by side: the same row, apart, on the page.
    const [a, b] = [(await l.boundingBox())!, (await s.boundingBox())!];
    expect(a.y).toBe(b.y);
    expect(a.x + a.width).toBeLessThanOrEqual(b.x);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1366);
    await page.screenshot({ path: "/tmp/pinwire-dashboard-1366.png", fullPage: true });
  });

  it("fits a 390 px phone: one column, the device chips wrap, nothing scrolls sideways", async () => {
    const page = await open({ width: 390 });
    await gauge(page, 90);
    await page.waitForFunction(() => Number(document.querySelector(".plot")?.getAttribute("data-samples")) >= 1);
    const m = await page.evaluate(() => ({
      doc: document.documentElement.scrollWidth,
      chips: [...document.querySelectorAll("#device-list li")].map((e) => e.getBoundingClientRect().right),
      list: document.querySelector("#device-list ul")!.scrollWidth,
      cards: [...document.querySelectorAll("article.card")].map((e) => [e.getBoundingClientRect().x, e.getBoundingClientRect().right]),
      chart: document.querySelector(".plot canvas")!.getBoundingClientRect().width,
    }));
    expect(m.doc).toBeLessThanOrEqual(390);
    expect(m.list).toBeLessThanOrEqual(390);
    expect(Math.max(...m.chips)).toBeLessThanOrEqual(390);
    for (const [x, right] of m.cards) expect([x >= 0, right <= 390]).toEqual([true, true]);
    // One column: every card starts at the same x.
    expect(new Set(m.cards.map(([x]) => x)).size).toBe(1);
    expect(m.chart).toBeGreaterThan(200);
    // Touch-sized controls: each app's presets fit on one row, each at least 40 px tall.
    for (const [id, msg] of [[LAMP, "SERVO_ROTATE"], [SENSOR, "PERIOD"]]) {
      const presets = await w(page, id, msg, "buttons").locator("button").evaluateAll((bs) => bs.map((b) => b.getBoundingClientRect()).map((r) => ({ top: r.top, h: r.height })));
      expect(new Set(presets.map((p) => p.top)).size).toBe(1);
      for (const p of presets) expect(p.h).toBeGreaterThanOrEqual(40);
    }
    await page.screenshot({ path: "/tmp/pinwire-dashboard-390.png", fullPage: true });
  });

  it("sends commands from the browser to the right board; two browsers stay in sync", async () => {
    const [a, b] = await Promise.all([open(), open({ width: 390 })]);
    await Promise.all([gauge(a, 90), gauge(b, 90), live(a), live(b)]);
    await w(a, LAMP, "SERVO_ROTATE", "slider").fill("120");
    await Promise.all([gauge(a, 120), gauge(b, 120)]);
    expect(lamp.value("SERVO_ANGLE")).toBe(120);
    expect(await w(b, LAMP, "SERVO_ROTATE", "slider").inputValue()).toBe("120");
    await w(b, LAMP, "SERVO_ROTATE", "buttons").locator('button[data-value="45"]').click();
    await Promise.all([gauge(a, 45), gauge(b, 45)]);
    expect(await w(a, LAMP, "SERVO_ROTATE", "buttons").locator('button[data-value="45"]').getAttribute("aria-pressed")).toBe("true");
    // The other app's board, from the other browser.
    await w(b, SENSOR, "PERIOD", "buttons").locator('button[data-value="250"]').click();
    await Promise.all([a, b].map((p) => until(p, SENSOR, "PERIOD", "value", "data-value", "250")));
    expect(sensor.received()).toEqual([{ name: "PERIOD", value: 250 }]);
    expect(lamp.received().map((c) => c.name)).toEqual(["SERVO_ROTATE", "SERVO_ROTATE"]);
    expect(lamp.received().at(-1)).toEqual({ name: "SERVO_ROTATE", value: 45 });
  });

  it("the LED switch and slider: what one browser sets, the other (and a late one) shows", async () => {
    const [a, b] = await Promise.all([open(), open()]);
    await Promise.all([live(a), live(b)]);
    const sw = (p: Page) => w(p, LAMP, "LED_SET", "switch");
    const slider = (p: Page) => w(p, LAMP, "LED_SET", "slider");
    await Promise.all([a, b].map((p) => expect.poll(() => sw(p).isEnabled()).toBe(true)));
    // Off: the LED is held at the duty automatic left it at, by hand.
    await sw(a).click();
    await Promise.all([a, b].map((p) => until(p, LAMP, "LED_SET", "switch", "aria-checked", "false")));
    expect(lamp.received().at(-1)).toEqual({ name: "LED_SET", value: 50 });
    await expect.poll(() => slider(b).isDisabled()).toBe(false);
    await slider(b).fill("35");
    await expect.poll(() => slider(a).inputValue()).toBe("35");
    await waitDevice(svc, LAMP, (d) => d.values.LED_SET === 35 && d.values.LED_DUTY === 35);
    expect(lamp.value("LED_DUTY")).toBe(35);
    const late = await open();
    await until(late, LAMP, "LED_SET", "switch", "aria-checked", "false");
    await expect.poll(() => slider(late).inputValue()).toBe("35");
    // A command from outside any page (Home Assistant, a script) moves every page too.
    const m = await mqtt.connectAsync(svc.mqttUrl, { protocolVersion: 4 });
    try {
      await m.publishAsync("pinwire/" + LAMP + "/cmd", '{"control":"PWM","value":-1}');
    } finally {
      await m.endAsync();
    }
    await Promise.all([a, b, late].map((p) => until(p, LAMP, "LED_SET", "switch", "aria-checked", "true")));
    expect(await slider(b).isDisabled()).toBe(true);
  });

  it("follows the board: its input moves the gauge, the light moves the LED and the chart", async () => {
    const page = await open();
    await live(page);
    lamp.input("SERVO_ANGLE", 95);
    await gauge(page, 95);
    expect(await w(page, LAMP, "SERVO_ANGLE", "gauge").getAttribute("aria-valuenow")).toBe("95");
    expect(await w(page, LAMP, "SERVO_ROTATE", "slider").inputValue()).toBe("95");
    lamp.input("LIGHT_LEVEL", 30);
    await until(page, LAMP, "LIGHT_LEVEL", "value", "data-value", "30");
    await until(page, LAMP, "LED_DUTY", "value", "data-value", "70");
    sensor.input("READING", { id: 7, v1: 0.5, v2: 1e6, v3: 1, v4: "ok" });
    await page.waitForFunction((id) => document.querySelector(`article[data-device="${id}"] td[data-field="v4"]`)?.textContent === "ok", SENSOR);
    expect(await w(page, SENSOR, "READING", "table").locator('td[data-field="v2"]').textContent()).toBe("1000000");
    await page.waitForFunction((id) => Number(document.querySelector(`article[data-device="${id}"] .plot`)?.getAttribute("data-samples")) >= 2, LAMP);
  });

  it("draws the bridge's recent history after a reload", async () => {
    const page = await open();
    await gauge(page, 95);
    // Points the bridge kept: SERVO_ANGLE 90 -> 120 -> 45 -> 95, light and LED too.
    const kept = Object.values(svc.bridge.history(LAMP)!).reduce((n, s) => n + s.length, 0);
    expect(kept).toBeGreaterThanOrEqual(6);
    await page.reload();
    await page.waitForFunction(([id, n]) => Number(document.querySelector(`article[data-device="${id}"] .plot`)?.getAttribute("data-history")) >= n, [LAMP, kept] as const);
  });

  it("shows a board without a catalogue with its status, info and raw state", async () => {
    const page = await open();
    const o = card(page, OLD);
    await expect.poll(() => o.getAttribute("data-status")).toBe("online");
    expect(await o.locator(".app").textContent()).toBe("no catalogue");
    expect(await o.locator(".raw .note").textContent()).toMatch(/announces no catalogue/);
    await expect.poll(() => o.locator("code.raw-state").textContent()).toBe("0c 00 00 00 5a 00 00 00");
    expect(await o.locator("output.script").textContent()).toBe("v0.9.0");
    expect(await o.locator("output.board").textContent()).toBe("fake");
    expect(await o.locator("input, button:not(.forget)").count()).toBe(0);
  });

  it("shows the board's log lines and its over-the-air update: progress and last outcome", async () => {
    const page = await open();
    await live(page);
    lamp.log("pinwire: bad command catalogue-range");
    await page.waitForFunction((id) => document.querySelector(`article[data-device="${id}"] .log li:last-child`)?.textContent?.endsWith("bad command catalogue-range"), LAMP);
    // A push as the protocol carries it: the pusher's manifest, the board's ACK, DONE, BOOT.
    const m = await mqtt.connectAsync(svc.mqttUrl, { protocolVersion: 4 });
    const ota = (rest: string, b: Uint8Array, retain = false) => m.publishAsync("pinwire/" + LAMP + "/" + rest, Buffer.from(b), { retain });
    const out = card(page, LAMP).locator("output.ota");
    try {
      await ota("ota", encodeManifest({ tag: 7, size: 4000, crc: 1, chunk: 2000, health: 0, boots: 0, alg: 0, flags: 0, challenge: new Uint8Array(8), version: "2.0.0", digest: new Uint8Array(0), sig: new Uint8Array(0) }));
      await ota("ota/r", encodeAck(7, 2000));
      await expect.poll(() => out.getAttribute("data-progress")).toBe("50");
      expect(await out.textContent()).toBe("sending v2.0.0: 50% of 4000 B");
      await ota("ota/r", encodeDone(7));
      await expect.poll(() => out.getAttribute("data-state")).toBe("restarting");
      await ota("ota/s", encodeBoot(7, BOOT_UPDATED, "2.0.0", ""), true);
      await expect.poll(() => out.textContent()).toBe("running v2.0.0 · last: updated to 2.0.0");
      expect(await out.getAttribute("data-last")).toBe("ok");
    } finally {
      await ota("ota/s", new Uint8Array(0), true);
      await m.endAsync();
    }
  });

  it("reconnects after the server drops its sockets", async () => {
    // This page's connections (HTTP and WebSockets), to cut them from the server side.
    const socks = new Set<Socket>();
    const track = (s: Socket) => socks.add(s);
    svc.http.server.on("connection", track);
    const page = await open();
    await gauge(page, 95);
    await live(page);
    svc.http.server.off("connection", track);
    // Record every connection state the page shows, so a quick drop and return is seen.
    await page.evaluate(() => {
      const el = document.querySelector("#conn")!;
      const seen: string[] = ((window as any).connStates = []);
      new MutationObserver(() => seen.push(el.getAttribute("data-state")!)).observe(el, { attributes: true });
    });
    expect(socks.size).toBeGreaterThanOrEqual(4); // the device list channel and one socket per device
    for (const s of socks) s.destroy();
    await page.waitForFunction(() => (window as any).connStates.includes("reconnecting"));
    await live(page);
    // Live again: reports reach the page, commands reach the board.
    lamp.input("SERVO_ANGLE", 100);
    await gauge(page, 100);
    await w(page, LAMP, "SERVO_ROTATE", "buttons").locator('button[data-value="90"]').click();
    await gauge(page, 90);
    expect(lamp.value("SERVO_ANGLE")).toBe(90);
  });

  it("asks for the token when the URL has none, and refuses a wrong one", async () => {
    const page = await open({ token: null });
    const form = page.locator("#token-form");
    await form.waitFor({ state: "visible" });
    expect(await page.locator("article.card").count()).toBe(0);
    await form.locator("input").fill("wrong");
    await form.locator("button").click();
    await form.locator(".error").waitFor({ state: "visible" });
    await form.locator("input").fill(TOKEN);
    await form.locator("button").click();
    await gauge(page, 90);
    expect(await form.isHidden()).toBe(true);
  });

  it("changes a board's card when a push gives it another app", async () => {
    const b = await startTestBoard({ id: "flip1", broker: svc.mqttUrl, app: "servo-light" });
    try {
      const page = await open();
      await until(page, "flip1", "SERVO_ANGLE", "gauge", "data-value", "90");
      await b.switchApp("sensor-struct", "2.0.0");
      await until(page, "flip1", "READING", "table", "data-message", "READING");
      const c = card(page, "flip1");
      await expect.poll(() => c.locator(".app").textContent()).toBe("sensor-struct 1.0.0");
      await expect.poll(() => c.locator("output.script").textContent()).toBe("v2.0.0");
      expect(await c.locator("svg.gauge, .plot").count()).toBe(0);
      await page.waitForFunction(() => document.querySelector('article[data-device="flip1"] td[data-field="v4"]')?.textContent === "hello");
      // Its controls are the new app's, and reach it.
      await until(page, "flip1", "PERIOD", "value", "data-value", "1000");
      await expect.poll(() => c.locator('[data-message="PERIOD"] button[data-value="5000"]').isEnabled()).toBe(true);
      await c.locator('[data-message="PERIOD"] button[data-value="5000"]').click();
      await until(page, "flip1", "PERIOD", "value", "data-value", "5000");
      expect(b.received()).toEqual([{ name: "PERIOD", value: 5000 }]);
    } finally {
      await b.stop();
    }
  });

  it("shows a board offline when it stops and online when it is back; forgets an offline one", async () => {
    const [a, b] = await Promise.all([open(), open()]);
    for (const p of [a, b]) await expect.poll(() => card(p, LAMP).getAttribute("data-status")).toBe("online");
    expect(await card(a, LAMP).locator("button.forget").isHidden()).toBe(true);
    await lamp.stop();
    for (const p of [a, b]) {
      await expect.poll(() => card(p, LAMP).getAttribute("data-status")).toBe("offline");
      await expect.poll(() => p.locator(`#device-list li[data-device="${LAMP}"]`).getAttribute("data-status")).toBe("offline");
      expect(await w(p, LAMP, "SERVO_ROTATE", "slider").isDisabled()).toBe(true);
      expect(await w(p, LAMP, "SERVO_ROTATE", "buttons").locator("button").first().isDisabled()).toBe(true);
    }
    // The last known angle stays on the gauge.
    expect(await w(a, LAMP, "SERVO_ANGLE", "gauge").getAttribute("data-value")).toBe("90");
    await lamp.start();
    for (const p of [a, b]) await expect.poll(() => card(p, LAMP).getAttribute("data-status")).toBe("online");
    await expect.poll(() => w(b, LAMP, "SERVO_ROTATE", "buttons").locator('button[data-value="135"]').isEnabled()).toBe(true);
    await w(b, LAMP, "SERVO_ROTATE", "buttons").locator('button[data-value="135"]').click();
    await Promise.all([gauge(a, 135), gauge(b, 135)]);

    // Forget: offline boards pile up otherwise. Two clicks, and every page drops the card.
    const gone = await startTestBoard({ id: "gone2", broker: svc.mqttUrl, app: "sensor-struct" });
    await expect.poll(() => card(a, "gone2").getAttribute("data-status")).toBe("online");
    await gone.stop();
    const forget = card(a, "gone2").locator("button.forget");
    await forget.waitFor({ state: "visible" });
    await forget.click();
    expect(await forget.textContent()).toBe("Forget? Click again");
    await forget.click();
    for (const p of [a, b]) await expect.poll(() => card(p, "gone2").count()).toBe(0);
    expect(await a.locator('#device-list li[data-device="gone2"]').count()).toBe(0);
    expect(svc.bridge.device("gone2")).toBeUndefined();
  });

  it("serves uPlot and the shared codec, and nothing outside them", async () => {
    const r = await fetch(svc.httpUrl + "/vendor/uplot/uPlot.esm.js");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/^text\/javascript/);
    const lib = await fetch(svc.httpUrl + "/lib/catalogue.js");
    expect(lib.status).toBe(200);
    expect(await lib.text()).toMatch(/export\{/);
    for (const bad of ["/vendor/uplot/%2e%2e/package.json", "/vendor/uplot/..%2fpackage.json", "/vendor/uplot/nope.js", "/lib/nope.js", "/lib/../bridge/bridge.ts", "/js/messages.js"])
      expect((await fetch(svc.httpUrl + bad)).status, bad).toBe(404);
  });

  it("loaded nothing from outside the host and raised no page errors", () => {
    expect(foreignRequests).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
