// The bridge against Debian mosquitto as the external broker (MQTT and MQTT-over-WebSocket),
// and scale-out: several bridges on one broker, each rebuilding state from retained messages.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import mqtt from "mqtt";
import type { MessageTable } from "../shared/catalogue";
import type { Service } from "../host/bridge/service";
import { startMosquitto, startTestService, wsUrl, Collector, isMsg, isJson, waitDevice, type Mosquitto } from "./host-helpers";
import { startTestBoard, tableOf, type TestBoard } from "./helpers/boards";

let mosq: Mosquitto;
const services: Service[] = [];
const devices: TestBoard[] = [];
let sl: MessageTable;
let SERVO_ANGLE: number, LIGHT_LEVEL: number, LED_DUTY: number;
const msg = (name: string, v: number) => Buffer.from(sl.encode(sl.byName.get(name)!, v));
const online = (c: Collector) => c.next(isJson("hello", (o) => o.device.status === "online"));

beforeAll(async () => {
  mosq = await startMosquitto();
  sl = await tableOf("servo-light");
  [SERVO_ANGLE, LIGHT_LEVEL, LED_DUTY] = ["SERVO_ANGLE", "LIGHT_LEVEL", "LED_DUTY"].map((n) => sl.byName.get(n)!.code);
});

afterAll(async () => {
  for (const d of devices) await d.stop().catch(() => {});
  for (const s of services) await s.close();
  await mosq?.stop();
});

// HA discovery off unless asked: each bridge outside a share group translates HA commands.
async function bridge(url: string, over = {}): Promise<Service> {
  const s = await startTestService({ broker: url, discovery: false, ...over });
  services.push(s);
  return s;
}

async function device(id: string): Promise<TestBoard> {
  const d = await startTestBoard({ id, broker: "mqtt://127.0.0.1:" + mosq.port, app: "servo-light" });
  devices.push(d);
  return d;
}

describe("external mosquitto", () => {
  it("relays state and commands over mqtt://", async () => {
    const svc = await bridge("mqtt://127.0.0.1:" + mosq.port);
    expect(svc.broker).toBeNull();
    const dev = await device("ext1");
    await waitDevice(svc, "ext1", (d) => d.status === "online" && d.app !== null);
    const viewer = await new Collector(wsUrl(svc, "/ws/ext1")).open();
    await online(viewer);
    dev.input("LIGHT_LEVEL", 64);
    await viewer.next(isMsg(LIGHT_LEVEL, 64));
    viewer.ws.send(msg("SERVO_ROTATE", 12));
    await viewer.next(isMsg(SERVO_ANGLE, 12));
    expect(dev.received()).toContainEqual({ name: "SERVO_ROTATE", value: 12 });
    // No /mqtt endpoint without the embedded broker.
    await expect(new Collector(wsUrl(svc, "/mqtt")).open()).rejects.toThrow(/404/);
    await viewer.close();
  });

  it("relays over mosquitto's WebSocket listener (ws://)", async () => {
    const svc = await bridge("ws://127.0.0.1:" + mosq.wsPort + "/mqtt");
    const dev = await device("ext2");
    await waitDevice(svc, "ext2", (d) => d.status === "online" && d.app !== null);
    const viewer = await new Collector(wsUrl(svc, "/ws/ext2")).open();
    await online(viewer);
    viewer.ws.send(JSON.stringify({ control: "PWM", value: 80, unit: "%" }));
    await viewer.next(isMsg(LED_DUTY, 80));
    expect(dev.received()).toContainEqual({ name: "LED_SET", value: 80 });
    await viewer.close();
  });

  it("scales out: a late bridge rebuilds every device from retained messages", async () => {
    const dev = await device("ext3");
    dev.input("SERVO_ANGLE", 170);
    dev.input("LIGHT_LEVEL", 3); // automatic: the LED follows, at 97
    await waitDevice(services[0], "ext3", (d) => d.values.LED_DUTY === 97);
    const late = await bridge("mqtt://127.0.0.1:" + mosq.port, { discovery: false });
    await waitDevice(late, "ext3", (d) => d.status === "online" && d.values.LED_DUTY === 97);
    expect(late.bridge.device("ext3")).toMatchObject({ status: "online", info: { board: "fake" }, app: { name: "servo-light" }, values: { SERVO_ANGLE: 170, LIGHT_LEVEL: 3, LED_DUTY: 97, LED_SET: -1 } });
    // Both bridges serve viewers of the same device.
    const a = await new Collector(wsUrl(services[0], "/ws/ext3")).open();
    const b = await new Collector(wsUrl(late, "/ws/ext3")).open();
    await Promise.all([online(a), online(b)]);
    dev.input("LIGHT_LEVEL", 55);
    await Promise.all([a.next(isMsg(LIGHT_LEVEL, 55)), b.next(isMsg(LIGHT_LEVEL, 55))]);
    await Promise.all([a.close(), b.close()]);
  });

  it("follows a broker restart: reconnects, resubscribes, rebuilds from the new retained state", async () => {
    const own = await startMosquitto();
    const svc = await bridge("mqtt://127.0.0.1:" + own.port);
    const d1 = await startTestBoard({ id: "rs1", broker: "mqtt://127.0.0.1:" + own.port, app: "servo-light" });
    await waitDevice(svc, "rs1", (d) => d.status === "online" && d.app !== null);
    const viewer = await new Collector(wsUrl(svc, "/ws/rs1")).open();
    await online(viewer);
    await own.stop();
    await d1.stop(false).catch(() => {});
    // A new broker on the same ports (retained messages gone with the old one), the device
    // back; the bridge reconnects and resubscribes by itself.
    const again = await startMosquitto("", { port: own.port, wsPort: own.wsPort });
    try {
      const d2 = await startTestBoard({ id: "rs1", broker: "mqtt://127.0.0.1:" + own.port, app: "servo-light" });
      devices.push(d2);
      // A command that comes back as a report needs both directions: the bridge's publish
      // (queued while it was away) and its restored subscription.
      viewer.ws.send(msg("SERVO_ROTATE", 8));
      await viewer.next(isMsg(SERVO_ANGLE, 8));
      await viewer.close();
    } finally {
      for (const s of services.splice(services.indexOf(svc), 1)) await s.close();
      await again.stop();
    }
  });

  it("translates an HA command once with two bridges in one shared-subscription group", async () => {
    const b1 = await bridge("mqtt://127.0.0.1:" + mosq.port, { shareGroup: "pinwire", discovery: true });
    const b2 = await bridge("mqtt://127.0.0.1:" + mosq.port, { shareGroup: "pinwire", discovery: true });
    const dev = await device("ext4");
    await Promise.all([waitDevice(b1, "ext4", (d) => d.status === "online" && d.app !== null), waitDevice(b2, "ext4", (d) => d.status === "online" && d.app !== null)]);
    const viewer = await new Collector(wsUrl(b1, "/ws/ext4")).open();
    await online(viewer);
    const ha = await mqtt.connectAsync("mqtt://127.0.0.1:" + mosq.port, { protocolVersion: 4 });
    await ha.publishAsync("pinwire/ext4/ha/servo_rotate/set", "100");
    await viewer.next(isMsg(SERVO_ANGLE, 100));
    // A marker command through one bridge: by the time it arrives, a duplicate would have too.
    viewer.ws.send(msg("SERVO_ROTATE", 101));
    await viewer.next(isMsg(SERVO_ANGLE, 101));
    expect(dev.received().filter((c) => c.name === "SERVO_ROTATE" && c.value === 100)).toHaveLength(1);
    await ha.endAsync();
    await viewer.close();
  });
});
