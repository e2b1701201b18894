// The board's links on the virtual board: broker restarts, MQTT over WebSocket, the binary
// WebSocket gateway (the host service's), other boards' bundles, and configs that
// must leave the board idle.
import { afterEach, describe, expect, it } from "vitest";
import { encodeMessage } from "../shared/messages";
import { LED_DUTY, LED_SET, SERVO_ANGLE, referencePins } from "./helpers/reference-app";
import { angle, bootBoard, hex, selfSigned, startAedes, useAedes, stateOf, Watcher, type Rig, type TestBroker } from "./device-harness";
import type { VirtualBoardOptions } from "../host/vboard";
import { startTestService, waitDevice, wsUrl } from "./host-helpers";
import { CredentialStore } from "../host/auth/credentials";

const REF = referencePins("esp8266");

let broker: TestBroker;
let w: Watcher;
const rigs: Rig[] = [];

useAedes((b, watcher) => {
  broker = b;
  w = watcher;
});

afterEach(async () => {
  while (rigs.length) await rigs.pop()!.close();
});

async function boot(config: object | string | null, board?: "esp8266" | "esp32" | "linux", opts?: Partial<VirtualBoardOptions>): Promise<Rig> {
  const r = await bootBoard(config, board, opts);
  rigs.push(r);
  return r;
}

function online(id: string, from: number) {
  return w.next((m) => m.topic === "pinwire/" + id + "/status" && m.payload.toString() === "online", from);
}

describe("MQTT link", () => {
  it("survives a broker restart: reconnects, resubscribes, and the state changed meanwhile arrives", async () => {
    let from = w.msgs.length;
    const r = await boot({ id: "rst1", broker: "mqtt://127.0.0.1:" + broker.port });
    await online("rst1", from);
    await broker.stop();
    // While the broker is away the encoder moves: the report must not be lost.
    await r.board.encoder.turn(5, REF.encoder);
    expect(angle(r.board)).toBe(95);
    from = w.msgs.length;
    await broker.start();
    await online("rst1", from);
    await w.next((m) => m.topic === "pinwire/rst1/state" && stateOf(m.payload)[SERVO_ANGLE] === 95, from);
    // Subscribed again: a command works.
    from = w.msgs.length;
    await w.publish("pinwire/rst1/cmd", hex("0d0000001e000000"));
    await w.state("rst1", SERVO_ANGLE, 30, from);
    expect(angle(r.board)).toBe(30);
    expect(r.board.openSockets).toBe(1);
  });

  it("joins WiFi with the configured credentials and comes back after the access point drops", async () => {
    let from = w.msgs.length;
    const wifi = { ssid: "lab", password: "s3cret" };
    const r = await boot({ id: "wifi1", broker: "mqtt://127.0.0.1:" + broker.port, wifi }, "esp8266", { wifi });
    await online("wifi1", from);
    expect((await r.board.state()).wifi).toBe("connected");
    from = w.msgs.length;
    r.board.wifiDisconnect();
    // The socket closes with the link; reconnects fail while the AP is away (the encoder
    // moves meanwhile), then the board is back with the current state.
    await r.board.encoder.turn(2, REF.encoder);
    r.board.wifiReconnect();
    await online("wifi1", from);
    await w.next((m) => m.topic === "pinwire/wifi1/state" && stateOf(m.payload)[SERVO_ANGLE] === 92, from);
  });

  it("a wrong WiFi password is reported on the console and retried, the board stays up", async () => {
    const r = await boot({ id: "wifi2", broker: "mqtt://127.0.0.1:" + broker.port, wifi: { ssid: "lab", password: "wrong" } }, "esp8266", {
      wifi: { ssid: "lab", password: "right" },
    });
    await r.board.waitForOutput("wifi ");
    expect(r.board.openSockets).toBe(0);
    expect(r.out()).not.toContain("Uncaught");
    expect(await r.board.eval("1+1")).toBe(2);
  });

  it("runs MQTT over WebSocket (ws://host:port/mqtt, subprotocol mqtt)", async () => {
    const from = w.msgs.length;
    const r = await boot({ id: "mws1", broker: "ws://127.0.0.1:" + broker.wsPort + "/mqtt" });
    await online("mws1", from);
    await w.publish("pinwire/mws1/cmd", hex("0d00000028000000"));
    await w.state("mws1", SERVO_ANGLE, 40, from);
    expect(angle(r.board)).toBe(40);
    await r.board.encoder.turn(3, REF.encoder);
    await w.state("mws1", SERVO_ANGLE, 43, from);
  });

  it("the esp32 bundle runs the same application (the app's esp32 pins)", async () => {
    const from = w.msgs.length;
    const r = await boot({ id: "e32", broker: "mqtt://127.0.0.1:" + broker.port, parts: { light: { period: 40, avg: 1 } } }, "esp32");
    await online("e32", from);
    const info = await w.next((m) => m.topic === "pinwire/e32/info", from);
    expect(JSON.parse(info.payload.toString()).board).toBe("esp32");
    r.board.setAnalog(referencePins("esp32").light!, { percent: 25 });
    await w.state("e32", LED_DUTY, 75, from);
    await w.publish("pinwire/e32/cmd", hex("0d0000009b000000"));
    await w.state("e32", SERVO_ANGLE, 155, from);
    expect(angle(r.board, referencePins("esp32").servo)).toBe(155);
  });

  it("the linux bundle connects without a Wifi module", async () => {
    const from = w.msgs.length;
    await boot({ id: "lnx1", broker: "mqtt://127.0.0.1:" + broker.port }, "linux");
    await online("lnx1", from);
    await w.publish("pinwire/lnx1/cmd", hex("0d0000000b000000"));
    await w.state("lnx1", SERVO_ANGLE, 11, from);
  });
});

