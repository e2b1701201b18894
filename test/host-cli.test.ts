// The pinwire CLI (usage errors exit 2, --host 0.0.0.0 refused without credentials,
// `user add` writing scrypt hashes), the security plan, and TLS on MQTT, HTTPS and WSS.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { get } from "node:https";
import mqtt from "mqtt";
import { CredentialStore, verifyPassword } from "../host/auth/credentials";
import { securityPlan } from "../host/bridge/service";
import type { Service } from "../host/bridge/service";
import { run, tempDir, startTestService, wsUrl, Collector, isJson, waitDevice } from "./host-helpers";
import { startTestBoard } from "./helpers/boards";

const tsx = join("node_modules", "tsx", "dist", "cli.mjs");
const pinwire = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  run(process.execPath, [tsx, "host/cli.ts", ...args], { env: { ...process.env, ...env }, timeoutMs: 20000 });

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir();
});
afterAll(() => tmp.cleanup());

describe("CLI", () => {
  it("exits 2 with the usage on a wrong flag or value", async () => {
    const r = await pinwire(["start", "--bogus"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--bogus'/);
    expect(r.stderr).toMatch(/Usage: pinwire start/);
    const p = await pinwire(["bridge", "--port", "http"]);
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(/--port.*must be a port number/);
  });

  it("refuses --host 0.0.0.0 without credentials, with a clear message", async () => {
    const r = await pinwire(["bridge", "--host", "0.0.0.0", "--port", "0", "--mqtt-port", "0", "--credentials", join(tmp.dir, "none.json")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refusing to listen on 0\.0\.0\.0 without device credentials/);
    expect(r.stderr).toMatch(/pinwire user add/);
  });

  it("`user add` stores an scrypt hash, never the password", async () => {
    const file = join(tmp.dir, "creds.json");
    const r = await pinwire(["user", "add", "dev9", "--credentials", file]);
    expect(r.code).toBe(0);
    const password = /password: (\S+)/.exec(r.stdout)![1];
    const text = readFileSync(file, "utf8");
    expect(text).not.toContain(password);
    const rec = JSON.parse(text).users.dev9;
    expect(rec).toMatchObject({ role: "device", N: 16384, r: 8, p: 1 });
    expect(await verifyPassword(rec, password)).toBe(true);
    expect(await verifyPassword(rec, password + "x")).toBe(false);
    expect(CredentialStore.load(file).list()).toEqual([{ id: "dev9", role: "device" }]);
    await expect(CredentialStore.load(file).add("bad/id", "x", "device")).rejects.toThrow(/invalid id/);
  });
});

describe("security plan", () => {
  it("needs nothing on loopback and a token beyond it", async () => {
    const empty = new CredentialStore(null);
    expect(securityPlan("127.0.0.1", empty)).toEqual({ token: null, generatedToken: false });
    expect(() => securityPlan("0.0.0.0", empty)).toThrow(/without device credentials/);
    const store = new CredentialStore(null);
    await store.add("d", "p", "device");
    const plan = securityPlan("0.0.0.0", store);
    expect(plan.generatedToken).toBe(true);
    expect(plan.token!.length).toBeGreaterThanOrEqual(24);
    expect(securityPlan("0.0.0.0", store, "mine")).toEqual({ token: "mine", generatedToken: false });
  });
});

describe("TLS (--cert/--key)", () => {
  let svc: Service;
  let cert: Buffer;
  beforeAll(async () => {
    const key = join(tmp.dir, "key.pem");
    const crt = join(tmp.dir, "cert.pem");
    const r = await run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", crt]);
    expect(r.code).toBe(0);
    cert = readFileSync(crt);
    svc = await startTestService({ tls: { cert, key: readFileSync(key) } });
  });
  afterAll(async () => svc?.close());

  it("serves MQTT over TLS, HTTPS and WSS", async () => {
    expect(svc.mqttUrl).toMatch(/^mqtts:/);
    expect(svc.httpUrl).toMatch(/^https:/);
    const dev = await mqtt.connectAsync(svc.mqttUrl, { protocolVersion: 4, ca: cert, will: { topic: "pinwire/tls1/status", payload: Buffer.from("offline"), retain: true, qos: 0 } });
    await dev.publishAsync("pinwire/tls1/status", "online", { retain: true, qos: 1 });
    const viewer = await new Collector(wsUrl(svc, "/ws/tls1"), { ca: cert }).open();
    await viewer.next((m) => isJson("hello", (o) => o.device.status === "online")(m) || isJson("device", (o) => o.device.status === "online")(m));
    const body = await new Promise<string>((resolve, reject) =>
      get(svc.httpUrl + "/api/devices", { ca: cert }, (res) => {
        let s = "";
        res.on("data", (d) => (s += d));
        res.on("end", () => resolve(s));
      }).on("error", reject),
    );
    expect(JSON.parse(body).map((d: any) => d.id)).toContain("tls1");
    // A client that does not trust the certificate is turned away.
    await expect(mqtt.connectAsync(svc.mqttUrl, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 3000 })).rejects.toThrow();
    await viewer.close();
    await dev.endAsync();
  });
});

describe("virtual board (npm start's sim1)", () => {
  // The board bundle announces its catalogue: the host lists it with its app and decoded state.
  it("runs the board bundle against the service, with credentials enforced", async () => {
    const { startVirtualBoard } = await import("../host/sim/virtual-board");
    const { silentLogger } = await import("../host/log");
    const store = new CredentialStore(null);
    await store.add("someone", "pw", "device");
    const svc = await startTestService({ credentials: store, simDevices: ["sim1"] });
    try {
      const sim = await startVirtualBoard({ id: "sim1", broker: svc.mqttUrl, username: "sim1", password: svc.simLogins.get("sim1"), log: silentLogger(), driftMs: 0 });
      expect(sim.kind).toBe("virtual");
      await waitDevice(svc, "sim1", (d) => d.status === "online" && (d.info as any)?.board === "esp8266" && d.app?.name === "servo-light" && d.values.SERVO_ANGLE === 90);
      await sim.stop();
      await waitDevice(svc, "sim1", (d) => d.status === "offline");
    } finally {
      await svc.close();
    }
  });
});

describe("pinwire devices / forget", () => {
  it("lists the devices of a running pinwire and forgets offline ones through its API", async () => {
    const svc = await startTestService({ token: "cli-token" });
    const a = await startTestBoard({ id: "cli-a", broker: svc.mqttUrl, app: "servo-light" });
    const b = await startTestBoard({ id: "cli-b", broker: svc.mqttUrl, app: null });
    try {
      await waitDevice(svc, "cli-a", (d) => d.status === "online" && d.app !== null);
      await waitDevice(svc, "cli-b", (d) => d.status === "online");
      const api = ["--url", svc.httpUrl, "--token", "cli-token"];
      const list = await pinwire(["devices", ...api]);
      expect(list.code).toBe(0);
      expect(list.stdout.split("\n").filter(Boolean).map((l) => l.split(/\s{2,}/).slice(0, 3))).toEqual([
        ["cli-a", "online", "servo-light 1.0.0"],
        ["cli-b", "online", "(no catalogue)"],
      ]);
      // Online boards are not forgotten; a wrong token or no server says so, exit 1.
      const refused = await pinwire(["forget", "cli-a", ...api]);
      expect([refused.code, refused.stdout]).toEqual([1, "cli-a: online; stop it first (it would announce itself again)\n"]);
      const bad = await pinwire(["devices", "--url", svc.httpUrl, "--token", "nope"]);
      expect([bad.code, bad.stderr]).toEqual([1, expect.stringMatching(/token was refused/)]);
      const none = await pinwire(["devices", "--url", "http://127.0.0.1:1"]);
      expect([none.code, none.stderr]).toEqual([1, expect.stringMatching(/cannot reach pinwire at http:\/\/127\.0\.0\.1:1/)]);
      const usage = await pinwire(["forget", ...api]);
      expect([usage.code, usage.stderr]).toEqual([2, expect.stringMatching(/name the devices to forget, or give --offline[\s\S]*Usage: pinwire forget/)]);
      await a.stop();
      await b.stop();
      await waitDevice(svc, "cli-a", (d) => d.status === "offline");
      await waitDevice(svc, "cli-b", (d) => d.status === "offline");
      const f = await pinwire(["forget", "--offline", ...api]);
      expect([f.code, f.stdout]).toEqual([0, "forgot cli-a\nforgot cli-b\n"]);
      expect(svc.bridge.devices()).toEqual([]);
      expect((await pinwire(["devices", ...api])).stdout).toBe("no devices\n");
    } finally {
      await svc.close();
    }
  });
});

describe("npm start with a board attached", () => {
  const quiet = { info: () => {}, debug: () => {} } as never;
  it("starts the virtual board only when no USB serial board is plugged in", async () => {
    const { boardAttached } = await import("../host/cli");
    expect(await boardAttached(quiet, async () => [])).toBe(false);
    // Linux lists built-in UARTs with nothing attached: not a board
    expect(await boardAttached(quiet, async () => [{ path: "/dev/ttyS0" }])).toBe(false);
    expect(await boardAttached(quiet, async () => [{ path: "/dev/ttyS0" }, { path: "/dev/ttyUSB0" }])).toBe(true);
    expect(
      await boardAttached(quiet, async () => {
        throw new Error("EACCES");
      }),
    ).toBe(false);
  });
});
