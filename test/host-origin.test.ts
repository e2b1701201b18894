// Cross-site use of the host: raw HTTP requests and WebSocket upgrades with the Origin and
// Host headers a browser would send from another site or after DNS rebinding, against the
// default loopback set-up with no token; the dashboard's own origin, configured host names and
// origins, and clients that send no Origin (boards, CLI) keep working. Then the same in
// Chromium: a page on another site cannot move the servo, a rebound name gets nothing, and the
// dashboard works under a configured name.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import net from "node:net";
import http from "node:http";
import { chromium, type Browser } from "playwright-core";
import { encode, startTestBoard, type TestBoard } from "./helpers/boards";
import type { Service } from "../host/bridge/service";
import { run, startTestService, waitDevice } from "./host-helpers";
import { join } from "node:path";

// One raw request; resolves with the status code and the raw response head (and body start).
function raw(port: number, lines: string[]): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, "127.0.0.1");
    let text = "";
    s.on("data", (d) => {
      text += d.toString("latin1");
      // An accepted upgrade stays open: the head is all we want.
      if (/^HTTP\/1\.1 101 /.test(text) && text.includes("\r\n\r\n")) s.destroy();
    });
    s.on("error", reject);
    s.on("close", () => resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1] ?? 0), text }));
    s.write(lines.join("\r\n") + "\r\n\r\n");
  });
}

function upgrade(port: number, path: string, headers: Record<string, string>) {
  const lines = [
    "GET " + path + " HTTP/1.1",
    "Upgrade: websocket",
    "Connection: Upgrade",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version: 13",
  ];
  if (path.startsWith("/mqtt")) lines.push("Sec-WebSocket-Protocol: mqtt");
  for (const [k, v] of Object.entries(headers)) lines.push(k + ": " + v);
  return raw(port, lines);
}

function get(port: number, path: string, headers: Record<string, string>, method = "GET") {
  const lines = [method + " " + path + " HTTP/1.1", "Connection: close"];
  for (const [k, v] of Object.entries(headers)) lines.push(k + ": " + v);
  return raw(port, lines);
}

const PATHS = ["/ws", "/ws/orig1", "/mqtt"];

let svc: Service;
let conf: Service;
let port: number;
const self = () => "127.0.0.1:" + port;

beforeAll(async () => {
  svc = await startTestService();
  port = svc.httpPort;
  conf = await startTestService({ allowedHosts: ["pinwire.test", ".fleet.lan"], allowedOrigins: ["https://panel.example"] });
});
afterAll(async () => {
  await svc?.close();
  await conf?.close();
});

describe("Origin and Host checks (loopback, no token)", () => {
  it("refuses a page from another site on /ws, /ws/<id> and /mqtt", async () => {
    for (const path of PATHS) {
      const r = await upgrade(port, path, { Host: self(), Origin: "http://evil.example" });
      expect(r.status, path).toBe(403);
      expect(r.text).toContain("--allowed-origin http://evil.example");
    }
    // "null" (sandboxed frames, file: pages) is no origin of ours either.
    expect((await upgrade(port, "/ws/orig1", { Host: self(), Origin: "null" })).status).toBe(403);
  });

  it("refuses a rebound name (Host and Origin both the attacker's) on upgrades, /api and the pages", async () => {
    const evil = "evil.example:" + port;
    for (const path of PATHS) expect((await upgrade(port, path, { Host: evil, Origin: "http://" + evil })).status, path).toBe(403);
    const api = await get(port, "/api/devices", { Host: evil });
    expect(api.status).toBe(403);
    expect(api.text).toContain("--allowed-host evil.example");
    expect((await get(port, "/", { Host: evil })).status).toBe(403);
  });

  it("refuses /api from another site's page", async () => {
    expect((await get(port, "/api/devices", { Host: self(), Origin: "http://evil.example" })).status).toBe(403);
    expect((await get(port, "/api/devices", { Host: self(), Origin: "http://127.0.0.1:1" })).status).toBe(403);
  });

  it("lets the dashboard's own origin in, by IP or localhost", async () => {
    for (const host of [self(), "localhost:" + port, "[::1]:" + port]) {
      for (const path of PATHS) expect((await upgrade(port, path, { Host: host, Origin: "http://" + host })).status, host + path).toBe(101);
      expect((await get(port, "/api/devices", { Host: host, Origin: "http://" + host })).status).toBe(200);
      expect((await get(port, "/", { Host: host })).status).toBe(200);
    }
  });

  it("lets clients without an Origin in (boards, CLI), whatever name they use", async () => {
    expect((await upgrade(port, "/ws/orig1?role=device", { Host: "board-net.example:" + port })).status).toBe(101);
    expect((await upgrade(port, "/mqtt", { Host: self() })).status).toBe(101);
    expect((await get(port, "/api/devices", { Host: self() })).status).toBe(200);
    expect((await get(port, "/healthz", { Host: "monitor.example" })).status).toBe(200);
  });

  it("serves configured host names and origins, with CORS on /api for the configured origin", async () => {
    const p = conf.httpPort;
    for (const host of ["pinwire.test:" + p, "PINWIRE.test:" + p, "b3.fleet.lan:" + p, "fleet.lan:" + p]) {
      for (const path of PATHS) expect((await upgrade(p, path, { Host: host, Origin: "http://" + host })).status, host + path).toBe(101);
      expect((await get(p, "/", { Host: host })).status).toBe(200);
    }
    expect((await get(p, "/", { Host: "otherfleet.lan:" + p })).status).toBe(403);
    for (const path of PATHS) expect((await upgrade(p, path, { Host: "127.0.0.1:" + p, Origin: "https://panel.example" })).status, path).toBe(101);
    const api = await get(p, "/api/devices", { Host: "127.0.0.1:" + p, Origin: "https://panel.example" });
    expect(api.status).toBe(200);
    expect(api.text).toMatch(/access-control-allow-origin: https:\/\/panel\.example/i);
    const pre = await get(p, "/api/devices", { Host: "127.0.0.1:" + p, Origin: "https://panel.example", "Access-Control-Request-Method": "GET" }, "OPTIONS");
    expect(pre.status).toBe(204);
    expect(pre.text).toMatch(/access-control-allow-headers: authorization/i);
    // Another scheme or port is another origin.
    expect((await upgrade(p, "/ws", { Host: "127.0.0.1:" + p, Origin: "http://panel.example" })).status).toBe(403);
    expect((await upgrade(p, "/ws", { Host: "127.0.0.1:" + p, Origin: "https://panel.example:8443" })).status).toBe(403);
  });

  it("the CLI refuses a malformed --allowed-origin or --allowed-host with the usage (exit 2)", async () => {
    const tsx = join("node_modules", "tsx", "dist", "cli.mjs");
    const a = await run(process.execPath, [tsx, "host/cli.ts", "bridge", "--allowed-origin", "evil.example/path"], { timeoutMs: 20000 });
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/is not an origin like https:\/\/panel\.example/);
    expect(a.stderr).toMatch(/Usage: pinwire bridge/);
    const b = await run(process.execPath, [tsx, "host/cli.ts", "bridge", "--allowed-host", "a/b"], { timeoutMs: 20000 });
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/is not a host name/);
  });
});

