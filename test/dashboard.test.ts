// The live dashboard in Debian's Chromium (playwright-core) against the whole stack in this
// process: embedded Aedes + bridge + gateway + HTTP (with a dashboard token), and a virtual
// ESP8266 running the real device bundle over MQTT. Every wait is on a page or stack condition.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import type { Socket } from "node:net";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import type { Service } from "../host/bridge/service";
import { startTestService, waitDevice } from "./host-helpers";
import { bootBoard, angle, type Rig } from "./device-harness";
import mqtt from "mqtt";
import { FakeDevice } from "../host/bridge/fake-device";

const TOKEN = "dash-token-1";
const ID = "dash1";

let svc: Service;
let rig: Rig;
let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];
const foreignRequests: string[] = [];

beforeAll(async () => {
  svc = await startTestService({ token: TOKEN });
  [rig, browser] = await Promise.all([
    bootBoard({ id: ID, broker: svc.mqttUrl, light: { period: 40, avg: 1 } }),
    chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    }),
  ]);
  await waitDevice(svc, ID, (d) => d.status === "online" && d.state.servo === 90 && d.info !== null);
});

afterAll(async () => {
  await browser?.close();
  await rig?.close();
  await svc?.close();
});

async function open(opts: { token?: string | null; viewport?: { width: number; height: number } } = {}): Promise<Page> {
  const ctx = await browser.newContext({ viewport: opts.viewport ?? { width: 1280, height: 900 }, deviceScaleFactor: opts.viewport ? 2 : 1 });
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

const card = (page: Page, id = ID) => page.locator(`article.card[data-device="${id}"]`);
const gaugeAngle = (page: Page, value: number) =>
  page.waitForFunction(([id, v]) => document.querySelector(`article[data-device="${id}"] svg.gauge`)?.getAttribute("data-angle") === String(v), [ID, value] as const);

describe("dashboard", () => {
  it("lists the device online with its info, and the encoder moves the gauge", async () => {
    const page = await open();
    await expect.poll(() => page.locator(`#device-list li[data-device="${ID}"]`).getAttribute("data-status")).toBe("online");
    const c = card(page);
    await expect.poll(() => c.getAttribute("data-status")).toBe("online");
    await gaugeAngle(page, 90);
    await expect.poll(() => c.locator("output.version").textContent()).toBe("v0.1.0");
    expect(await c.locator("output.board").textContent()).toBe("esp8266");
    const free = Number(await c.locator("output.mem").getAttribute("data-free"));
    expect(free).toBeGreaterThan(0);
    expect(free).toBeLessThan(1700);
    await page.waitForFunction(() => document.querySelector("#conn")?.getAttribute("data-state") === "live");

    await rig.board.encoder.turn(5);
    await gaugeAngle(page, 95);
    await rig.board.encoder.turn(-12);
    await gaugeAngle(page, 83);
    expect(await c.locator("svg.gauge").getAttribute("aria-valuenow")).toBe("83");
    // The slider follows reports too.
    expect(await c.locator("input.servo-slider").inputValue()).toBe("83");
  });

  it("slider and presets move the board's servo; two browsers stay in sync", async () => {
    const [a, b] = await Promise.all([open(), open()]);
    await Promise.all([gaugeAngle(a, 83), gaugeAngle(b, 83)]);

    await card(a).locator("input.servo-slider").fill("120");
    await waitDevice(svc, ID, (d) => d.state.servo === 120);
    expect(angle(rig.board)).toBe(120);
    await Promise.all([gaugeAngle(a, 120), gaugeAngle(b, 120)]);
    expect(await card(b).locator("input.servo-slider").inputValue()).toBe("120");

    await card(b).locator('button[data-angle="45"]').click();
    await Promise.all([gaugeAngle(a, 45), gaugeAngle(b, 45)]);
    expect(angle(rig.board)).toBe(45);
    await card(a).locator('button[data-angle="180"]').click();
    await Promise.all([gaugeAngle(a, 180), gaugeAngle(b, 180)]);
    expect(angle(rig.board)).toBe(180);
  });

  it("charts light and LED; LED manual and auto", async () => {
    const page = await open();
    const c = card(page);
    const text = (sel: string) => c.locator(sel).textContent();
    rig.board.setLight({ percent: 30 });
    await expect.poll(() => text("output.light-value")).toBe("30%");
    await expect.poll(() => text("output.led-value")).toBe("70%");
    // The chart got samples and drew them.
    await page.waitForFunction((id) => Number(document.querySelector(`article[data-device="${id}"] .plot`)?.getAttribute("data-samples")) >= 2, ID);
    expect(await c.locator(".plot canvas").count()).toBe(1);

    expect(await c.locator("input.led-slider").isDisabled()).toBe(true);
    await c.locator('button[data-mode="manual"]').click();
    expect(await c.locator('button[data-mode="manual"]').getAttribute("aria-pressed")).toBe("true");
    await c.locator("input.led-slider").fill("20");
    await expect.poll(() => text("output.led-value")).toBe("20%");
    expect(rig.board.ledDuty()).toBeCloseTo(0.2, 5);
    // Manual: a light change leaves the LED alone.
    rig.board.setLight({ percent: 60 });
    await expect.poll(() => text("output.light-value")).toBe("60%");
    await waitDevice(svc, ID, (d) => d.state.light === 60);
    expect(rig.board.ledDuty()).toBeCloseTo(0.2, 5);
    expect(await text("output.led-value")).toBe("20%");
    // Back to auto: the LED follows the light again (100 - 60).
    await c.locator('button[data-mode="auto"]').click();
    await expect.poll(() => text("output.led-value")).toBe("40%");
    expect(rig.board.ledDuty()).toBeCloseTo(0.4, 5);
    expect(await c.locator("input.led-slider").isDisabled()).toBe(true);
  });

  it("shows the LED mode the board reports: two browsers (and a late one) stay in sync", async () => {
    const [a, b] = await Promise.all([open(), open()]);
    const mode = (p: Page) => card(p).getAttribute("data-led-mode");
    const slider = (p: Page) => card(p).locator("input.led-slider");
    const ready = (p: Page) => expect.poll(() => card(p).locator('button[data-mode="manual"]').isEnabled()).toBe(true);
    await Promise.all([ready(a), ready(b)]);
    expect([await mode(a), await mode(b)]).toEqual(["auto", "auto"]);
    // A chooses manual: B follows from the board's report, its slider enabled at A's level.
    await card(a).locator('button[data-mode="manual"]').click();
    await expect.poll(() => mode(b)).toBe("manual");
    expect(await card(b).locator('button[data-mode="manual"]').getAttribute("aria-pressed")).toBe("true");
    expect(await slider(b).isDisabled()).toBe(false);
    expect(await slider(b).inputValue()).toBe(await slider(a).inputValue());
    await slider(a).fill("35");
    await expect.poll(() => slider(b).inputValue()).toBe("35");
    await waitDevice(svc, ID, (d) => d.state.mode === 35 && d.state.led === 35);
    expect(rig.board.ledDuty()).toBeCloseTo(0.35, 5);
    // A page opened now starts from the board's mode, not from the boot default.
    const late = await open();
    await expect.poll(() => mode(late)).toBe("manual");
    await expect.poll(() => slider(late).inputValue()).toBe("35");
    // A command from outside any page (HA, a script) moves every page too.
    const m = await mqtt.connectAsync(svc.mqttUrl, { protocolVersion: 4 });
    try {
      await m.publishAsync("pinwire/" + ID + "/cmd", '{"control":"PWM","value":-1}');
    } finally {
      await m.endAsync();
    }
    await Promise.all([a, b, late].map((p) => expect.poll(() => mode(p)).toBe("auto")));
    expect(await slider(b).isDisabled()).toBe(true);
    await expect.poll(() => card(a).locator("output.led-value").textContent()).toBe("40%");
    // B back to manual, A follows.
    await card(b).locator('button[data-mode="manual"]').click();
    await expect.poll(() => mode(a)).toBe("manual");
    await card(a).locator('button[data-mode="auto"]').click();
    await Promise.all([a, b, late].map((p) => expect.poll(() => mode(p)).toBe("auto")));
    await waitDevice(svc, ID, (d) => d.state.mode === -1);
  });

  it("reconnects after the server drops its sockets", async () => {
    // This page's connections (HTTP and WebSockets), to cut them from the server side.
    const socks = new Set<Socket>();
    const track = (s: Socket) => socks.add(s);
    svc.http.server.on("connection", track);
    const page = await open();
    await gaugeAngle(page, 180);
    await page.waitForFunction(() => document.querySelector("#conn")?.getAttribute("data-state") === "live");
    svc.http.server.off("connection", track);
    // Record every connection state the page shows, so a quick drop and return is seen.
    await page.evaluate(() => {
      const el = document.querySelector("#conn")!;
      const seen: string[] = ((window as any).connStates = []);
      new MutationObserver(() => seen.push(el.getAttribute("data-state")!)).observe(el, { attributes: true });
    });
    expect(socks.size).toBeGreaterThanOrEqual(2); // the device list channel and the device's socket
    for (const s of socks) s.destroy();
    await page.waitForFunction(() => (window as any).connStates.includes("reconnecting"));
    await page.waitForFunction(() => document.querySelector("#conn")?.getAttribute("data-state") === "live");
    // Live again: reports reach the page, commands reach the board.
    await rig.board.encoder.turn(-10);
    await gaugeAngle(page, 170);
    await card(page).locator('button[data-angle="90"]').click();
    await waitDevice(svc, ID, (d) => d.state.servo === 90);
    expect(angle(rig.board)).toBe(90);
  });

  it("renders on a phone-sized screen (390x844) without sideways scrolling", async () => {
    const page = await open({ viewport: { width: 390, height: 844 } });
    const c = card(page);
    await gaugeAngle(page, 90);
    await page.waitForFunction((id) => Number(document.querySelector(`article[data-device="${id}"] .plot`)?.getAttribute("data-samples")) >= 1, ID);
    const box = (await c.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    const widths = await page.evaluate((id) => {
      const el = document.querySelector(`article[data-device="${id}"]`)!;
      const canvas = el.querySelector(".plot canvas") as HTMLCanvasElement;
      return { doc: document.documentElement.scrollWidth, card: el.clientWidth, chart: canvas.getBoundingClientRect().width };
    }, ID);
    expect(widths.doc).toBeLessThanOrEqual(390);
    expect(widths.chart).toBeGreaterThan(200);
    expect(widths.chart).toBeLessThanOrEqual(widths.card);
    // Touch-sized controls: the presets fit on one row, each at least 40 px tall.
    const presets = await c.locator(".presets button").evaluateAll((bs) => bs.map((b) => b.getBoundingClientRect()).map((r) => ({ top: r.top, h: r.height })));
    expect(new Set(presets.map((p) => p.top)).size).toBe(1);
    for (const p of presets) expect(p.h).toBeGreaterThanOrEqual(40);
    await page.screenshot({ path: "/tmp/pinwire-dashboard-phone.png", fullPage: true });
  });

  it("asks for the token when the URL has none, and refuses a wrong one", async () => {
    const page = await open({ token: null });
    const form = page.locator("#token-form");
    await form.waitFor({ state: "visible" });
    expect(await card(page).count()).toBe(0);
    await form.locator("input").fill("wrong");
    await form.locator("button").click();
    await form.locator(".error").waitFor({ state: "visible" });
    await form.locator("input").fill(TOKEN);
    await form.locator("button").click();
    await gaugeAngle(page, 90);
    expect(await form.isHidden()).toBe(true);
  });

  it("shows the board offline when it stops, and online again when it comes back", async () => {
    const [a, b] = await Promise.all([open(), open()]);
    for (const p of [a, b]) await expect.poll(() => card(p).getAttribute("data-status")).toBe("online");
    await rig.board.stop();
    for (const p of [a, b]) {
      await expect.poll(() => card(p).getAttribute("data-status")).toBe("offline");
      await expect.poll(() => p.locator(`#device-list li[data-device="${ID}"]`).getAttribute("data-status")).toBe("offline");
      expect(await card(p).locator("input.servo-slider").isDisabled()).toBe(true);
      expect(await card(p).locator('button[data-angle="0"]').isDisabled()).toBe(true);
    }
    // The last known angle stays on the gauge.
    expect(await card(a).locator("svg.gauge").getAttribute("data-angle")).toBe("90");
    await rig.board.boot();
    for (const p of [a, b]) await expect.poll(() => card(p).getAttribute("data-status")).toBe("online");
    await card(b).locator('button[data-angle="135"]').click();
    await Promise.all([gaugeAngle(a, 135), gaugeAngle(b, 135)]);
    expect(angle(rig.board)).toBe(135);
  });

  it("adds a device that appears and drops one whose retained status is cleared", async () => {
    const page = await open();
    await gaugeAngle(page, 135);
    const dev = await new FakeDevice({ id: "dash0", url: svc.mqttUrl }).start();
    try {
      await expect.poll(() => page.locator("#device-list li").evaluateAll((li) => li.map((e) => e.getAttribute("data-device")))).toEqual(["dash0", ID]);
      expect(await page.locator("article.card").evaluateAll((a) => a.map((e) => e.getAttribute("data-device")))).toEqual(["dash0", ID]);
      await expect.poll(() => card(page, "dash0").getAttribute("data-status")).toBe("online");
      await expect.poll(() => card(page, "dash0").locator("output.version").textContent()).toBe("v0.0.0");
      // Its own socket: a command reaches it and not dash1.
      await card(page, "dash0").locator('button[data-angle="0"]').click();
      await page.waitForFunction(() => document.querySelector('article[data-device="dash0"] svg.gauge')?.getAttribute("data-angle") === "0");
      expect(dev.commands).toEqual([{ cmd: 13, value: 0 }]);
      expect(angle(rig.board)).toBe(135);
    } finally {
      await dev.stop();
    }
    await expect.poll(() => card(page, "dash0").getAttribute("data-status")).toBe("offline");
    const admin = await mqtt.connectAsync(svc.mqttUrl);
    await admin.publishAsync("pinwire/dash0/status", "", { retain: true, qos: 1 });
    await admin.endAsync();
    await expect.poll(() => page.locator("article.card").count()).toBe(1);
    expect(await page.locator("#device-list li").count()).toBe(1);
  });

  it("serves uPlot from the installed package, and nothing outside it", async () => {
    const r = await fetch(svc.httpUrl + "/vendor/uplot/uPlot.esm.js");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(await r.text()).toContain("export");
    for (const bad of ["/vendor/uplot/%2e%2e/package.json", "/vendor/uplot/..%2fpackage.json", "/vendor/uplot/nope.js"])
      expect((await fetch(svc.httpUrl + bad)).status, bad).toBe(404);
  });

  it("loaded nothing from outside the host and raised no page errors", () => {
    expect(foreignRequests).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
