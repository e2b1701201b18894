// Home Assistant MQTT discovery: the retained configs checked against the option names and
// value rules of HA's MQTT number / sensor / light (default schema) / switch docs, the plain-text
// mirrors, HA's commands turned into 8-byte board commands, and --no-discovery.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import mqtt, { type MqttClient } from "mqtt";
import { SERVO_ROTATE, LED_SET, SERVO_ANGLE, encodeMessage } from "../shared/messages";
import { isValidTopicName } from "../shared/topic";
import { FakeDevice } from "../host/bridge/fake-device";
import type { Service } from "../host/bridge/service";
import { startTestService, wsUrl, Collector, isMsg, waitDevice } from "./host-helpers";

// From https://www.home-assistant.io/integrations/{number,sensor,light,switch}.mqtt/ and the shared
// discovery options (availability, device, origin).
const COMMON = ["name", "unique_id", "icon", "availability_topic", "payload_available", "payload_not_available", "device", "origin", "qos", "object_id"];
const SCHEMA: Record<string, { required: string[]; allowed: string[] }> = {
  number: {
    required: ["command_topic"],
    allowed: [...COMMON, "command_topic", "state_topic", "min", "max", "step", "mode", "unit_of_measurement", "device_class", "retain", "optimistic"],
  },
  sensor: {
    required: ["state_topic"],
    allowed: [...COMMON, "state_topic", "unit_of_measurement", "device_class", "state_class", "suggested_display_precision", "expire_after"],
  },
  light: {
    required: ["command_topic"],
    allowed: [
      ...COMMON,
      "schema",
      "command_topic",
      "state_topic",
      "payload_on",
      "payload_off",
      "brightness_command_topic",
      "brightness_state_topic",
      "brightness_scale",
      "on_command_type",
      "optimistic",
      "retain",
    ],
  },
  switch: {
    required: ["command_topic"],
    allowed: [...COMMON, "command_topic", "state_topic", "payload_on", "payload_off", "state_on", "state_off", "device_class", "entity_category", "optimistic", "retain"],
  },
};
const DEVICE_KEYS = ["identifiers", "connections", "name", "model", "manufacturer", "sw_version", "hw_version", "serial_number", "configuration_url", "suggested_area", "via_device"];

let svc: Service;
let dev: FakeDevice;
let ha: MqttClient;
const configs = new Map<string, any>();
const mirrors = new Map<string, string>();

function waitFor(pred: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (pred()) return resolve();
    const on = () => pred() && (ha.off("message", on), resolve());
    ha.on("message", on);
  });
}

beforeAll(async () => {
  svc = await startTestService();
  dev = await new FakeDevice({ id: "ha1", url: svc.mqttUrl }).start();
  ha = await mqtt.connectAsync(svc.mqttUrl, { protocolVersion: 4 });
  ha.on("message", (topic, payload) => {
    if (topic.startsWith("homeassistant/")) configs.set(topic, JSON.parse(payload.toString()));
    else mirrors.set(topic, payload.toString());
  });
  await ha.subscribeAsync(["homeassistant/+/+/config", "pinwire/ha1/ha/#"]);
  await waitFor(() => configs.size === 4 && mirrors.size === 5);
});

afterAll(async () => {
  await ha?.endAsync();
  await dev?.stop();
  await svc?.close();
});

describe("discovery configs", () => {
  it("publishes number, sensor, light and switch configs for the device", () => {
    expect([...configs.keys()].sort()).toEqual([
      "homeassistant/light/ha1_led/config",
      "homeassistant/number/ha1_servo/config",
      "homeassistant/sensor/ha1_light/config",
      "homeassistant/switch/ha1_led_auto/config",
    ]);
  });

  it("uses only documented keys, with the required ones and sane values", () => {
    const ids = new Set<string>();
    for (const [topic, c] of configs) {
      const platform = topic.split("/")[1];
      const s = SCHEMA[platform];
      for (const k of s.required) expect(c, topic + " " + k).toHaveProperty(k);
      for (const k of Object.keys(c)) expect(s.allowed, topic + " has undocumented key " + k).toContain(k);
      for (const k of Object.keys(c.device)) expect(DEVICE_KEYS).toContain(k);
      for (const k of Object.keys(c)) if (k.endsWith("_topic")) expect(isValidTopicName(c[k]), k).toBe(true);
      expect(c.unique_id).toMatch(/^[A-Za-z0-9_-]+$/);
      ids.add(c.unique_id);
      expect(c.availability_topic).toBe("pinwire/ha1/status");
      expect([c.payload_available, c.payload_not_available]).toEqual(["online", "offline"]);
      expect(c.device).toMatchObject({ identifiers: ["pinwire_ha1"], manufacturer: "pinwire", model: "FAKE", sw_version: "0.0.0" });
    }
    expect(ids.size).toBe(4);
    const num = configs.get("homeassistant/number/ha1_servo/config");
    expect(num).toMatchObject({ min: 0, max: 180, step: 1, unit_of_measurement: "°" });
    expect(["auto", "box", "slider"]).toContain(num.mode);
    const sensor = configs.get("homeassistant/sensor/ha1_light/config");
    expect(sensor.unit_of_measurement).toBe("%");
    // HA's illuminance class requires lx; a relative % must not claim it.
    expect(sensor.device_class).toBeUndefined();
    expect(["measurement", "total", "total_increasing"]).toContain(sensor.state_class);
    const light = configs.get("homeassistant/light/ha1_led/config");
    expect(light).toMatchObject({ brightness_scale: 100, payload_on: "ON", payload_off: "OFF" });
    expect(["last", "first", "brightness"]).toContain(light.on_command_type);
    const auto = configs.get("homeassistant/switch/ha1_led_auto/config");
    expect(auto).toMatchObject({ payload_on: "ON", payload_off: "OFF" });
  });

  it("mirrors the binary state as plain text on the configs' state topics", () => {
    const num = configs.get("homeassistant/number/ha1_servo/config");
    const light = configs.get("homeassistant/light/ha1_led/config");
    const sensor = configs.get("homeassistant/sensor/ha1_light/config");
    expect(mirrors.get(num.state_topic)).toBe("90");
    expect(mirrors.get(sensor.state_topic)).toBe("50");
    expect(mirrors.get(light.state_topic)).toBe("ON");
    expect(mirrors.get(light.brightness_state_topic)).toBe("50");
    // The board reports automatic (LED_SET -1).
    expect(mirrors.get(configs.get("homeassistant/switch/ha1_led_auto/config").state_topic)).toBe("ON");
  });
});