describe("in Chromium", () => {
  let browser: Browser;
  let dev: TestBoard;
  let site: http.Server;
  let sitePort = 0;
  beforeAll(async () => {
    dev = await startTestBoard({ id: "orig2", broker: svc.mqttUrl, app: "servo-light" });
    await waitDevice(svc, "orig2", (d) => d.status === "online" && d.app !== null);
    // Another site, serving a page that tries to drive the board through the host.
    site = http.createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<!doctype html><title>elsewhere</title>");
    });
    await new Promise<void>((r) => site.listen(0, "127.0.0.1", () => r()));
    sitePort = (site.address() as net.AddressInfo).port;
    browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--no-first-run",
        // Names that resolve to this machine, as a rebinding attacker's and a user's own would.
        "--host-resolver-rules=MAP evil.example 127.0.0.1, MAP pinwire.test 127.0.0.1",
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await dev?.stop();
    await new Promise((r) => site?.close(r));
  });

  // In the page: open a WebSocket, send one SERVO_ROTATE if it opens; "open" or "failed".
  const attack = ([url, msg]: readonly [string, number[]]) =>
    new Promise<string>((resolve) => {
      const ws = new WebSocket(url);
      ws.binaryType = "arraybuffer";
      ws.onopen = () => {
        ws.send(new Uint8Array(msg));
        resolve("open");
      };
      ws.onerror = () => resolve("failed");
    });

  it("a page on another site cannot open /ws/<id> or /mqtt, and the servo does not move", async () => {
    const page = await browser.newPage();
    await page.goto("http://evil.example:" + sitePort + "/");
    const msg = [...(await encode("servo-light", "SERVO_ROTATE", 33))];
    expect(await page.evaluate(attack, ["ws://127.0.0.1:" + port + "/ws/orig2", msg] as const)).toBe("failed");
    expect(await page.evaluate(attack, ["ws://localhost:" + port + "/mqtt", msg] as const)).toBe("failed");
    // Proof of a command path that works: the same command from the host's own origin arrives.
    const own = await browser.newPage();
    await own.goto("http://127.0.0.1:" + port + "/");
    expect(await own.evaluate(attack, ["ws://127.0.0.1:" + port + "/ws/orig2", msg] as const)).toBe("open");
    await expect.poll(() => dev.received().length).toBe(1);
    expect(dev.received()).toEqual([{ name: "SERVO_ROTATE", value: 33 }]);
    await page.close();
    await own.close();
  });

  it("a rebound name gets neither the dashboard nor the API", async () => {
    const page = await browser.newPage();
    const res = await page.goto("http://evil.example:" + port + "/");
    expect(res!.status()).toBe(403);
    const api = await page.evaluate((u) => fetch(u).then((r) => r.status), "http://evil.example:" + port + "/api/devices");
    expect(api).toBe(403);
    await page.close();
  });

  it("the dashboard works under a configured host name", async () => {
    const page = await browser.newPage();
    await page.goto("http://pinwire.test:" + conf.httpPort + "/");
    await page.waitForFunction(() => document.querySelector("#conn")?.getAttribute("data-state") === "live");
    await page.close();
  });
});