describe("TLS where the board has it", () => {
  it("mqtts:// on the esp32 and wss:// on the linux bundle", async () => {
    const sec = await startAedes({ tls: selfSigned() });
    const sw = await Watcher.connect("mqtts://127.0.0.1:" + sec.port, "pinwire/#", { rejectUnauthorized: false });
    try {
      for (const [id, board, url] of [
        ["tls32", "esp32", "mqtts://127.0.0.1:" + sec.port],
        ["wss1", "linux", "wss://127.0.0.1:" + sec.wsPort + "/mqtt"],
      ] as const) {
        const from = sw.msgs.length;
        const r = await boot({ id, broker: url }, board);
        await sw.next((m) => m.topic === "pinwire/" + id + "/status" && m.payload.toString() === "online", from);
        await sw.publish("pinwire/" + id + "/cmd", hex("0d00000021000000"));
        await sw.state(id, SERVO_ANGLE, 33, from);
        expect(angle(r.board, referencePins(board).servo)).toBe(33);
      }
    } finally {
      await sw.close();
      while (rigs.length) await rigs.pop()!.close();
      await sec.close();
    }
  });
});

describe("binary WebSocket mode (the host's gateway)", () => {
  // The board announces its catalogue on the gateway too: the host decodes its reports by it.
  it("reports and takes commands as 8-byte messages on /ws/<id>?role=device", async () => {
    const svc = await startTestService();
    const sw = await Watcher.connect(svc.mqttUrl);
    try {
      const r = await boot({ id: "gw1", gateway: wsUrl(svc, "/ws/gw1"), parts: { light: { period: 40, avg: 1 } } });
      await waitDevice(svc, "gw1", (d) => d.status === "online" && (d.info as any)?.board === "esp8266" && d.app?.name === "servo-light");
      // Its snapshot on connect carries the LED mode (automatic).
      await sw.next((m) => m.topic === "pinwire/gw1/state" && stateOf(m.payload)[LED_SET] === -1);
      let from = sw.msgs.length;
      await sw.publish("pinwire/gw1/cmd", Buffer.from(encodeMessage(13, 150)));
      await sw.state("gw1", SERVO_ANGLE, 150, from);
      expect(angle(r.board)).toBe(150);
      from = sw.msgs.length;
      await r.board.encoder.turn(-4, REF.encoder);
      await sw.state("gw1", SERVO_ANGLE, 146, from);
      from = sw.msgs.length;
      r.board.setAnalog(REF.light!, { percent: 40 });
      await sw.state("gw1", LED_DUTY, 60, from);
      from = sw.msgs.length;
      await sw.publish("pinwire/gw1/cmd", Buffer.from(encodeMessage(16, 5)));
      await sw.state("gw1", LED_SET, 5, from); // the board's mode report, after its LED_DUTY
      expect(r.board.duty(REF.led)).toBeCloseTo(0.05, 5);
      await waitDevice(svc, "gw1", (d) => d.values.LED_SET === 5 && d.values.LED_DUTY === 5);
      // The board goes: the gateway marks it offline.
      await r.close();
      rigs.pop();
      await waitDevice(svc, "gw1", (d) => d.status === "offline");
    } finally {
      await sw.close();
      await svc.close();
    }
  });
});

