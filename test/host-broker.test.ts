// The embedded Aedes broker with foreign clients (Debian mosquitto_pub / mosquitto_sub and
// the mqtt npm package over /mqtt WebSocket), and its authentication and per-device ACL.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import mqtt from "mqtt";
import { CredentialStore } from "../host/auth/credentials";
import type { Service } from "../host/bridge/service";
import { startTestService, wsUrl, Collector, isMsg, isJson, run, Proc } from "./host-helpers";
import { catalogueOf, encode } from "./helpers/boards";

const online = (status: string) => (m: Buffer | string) => isJson("hello", (o) => o.device.status === status)(m) || isJson("device", (o) => o.device.status === status)(m);

function mqttArgs(svc: Service, user?: string, pass?: string): string[] {
  const u = new URL(svc.mqttUrl);
  const a = ["-h", u.hostname, "-p", u.port, "-V", "mqttv311"];
  // A device's own client ids are pinwire-<id> and pinwire-<id>.<name> (host/auth/acl.ts).
  if (user) a.push("-u", user, ...(user.startsWith("dev") ? ["-i", "pinwire-" + user + ".cli"] : []));
  if (pass) a.push("-P", pass);
  return a;
}

describe("open broker (localhost, no credentials)", () => {
  let svc: Service;
  beforeAll(async () => {
    svc = await startTestService();
  });
  afterAll(async () => svc?.close());

  it("relays a mosquitto_pub device (its catalogue, info and state) to WS viewers and a viewer's command to mosquitto_sub", async () => {
    const viewer = await new Collector(wsUrl(svc, "/ws/mq1")).open();
    await viewer.next(online("unknown"));
    const cat = await catalogueOf("servo-light");
    const state = Buffer.concat(await Promise.all([encode("servo-light", "SERVO_ANGLE", 10), encode("servo-light", "LIGHT_LEVEL", 20), encode("servo-light", "LED_DUTY", 30)]));
    const info = JSON.stringify({ id: "mq1", board: "esp8266", app: cat.app, version: cat.version, hash: cat.hash, script: "1" });
    expect((await run("mosquitto_pub", [...mqttArgs(svc), "-t", "pinwire/mq1/app", "-m", JSON.stringify(cat), "-r"])).code).toBe(0);
    expect((await run("mosquitto_pub", [...mqttArgs(svc), "-t", "pinwire/mq1/info", "-m", info, "-r"])).code).toBe(0);
    expect((await run("mosquitto_pub", [...mqttArgs(svc), "-t", "pinwire/mq1/status", "-m", "online", "-r"])).code).toBe(0);
    expect((await run("mosquitto_pub", [...mqttArgs(svc), "-t", "pinwire/mq1/state", "-s", "-r"], { input: state })).code).toBe(0);
    await viewer.next(isMsg(15, 30));
    expect(viewer.messages.some(online("online"))).toBe(true);

    // A retained marker arrives first, so once it is printed mosquitto_sub is subscribed.
    await run("mosquitto_pub", [...mqttArgs(svc), "-t", "pinwire/mq1/ready", "-m", "1", "-r"]);
    const sub = new Proc("mosquitto_sub", [...mqttArgs(svc), "-t", "pinwire/mq1/ready", "-t", "pinwire/mq1/cmd", "-C", "2", "-F", "%t %x"]);
    await sub.waitFor("pinwire/mq1/ready");
    const cmd = await encode("servo-light", "SERVO_ROTATE", 77);
    viewer.ws.send(cmd);
    expect(await sub.done).toBe(0);
    expect(sub.out).toContain("pinwire/mq1/cmd " + Buffer.from(cmd).toString("hex"));
    await viewer.close();
    await run("mosquitto_pub", [...mqttArgs(svc), "-t", "pinwire/mq1/ready", "-n", "-r"]);
  });

  it("serves MQTT over WebSocket at /mqtt", async () => {
    const c = await mqtt.connectAsync(wsUrl(svc, "/mqtt"), { protocolVersion: 4 });
    // Listening first: the retained message may arrive in the same chunk as the SUBACK.
    const got = new Promise<string>((r) => c.once("message", (_t, p) => r(p.toString())));
    await c.subscribeAsync("pinwire/mq1/status");
    expect(await got).toBe("online");
    await c.endAsync();
  });
});

