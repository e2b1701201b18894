// examples/sensor-struct on the virtual board: its real bundle (built as `pinwire build` builds
// it) in binary WebSocket mode on the host service's gateway, as its pinwire.json sets it up.
// The 40-byte READING (the seed's 36-byte struct after its cmd byte) is decoded by the bridge,
// by a gateway viewer and by the dashboard in Chromium, each from the catalogue the board
// announced; a PERIOD from the dashboard's buttons reaches the board.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Service } from "../host/bridge/service";
import { linkMode } from "../device/config";
import { MessageTable } from "../shared/catalogue";
import { Collector, startTestService, waitDevice, wsUrl } from "./host-helpers";
import { tableOf } from "./helpers/boards";
import { bootExample, exampleDir, type ExampleBoard } from "./helpers/examples";

interface Reading {
  id: number;
  v1: number;
  v2: number;
  v3: number;
  v4: string;
}

const ID = "sensor1";
let svc: Service;
let board: ExampleBoard;
let table: MessageTable;
// Every READING the bridge decoded, in order of arrival.
const readings: Reading[] = [];
const waiters = new Set<() => void>();

function reading(pred: (r: Reading) => boolean, what: string, ms = 15000): Promise<Reading> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const r = readings.find(pred);
      if (!r) return;
      clearTimeout(t);
      waiters.delete(check);
      resolve(r);
    };
    const t = setTimeout(() => {
      waiters.delete(check);
      reject(new Error("no READING with " + what + "; got " + JSON.stringify(readings.slice(-4))));
    }, ms);
    waiters.add(check);
    check();
  });
}

beforeAll(async () => {
  table = await tableOf("sensor-struct");
  svc = await startTestService();
  svc.bridge.addListener({
    report: (rec, r) => {
      if (rec.id !== ID || r.spec.name !== "READING") return;
      readings.push(r.value as unknown as Reading);
      for (const w of [...waiters]) w();
    },
  });
  // The example's own pinwire.json, pointed at this test's gateway.
  const cfg = JSON.parse(readFileSync(join(exampleDir("sensor-struct"), "pinwire.json"), "utf8"));
  expect(linkMode(cfg)).toBe("ws");
  board = await bootExample("sensor-struct", { ...cfg, id: ID, gateway: wsUrl(svc, "/ws/" + ID) }, "esp8266", (b) => b.setAnalog("A0", { percent: 40 }));
});

afterAll(async () => {
  await board?.close();
  await svc?.close();
});

describe("examples/sensor-struct on the gateway", () => {
  it("reports the 36-byte struct every second, decoded by the bridge from the board's catalogue", async () => {
    await waitDevice(svc, ID, (d) => d.status === "online" && d.app?.name === "sensor-struct" && (d.info as any)?.board === "esp8266");
    expect(svc.bridge.device(ID)!.catalogue!.messages.find((m) => m.name === "READING")!.payload).toBe("struct { int id; float v1; float v2; unsigned long v3; char v4[20]; }");
    const first = await reading((r) => r.id >= 1, "any id");
    expect(first).toMatchObject({ v1: 40, v4: "ok" });
    // Three more, one after the other: the board's own clock (v3, ms) steps by the period at
    // least (a late one is load on this machine; an early one would be the app's fault).
    const last = await reading((r) => r.id >= first.id + 3, "id " + (first.id + 3));
    const run = readings.slice(readings.indexOf(first), readings.indexOf(last) + 1);
    expect(run.map((r) => r.id)).toEqual([0, 1, 2, 3].map((k) => first.id + k));
    for (let k = 1; k < run.length; k++) expect(run[k].v3 - run[k - 1].v3).toBeGreaterThanOrEqual(990);
    expect(svc.bridge.device(ID)!.values.PERIOD).toBe(1000);
    // Its start-up log line, printed before the link was up, reached the host over the gateway.
    await waitDevice(svc, ID, (d) => d.log.some((l) => l.text === "sensor-struct started"));
    expect(await board.board.eval("1+1")).toBe(2);
    expect(board.out()).not.toContain("Uncaught");
  });

  it("follows the sensor: v1 the level now, v2 smoothed over about four readings", async () => {
    board.board.setAnalog("A0", { percent: 80 });
    const up = await reading((r) => r.v1 === 80, "v1 80");
    const i = readings.indexOf(up);
    // Each v2 is the one before moved a quarter of the way to the new level (a float32 on the
    // wire: compared to its precision).
    const later = await reading((r) => r.id === up.id + 2, "two more");
    for (let k = i; k <= readings.indexOf(later); k++) {
      const prev = readings[k - 1];
      expect(readings[k].v2).toBeCloseTo(prev.v2 + (readings[k].v1 - prev.v2) / 4, 4);
    }
    expect(later.v2).toBeGreaterThan(40);
    expect(later.v2).toBeLessThan(80);
  });

  it("a gateway viewer gets the same READING as 40 binary bytes and decodes it by the catalogue", async () => {
    const c = await new Collector(wsUrl(svc, "/ws/" + ID)).open();
    try {
      const hello = JSON.parse((await c.next((m) => typeof m === "string")) as string);
      expect(hello.device.app.name).toBe("sensor-struct");
      const code = table.byName.get("READING")!.code;
      const frame = (await c.next((m) => typeof m !== "string" && m.length === 40 && m[0] === code)) as Buffer;
      const v = table.decode(new Uint8Array(frame)).value as unknown as Reading;
      expect(v.v4).toBe("ok");
      expect(v.v1).toBe(80);
      expect(v.id).toBeGreaterThan(1);
    } finally {
      await c.close();
    }
  });

  it("in Chromium the dashboard shows the struct's members and sets the period with its buttons", async () => {
    const browser: Browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--no-first-run"] });
    try {
      const page = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
      page.setDefaultTimeout(15000);
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(svc.httpUrl + "/");
      const cell = (f: string) => `article[data-device="${ID}"] [data-message="READING"][data-widget="table"] td[data-field="${f}"]`;
      // The table follows the board: a later reading's id appears in the page.
      const now = readings[readings.length - 1].id;
      await page.waitForFunction(([sel, n]) => +(document.querySelector(sel)?.textContent ?? 0) > n, [cell("id"), now] as const);
      expect(await page.locator(cell("v4")).textContent()).toBe("ok");
      expect(await page.locator(cell("v1")).textContent()).toBe("80");
      const shown = Number(await page.locator(cell("v2")).textContent());
      expect(shown).toBeGreaterThan(40);
      expect(shown).toBeLessThanOrEqual(80);
      expect(Number(await page.locator(cell("v3")).textContent())).toBeGreaterThan(1000);
      // PERIOD 250 from the page: the board takes it, reports it back, and reads 4 times a second.
      const before = readings.length;
      await page.locator(`article[data-device="${ID}"] [data-message="PERIOD"][data-widget="buttons"] button`, { hasText: "250 ms" }).click();
      await waitDevice(svc, ID, (d) => d.values.PERIOD === 250);
      await page.waitForFunction((id) => document.querySelector(`article[data-device="${id}"] [data-message="PERIOD"][data-widget="value"]`)?.textContent === "250 ms", ID);
      await reading((r) => readings.indexOf(r) >= before + 4, "four after PERIOD 250");
      const fast = readings.slice(before + 1, before + 5);
      for (let k = 1; k < fast.length; k++) expect(fast[k].v3 - fast[k - 1].v3).toBeGreaterThanOrEqual(240);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60000);
});