describe("the host service with device credentials", () => {
  it("authenticates over MQTT (user:pass in the broker URL) and on the gateway (Basic)", async () => {
    const store = new CredentialStore(null);
    await store.add("sec1", "pw-1", "device");
    await store.add("sec2", "pw-2", "device");
    await store.add("ops", "pw-ops", "bridge");
    const svc = await startTestService({ credentials: store, token: "tok" });
    try {
      const port = new URL(svc.mqttUrl).port;
      const ops = await Watcher.connect("mqtt://127.0.0.1:" + port, "pinwire/#", { username: "ops", password: "pw-ops" });
      try {
        const from = ops.msgs.length;
        const r = await boot({ id: "sec1", broker: "mqtt://sec1:pw-1@127.0.0.1:" + port });
        await waitDevice(svc, "sec1", (d) => d.status === "online" && d.values.SERVO_ANGLE === 90);
        await ops.publish("pinwire/sec1/cmd", hex("0d00000064000000"));
        await ops.state("sec1", SERVO_ANGLE, 100, from);
        expect(angle(r.board)).toBe(100);
        // A wrong password: refused (CONNACK 4/5), retried with backoff, never online.
        const bad = await boot({ id: "sec2", broker: "mqtt://sec2:nope@127.0.0.1:" + port });
        await bad.board.waitForOutput(/mqtt (c|connack-)[45]\r/);
        expect(svc.bridge.device("sec2")?.status ?? "unknown").not.toBe("online");
        // The gateway takes the same credentials as Basic auth.
        const g = await boot({ id: "sec2", gateway: wsUrl(svc, "/ws/sec2").replace("ws://", "ws://sec2:pw-2@") });
        await waitDevice(svc, "sec2", (d) => d.status === "online" && d.values.SERVO_ANGLE === 90);
        expect(g.out()).not.toContain("Uncaught");
      } finally {
        await ops.close();
      }
    } finally {
      while (rigs.length) await rigs.pop()!.close();
      await svc.close();
    }
  });
});

describe("configs that must leave the board idle", () => {
  const cases: Array<[string, object | string | null, string]> = [
    ["missing", null, "pinwire.json missing: idle"],
    ["not JSON", "{id:", "pinwire.json json: idle"],
    ["without an id", { broker: "mqtt://127.0.0.1:1" }, "pinwire.json id: idle"],
    ["with a bad broker URL", { id: "x", broker: "tcp://h" }, "pinwire.json broker: idle"],
    ["asking TLS on the ESP8266", { id: "x", broker: "mqtts://127.0.0.1:8883" }, "pinwire.json no-tls (no TLS on esp8266): idle"],
  ];
  for (const [what, cfg, text] of cases)
    it(what, async () => {
      const r = await boot(cfg);
      await r.board.waitForOutput(text);
      expect(r.out()).not.toContain("Uncaught");
      expect(r.board.openSockets).toBe(0);
      // The app runs on (its light sensor's sampling timer), the link never starts (no tick).
      expect((await r.board.state()).timers).toBe(1);
      // The console still answers.
      expect(await r.board.eval("1+2")).toBe(3);
    });
});