describe("credentials and ACL", () => {
  let svc: Service;
  const store = new CredentialStore(null);
  beforeAll(async () => {
    await store.add("dev1", "pw-one", "device");
    await store.add("dev2", "pw-two", "device");
    await store.add("ops", "pw-ops", "bridge");
    svc = await startTestService({ credentials: store, token: "sekret" });
  });
  afterAll(async () => svc?.close());

  it("refuses a wrong password and anonymous clients (mosquitto_pub)", async () => {
    const bad = await run("mosquitto_pub", [...mqttArgs(svc, "dev1", "nope"), "-t", "pinwire/dev1/status", "-m", "online"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/bad user name or password|not authori[sz]ed/i);
    const anon = await run("mosquitto_pub", [...mqttArgs(svc), "-t", "pinwire/dev1/status", "-m", "online"]);
    expect(anon.code).not.toBe(0);
    const ok = await run("mosquitto_pub", [...mqttArgs(svc, "dev1", "pw-one"), "-t", "pinwire/dev1/status", "-m", "online", "-r"]);
    expect(ok.code).toBe(0);
  });

  it("lets a device publish only under its own topics and subscribe only to its cmd", async () => {
    const watcher = await mqtt.connectAsync(svc.mqttUrl, { protocolVersion: 4, username: "ops", password: "pw-ops" });
    const seen: string[] = [];
    watcher.on("message", (t) => seen.push(t));
    await watcher.subscribeAsync(["pinwire/+/state", "pinwire/dev1/marker"]);

    const dev1 = await mqtt.connectAsync(svc.mqttUrl, { protocolVersion: 4, clientId: "pinwire-dev1", username: "dev1", password: "pw-one", reconnectPeriod: 0 });
    // mqtt.js turns a SUBACK with a refusal into an error carrying the packet.
    const granted = await new Promise<number[]>((r) =>
      dev1.subscribe(["pinwire/dev1/cmd", "pinwire/dev2/cmd", "pinwire/#", "pinwire/dev1/ota", "pinwire/dev1/+"], (err, g) =>
        r(err ? (err as any).packet.granted : g!.map((x) => x.qos)),
      ),
    );
    expect(granted).toEqual([0, 128, 128, 0, 128]);
    // Another device's topic: Aedes refuses the PUBLISH by dropping the connection.
    const closed = new Promise<void>((r) => dev1.once("close", () => r()));
    dev1.publish("pinwire/dev2/state", Buffer.from(await encode("servo-light", "LIGHT_LEVEL", 1)), { qos: 1 });
    await closed;
    dev1.end(true);

    const dev1b = await mqtt.connectAsync(svc.mqttUrl, { protocolVersion: 4, clientId: "pinwire-dev1", username: "dev1", password: "pw-one" });
    await dev1b.publishAsync("pinwire/dev1/marker", "m", { qos: 1 });
    await new Promise<void>((r) => (seen.includes("pinwire/dev1/marker") ? r() : watcher.on("message", (t) => t === "pinwire/dev1/marker" && r())));
    expect(seen).not.toContain("pinwire/dev2/state");
    await dev1b.endAsync();

    // mosquitto_sub as dev1 on dev2's commands: the broker grants nothing.
    const sub = await run("mosquitto_sub", [...mqttArgs(svc, "dev1", "pw-one"), "-t", "pinwire/dev2/cmd", "-E"]);
    expect(sub.stderr).toMatch(/denied/i);
    await watcher.endAsync();
  });

  it("requires the device's credentials for a board on the gateway", async () => {
    await expect(new Collector(wsUrl(svc, "/ws/dev2?role=device")).open()).rejects.toThrow(/401/);
    await expect(new Collector(wsUrl(svc, "/ws/dev2?role=device&user=dev2&pass=wrong")).open()).rejects.toThrow(/401/);
    await expect(new Collector(wsUrl(svc, "/ws/dev2?role=device&user=dev1&pass=pw-one")).open()).rejects.toThrow(/401/);
    const auth = "Basic " + Buffer.from("dev2:pw-two").toString("base64");
    const board = await new Collector(wsUrl(svc, "/ws/dev2?role=device"), { headers: { authorization: auth } }).open();
    const viewer = await new Collector(wsUrl(svc, "/ws/dev2?token=sekret")).open();
    await viewer.next(online("online"));
    // No catalogue announced: its report reaches the viewer as it was sent.
    board.ws.send(await encode("servo-light", "SERVO_ANGLE", 5));
    await viewer.next(isMsg(12, 5));
    await Promise.all([board.close(), viewer.close()]);
  });

  it("requires the token for /api and viewers", async () => {
    expect((await fetch(svc.httpUrl + "/api/devices")).status).toBe(401);
    expect((await fetch(svc.httpUrl + "/api/devices?token=wrong")).status).toBe(401);
    const ok = await fetch(svc.httpUrl + "/api/devices", { headers: { authorization: "Bearer sekret" } });
    expect(ok.status).toBe(200);
    expect((await ok.json()).map((d: any) => d.id)).toContain("dev1");
    await expect(new Collector(wsUrl(svc, "/ws/dev1")).open()).rejects.toThrow(/401/);
    await expect(new Collector(wsUrl(svc, "/ws")).open()).rejects.toThrow(/401/);
    const d = await new Collector(wsUrl(svc, "/ws?token=sekret")).open();
    expect(JSON.parse((await d.next()) as string).type).toBe("devices");
    await d.close();
  });
});