describe("HA commands", () => {
  it("turns number, light and brightness commands into SERVO_ROTATE / LED_SET", async () => {
    const num = configs.get("homeassistant/number/ha1_servo/config");
    const light = configs.get("homeassistant/light/ha1_led/config");
    await ha.publishAsync(num.command_topic, "45");
    await waitFor(() => mirrors.get(num.state_topic) === "45");
    await ha.publishAsync(light.command_topic, "OFF");
    await waitFor(() => mirrors.get(light.state_topic) === "OFF");
    await ha.publishAsync(light.command_topic, "ON");
    await waitFor(() => mirrors.get(light.brightness_state_topic) === "100");
    await ha.publishAsync(light.brightness_command_topic, "25");
    await waitFor(() => mirrors.get(light.brightness_state_topic) === "25");
    await ha.publishAsync(num.command_topic, "not a number");
    await ha.publishAsync(num.command_topic, "999");
    // A valid command after the bad ones proves they were dropped, not queued.
    await ha.publishAsync(num.command_topic, "46");
    await waitFor(() => mirrors.get(num.state_topic) === "46");
    expect(dev.commands).toEqual([
      { cmd: SERVO_ROTATE, value: 45 },
      { cmd: LED_SET, value: 0 },
      { cmd: LED_SET, value: 100 },
      { cmd: LED_SET, value: 25 },
      { cmd: SERVO_ROTATE, value: 46 },
    ]);
  });

  it("the LED auto switch follows the board's mode and sets it back to automatic", async () => {
    const light = configs.get("homeassistant/light/ha1_led/config");
    const auto = configs.get("homeassistant/switch/ha1_led_auto/config");
    // The brightness command above made the LED manual: the board said so.
    await waitFor(() => mirrors.get(auto.state_topic) === "OFF");
    const from = dev.commands.length;
    dev.light = 30; // what automatic follows: 100 - 30
    await ha.publishAsync(auto.command_topic, "ON");
    await waitFor(() => mirrors.get(auto.state_topic) === "ON" && mirrors.get(light.brightness_state_topic) === "70");
    // OFF holds the LED where automatic left it, now by hand.
    await ha.publishAsync(auto.command_topic, "OFF");
    await waitFor(() => mirrors.get(auto.state_topic) === "OFF");
    await ha.publishAsync(auto.command_topic, "maybe");
    await ha.publishAsync(light.brightness_command_topic, "5");
    await waitFor(() => mirrors.get(light.brightness_state_topic) === "5");
    expect(dev.commands.slice(from)).toEqual([
      { cmd: LED_SET, value: -1 },
      { cmd: LED_SET, value: 70 },
      { cmd: LED_SET, value: 5 },
    ]);
    expect(svc.bridge.device("ha1")!.state.mode).toBe(5);
  });

  it("announces again when HA publishes its birth message", async () => {
    configs.clear();
    await ha.publishAsync("homeassistant/status", "online");
    await waitFor(() => configs.size === 4);
  });
});

describe("--no-discovery", () => {
  it("publishes no configs and no mirrors", async () => {
    const quiet = await startTestService({ discovery: false });
    const published: string[] = [];
    quiet.broker!.aedes.on("publish", (p, c) => c && published.push(p.topic));
    const d = await new FakeDevice({ id: "q1", url: quiet.mqttUrl }).start();
    await waitDevice(quiet, "q1", (x) => x.status === "online");
    // A command round trip through the bridge: anything it announced would have gone first.
    const v = await new Collector(wsUrl(quiet, "/ws/q1")).open();
    v.ws.send(encodeMessage(SERVO_ROTATE, 3));
    await v.next(isMsg(SERVO_ANGLE, 3));
    expect(published).toContain("pinwire/q1/cmd");
    expect(published.filter((t) => t.startsWith("homeassistant/") || t.includes("/ha/"))).toEqual([]);
    await v.close();
    await d.stop();
    await quiet.close();
  });
});
