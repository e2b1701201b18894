// Home Assistant MQTT discovery from each board's catalogue: the retained configs checked
// against the option names and value rules of HA's MQTT sensor / number / light (default
// schema) / switch / binary_sensor docs and against the catalogue's `ha` hints, the plain-text
// mirrors, HA's commands turned into the board's messages, a board that changes app (its old
// entities removed, also by a bridge that was not running when it changed), and --no-discovery.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import mqtt, { type MqttClient } from "mqtt";
import { isValidTopicName } from "../shared/topic";
import type { Catalogue } from "../shared/catalogue";
import { catalogueProblem } from "../shared/catalogue";
import { entitiesOf } from "../host/discovery/ha";
import { FakeBoard } from "../host/sim/fake-board";
import type { Service } from "../host/bridge/service";
import { startMosquitto, startTestService, wsUrl, Collector, isMsg, waitDevice } from "./host-helpers";
import { catalogueOf, encode, startTestBoard, tableOf, type TestBoard } from "./helpers/boards";

// From https://www.home-assistant.io/integrations/{sensor,number,light,switch,binary_sensor}.mqtt/
// and the shared discovery options (availability, device, origin).
const COMMON = ["name", "unique_id", "icon", "availability_topic", "payload_available", "payload_not_available", "device", "origin", "qos", "object_id"];
const SCHEMA: Record<string, { required: string[]; allowed: string[] }> = {
  number: {
    required: ["command_topic"],
    allowed: [...COMMON, "command_topic", "state_topic", "min", "max", "step", "mode", "unit_of_measurement", "device_class", "retain", "optimistic"],
  },
  sensor: {
    required: ["state_topic"],
    allowed: [...COMMON, "state_topic", "unit_of_measurement", "device_class", "state_class", "suggested_display_precision", "expire_after", "value_template", "json_attributes_topic"],
  },
  binary_sensor: { required: ["state_topic"], allowed: [...COMMON, "state_topic", "payload_on", "payload_off", "device_class", "expire_after"] },
  light: {
    required: ["command_topic"],
    allowed: [...COMMON, "schema", "command_topic", "state_topic", "payload_on", "payload_off", "brightness_command_topic", "brightness_state_topic", "brightness_scale", "on_command_type", "optimistic", "retain"],
  },
  switch: {
    required: ["command_topic"],
    allowed: [...COMMON, "command_topic", "state_topic", "payload_on", "payload_off", "state_on", "state_off", "device_class", "entity_category", "optimistic", "retain"],
  },
};
const DEVICE_KEYS = ["identifiers", "connections", "name", "model", "manufacturer", "sw_version", "hw_version", "serial_number", "configuration_url", "suggested_area", "via_device"];

// An HA stand-in: every retained config and mirror it has been sent, as the broker holds them
// (an empty payload removes the topic).
class Ha {
  configs = new Map<string, any>();
  mirrors = new Map<string, string>();
  private checks: (() => void)[] = [];
  constructor(readonly c: MqttClient) {
    c.on("message", (topic, payload) => {
      const store = topic.startsWith("homeassistant/") ? this.configs : this.mirrors;
      if (!payload.length) store.delete(topic);
      else store.set(topic, topic.startsWith("homeassistant/") ? JSON.parse(payload.toString()) : payload.toString());
      for (const f of this.checks.slice()) f();
    });
  }
  static async connect(url: string, ids: string[]): Promise<Ha> {
    const ha = new Ha(await mqtt.connectAsync(url, { protocolVersion: 4 }));
    await ha.c.subscribeAsync(["homeassistant/+/+/+/config", ...ids.map((id) => "pinwire/" + id + "/ha/#")]);
    return ha;
  }
  until(pred: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = () => pred() && (this.checks.splice(this.checks.indexOf(check), 1), resolve());
      this.checks.push(check);
      check();
    });
  }
  of(id: string): [string, any][] {
    return [...this.configs].filter(([t]) => t.split("/")[2] === id).sort(([a], [b]) => (a < b ? -1 : 1));
  }
  close() {
    return this.c.endAsync();
  }
}

// What the configs of a device running `c` must be: one per message with an `ha` hint.
function expected(id: string, c: Catalogue): [string, string, string][] {
  return c.messages
    .filter((m) => m.ha)
    .map((m) => ["homeassistant/" + m.ha!.component + "/" + id + "/" + c.app + "_" + m.name.toLowerCase() + "/config", m.ha!.component, "pinwire_" + id + "_" + c.app + "_" + m.name.toLowerCase()] as [string, string, string])
    .sort(([a], [b]) => (a < b ? -1 : 1));
}

let svc: Service;
let lamp: TestBoard;
let sensor: TestBoard;
let ha: Ha;
let sl: Catalogue;
let ss: Catalogue;

beforeAll(async () => {
  [sl, ss] = await Promise.all([catalogueOf("servo-light"), catalogueOf("sensor-struct")]);
  svc = await startTestService();
  ha = await Ha.connect(svc.mqttUrl, ["ha1", "ha2"]);
  [lamp, sensor] = await Promise.all([
    startTestBoard({ id: "ha1", broker: svc.mqttUrl, app: "servo-light" }),
    startTestBoard({ id: "ha2", broker: svc.mqttUrl, app: "sensor-struct" }),
  ]);
  await ha.until(() => ha.of("ha1").length === 4 && ha.of("ha2").length === 1 && ha.mirrors.size === 6);
});

afterAll(async () => {
  await ha?.close();
  await lamp?.stop();
  await sensor?.stop();
  await svc?.close();
});

describe("discovery configs", () => {
  it("match each board's catalogue: one entity per message with an ha hint, its component, a stable unique id", () => {
    for (const [id, c] of [["ha1", sl], ["ha2", ss]] as const) {
      const got = ha.of(id).map(([t, cfg]) => [t, t.split("/")[1], cfg.unique_id]);
      expect(got).toEqual(expected(id, c));
      for (const [, cfg] of ha.of(id)) {
        const m = c.messages.find((x) => cfg.unique_id.endsWith("_" + x.name.toLowerCase()))!;
        expect(cfg.name).toBe(m.ha!.name);
        expect(cfg.device).toMatchObject({ identifiers: ["pinwire_" + id], manufacturer: "pinwire", model: "fake", sw_version: c.app + " " + c.version + " (script 1.0.0)" });
      }
    }
  });

  it("use only documented keys, with the required ones and values from the catalogue", () => {
    const ids = new Set<string>();
    for (const [topic, c] of ha.configs) {
      const s = SCHEMA[topic.split("/")[1]];
      for (const k of s.required) expect(c, topic + " " + k).toHaveProperty(k);
      for (const k of Object.keys(c)) expect(s.allowed, topic + " has undocumented key " + k).toContain(k);
      for (const k of Object.keys(c.device)) expect(DEVICE_KEYS).toContain(k);
      for (const k of Object.keys(c)) if (k.endsWith("_topic")) expect(isValidTopicName(c[k]), k).toBe(true);
      expect(c.unique_id).toMatch(/^[A-Za-z0-9_-]+$/);
      ids.add(c.unique_id);
      const id = topic.split("/")[2];
      expect(c.availability_topic).toBe("pinwire/" + id + "/status");
      expect([c.payload_available, c.payload_not_available]).toEqual(["online", "offline"]);
    }
    expect(ids.size).toBe(ha.configs.size);
    const cfg = (id: string, app: string, name: string, comp: string) => ha.configs.get("homeassistant/" + comp + "/" + id + "/" + app + "_" + name + "/config");
    // servo-light: SERVO_ROTATE 0..180 deg with a slider; its state is SERVO_ANGLE.
    expect(cfg("ha1", "servo-light", "servo_rotate", "number")).toMatchObject({ min: 0, max: 180, step: 1, mode: "slider", unit_of_measurement: "°", state_topic: "pinwire/ha1/ha/servo_rotate" });
    const light = cfg("ha1", "servo-light", "light_level", "sensor");
    expect(light).toMatchObject({ unit_of_measurement: "%", state_class: "measurement" });
    // HA's illuminance class requires lx; a relative % must not claim it (the hint gives none).
    expect(light.device_class).toBeUndefined();
    expect(cfg("ha1", "servo-light", "led_set", "light")).toMatchObject({ brightness_scale: 100, payload_on: "ON", payload_off: "OFF", on_command_type: "last", brightness_state_topic: "pinwire/ha1/ha/led_set/brightness" });
    // sensor-struct: PERIOD 0..60000 ms, buttons only: a box.
    expect(cfg("ha2", "sensor-struct", "period", "number")).toMatchObject({ min: 0, max: 60000, mode: "box", unit_of_measurement: "ms", state_topic: "pinwire/ha2/ha/period" });
  });

  it("mirror the binary state as plain text on the configs' state topics", () => {
    const m = (t: string) => ha.mirrors.get("pinwire/" + t);
    expect([m("ha1/ha/servo_angle"), m("ha1/ha/servo_rotate"), m("ha1/ha/light_level")]).toEqual(["90", "90", "50"]);
    // The light's state is LED_DUTY (the hint's `state`).
    expect([m("ha1/ha/led_set"), m("ha1/ha/led_set/brightness")]).toEqual(["ON", "50"]);
    expect(m("ha2/ha/period")).toBe("1000");
  });
});

describe("every component of the format", () => {
  // An app neither example covers: a switch (with its widget's on/off), a binary sensor, a
  // struct sensor, a number the board reports nothing for.
  const c: Catalogue = {
    pinwire: 1,
    app: "relay-box",
    version: "0.2.0",
    hash: "0123abcd",
    messages: [
      { name: "RELAY", code: 30, dir: "both", payload: "int32", range: [0, 1], ui: [{ widget: "switch", on: 1, off: 0 }], ha: { component: "switch", name: "Relay", device_class: "outlet" } },
      { name: "DOOR", code: 31, dir: "report", payload: "int32", ha: { component: "binary_sensor", device_class: "door" } },
      { name: "CLIMATE", code: 32, dir: "report", payload: "struct { float temp; float hum; }", ha: { component: "sensor", name: "Climate", device_class: "temperature" } },
      { name: "BEEP", code: 33, dir: "command", payload: "int32", unit: "ms", range: [10, 2000], ha: { component: "number" } },
    ],
  };

  it("gives configs HA documents, with state from the right report", () => {
    expect(catalogueProblem(c)).toBeNull();
    const es = entitiesOf("rb1", { board: "esp32" }, c);
    expect(es.map((e) => [e.topic, e.config.unique_id])).toEqual([
      ["homeassistant/switch/rb1/relay-box_relay/config", "pinwire_rb1_relay-box_relay"],
      ["homeassistant/binary_sensor/rb1/relay-box_door/config", "pinwire_rb1_relay-box_door"],
      ["homeassistant/sensor/rb1/relay-box_climate/config", "pinwire_rb1_relay-box_climate"],
      ["homeassistant/number/rb1/relay-box_beep/config", "pinwire_rb1_relay-box_beep"],
    ]);
    for (const e of es) {
      const s = SCHEMA[e.component];
      for (const k of s.required) expect(e.config, e.topic + " " + k).toHaveProperty(k);
      for (const k of Object.keys(e.config)) expect(s.allowed, e.topic + " has undocumented key " + k).toContain(k);
    }
    const [relay, door, climate, beep] = es;
    expect(relay.config).toMatchObject({ name: "Relay", device_class: "outlet", state_topic: "pinwire/rb1/ha/relay", command_topic: "pinwire/rb1/ha/relay/set" });
    expect(relay.mirrors.map((m) => [m.topic, m.format(1), m.format(0)])).toEqual([["pinwire/rb1/ha/relay", "ON", "OFF"]]);
    expect(door.config).toMatchObject({ name: "Door", device_class: "door", payload_on: "ON" });
    expect(door.mirrors[0].format(3)).toBe("ON");
    expect(climate.config).toMatchObject({ value_template: "{{ value_json.temp }}", json_attributes_topic: "pinwire/rb1/ha/climate", device_class: "temperature" });
    expect(climate.mirrors[0].format({ temp: 21.5, hum: 40 })).toBe('{"temp":21.5,"hum":40}');
    // Nothing reports BEEP back: no state topic (HA shows it optimistic).
    expect(beep.config).toMatchObject({ min: 10, max: 2000, mode: "box", unit_of_measurement: "ms" });
    expect(beep.config.state_topic).toBeUndefined();
    expect(beep.mirrors).toEqual([]);
    expect(entitiesOf("rb1", null, null)).toEqual([]);
  });

  it("turns HA's switch and number commands into that app's messages", async () => {
    const b = await new FakeBoard({ id: "rb1", url: svc.mqttUrl, app: c }).start();
    try {
      const watch = await Ha.connect(svc.mqttUrl, ["rb1"]);
      await watch.until(() => watch.of("rb1").length === 4 && watch.mirrors.get("pinwire/rb1/ha/relay") === "OFF");
      await watch.c.publishAsync("pinwire/rb1/ha/relay/set", "ON");
      await watch.until(() => watch.mirrors.get("pinwire/rb1/ha/relay") === "ON");
      await watch.c.publishAsync("pinwire/rb1/ha/relay/set", "OFF");
      await watch.until(() => watch.mirrors.get("pinwire/rb1/ha/relay") === "OFF");
      b.set("DOOR", 1);
      await watch.until(() => watch.mirrors.get("pinwire/rb1/ha/door") === "ON");
      b.set("CLIMATE", { temp: 19.5, hum: 55 });
      await watch.until(() => watch.mirrors.get("pinwire/rb1/ha/climate") === '{"temp":19.5,"hum":55}');
      await watch.c.publishAsync("pinwire/rb1/ha/beep/set", "5"); // below its range: dropped
      await watch.c.publishAsync("pinwire/rb1/ha/beep/set", "250");
      await expect.poll(() => b.received.length).toBe(3);
      expect(b.received).toEqual([
        { name: "RELAY", value: 1 },
        { name: "RELAY", value: 0 },
        { name: "BEEP", value: 250 },
      ]);
      await watch.close();
    } finally {
      await b.stop();
    }
  });
});

describe("HA commands", () => {
  it("become the board's commands: number, light on/off and brightness; bad ones are dropped", async () => {
    const base = "pinwire/ha1/ha/";
    await ha.c.publishAsync(base + "servo_rotate/set", "45");
    await ha.until(() => ha.mirrors.get(base + "servo_angle") === "45");
    await ha.c.publishAsync(base + "led_set/set", "OFF");
    await ha.until(() => ha.mirrors.get(base + "led_set") === "OFF");
    await ha.c.publishAsync(base + "led_set/set", "ON");
    await ha.until(() => ha.mirrors.get(base + "led_set/brightness") === "100");
    await ha.c.publishAsync(base + "led_set/brightness/set", "25");
    await ha.until(() => ha.mirrors.get(base + "led_set/brightness") === "25");
    await ha.c.publishAsync(base + "led_set/set", "OFF");
    await ha.until(() => ha.mirrors.get(base + "led_set") === "OFF");
    await ha.c.publishAsync(base + "led_set/set", "ON"); // back to the last brightness? none is kept at 0: full
    await ha.until(() => ha.mirrors.get(base + "led_set/brightness") === "100");
    await ha.c.publishAsync(base + "servo_rotate/set", "not a number");
    await ha.c.publishAsync(base + "servo_rotate/set", "999");
    await ha.c.publishAsync(base + "nothing/set", "1");
    // A valid command after the bad ones proves they were dropped, not queued.
    await ha.c.publishAsync(base + "servo_rotate/set", "46");
    await ha.until(() => ha.mirrors.get(base + "servo_angle") === "46");
    expect(lamp.received()).toEqual([
      { name: "SERVO_ROTATE", value: 45 },
      { name: "LED_SET", value: 0 },
      { name: "LED_SET", value: 100 },
      { name: "LED_SET", value: 25 },
      { name: "LED_SET", value: 0 },
      { name: "LED_SET", value: 100 },
      { name: "SERVO_ROTATE", value: 46 },
    ]);
    await ha.c.publishAsync("pinwire/ha2/ha/period/set", "250");
    await ha.until(() => ha.mirrors.get("pinwire/ha2/ha/period") === "250");
    expect(sensor.received()).toEqual([{ name: "PERIOD", value: 250 }]);
  });

  it("announces again when HA publishes its birth message", async () => {
    ha.configs.clear();
    await ha.c.publishAsync("homeassistant/status", "online");
    await ha.until(() => ha.of("ha1").length === 4 && ha.of("ha2").length === 1);
  });
});

describe("a board that changes app", () => {
  it("gets the new app's entities; the old ones are removed, and their mirrors", async () => {
    await lamp.switchApp("sensor-struct", "2.0.0");
    await ha.until(() => ha.of("ha1").length === 1 && ha.of("ha1")[0][1].unique_id === "pinwire_ha1_sensor-struct_period");
    expect(ha.of("ha1").map(([t, c]) => [t, t.split("/")[1], c.unique_id])).toEqual(expected("ha1", ss));
    await ha.until(() => ha.mirrors.get("pinwire/ha1/ha/period") === "1000");
    expect([...ha.mirrors.keys()].filter((t) => t.startsWith("pinwire/ha1/ha") && !t.endsWith("/set")).sort()).toEqual(["pinwire/ha1/ha", "pinwire/ha1/ha/period"]);
    // The HA command of the old app means nothing now.
    await ha.c.publishAsync("pinwire/ha1/ha/servo_rotate/set", "10");
    await ha.c.publishAsync("pinwire/ha1/ha/period/set", "5000");
    await ha.until(() => ha.mirrors.get("pinwire/ha1/ha/period") === "5000");
    expect(lamp.received()).toEqual([{ name: "PERIOD", value: 5000 }]);
    await lamp.switchApp("servo-light", "3.0.0");
    await ha.until(() => ha.of("ha1").length === 4);
    expect(ha.of("ha1").map(([t, c]) => [t, t.split("/")[1], c.unique_id])).toEqual(expected("ha1", sl));
  });

  it("is cleaned up by a bridge that was not running when it changed; unique ids stay the same across bridges", async () => {
    const mosq = await startMosquitto();
    const url = "mqtt://127.0.0.1:" + mosq.port;
    const watch = await Ha.connect(url, ["hb1"]);
    const b = await startTestBoard({ id: "hb1", broker: url, app: "servo-light" });
    try {
      const first = await startTestService({ broker: url });
      await watch.until(() => watch.of("hb1").length === 4);
      const before = watch.of("hb1");
      await first.close();
      // With no bridge running: the board is pushed another app.
      await b.switchApp("sensor-struct", "2.0.0");
      const second = await startTestService({ broker: url });
      await watch.until(() => watch.of("hb1").length === 1);
      expect(watch.of("hb1").map(([t, c]) => [t, c.unique_id])).toEqual(expected("hb1", ss).map(([t, , u]) => [t, u]));
      expect([...watch.mirrors.keys()].filter((t) => /ha\/(servo|light|led)/.test(t))).toEqual([]);
      // And back: the same entities, the same ids as the first bridge published.
      await b.switchApp("servo-light", "1.0.0");
      await watch.until(() => watch.of("hb1").length === 4);
      expect(watch.of("hb1")).toEqual(before);
      await second.close();
    } finally {
      await b.stop();
      await watch.close();
      await mosq.stop();
    }
  });

  it("a forgotten board's entities are removed", async () => {
    const b = await startTestBoard({ id: "ha3", broker: svc.mqttUrl, app: "servo-light" });
    const watch = await Ha.connect(svc.mqttUrl, ["ha3"]);
    await watch.until(() => watch.of("ha3").length === 4);
    await b.stop();
    await waitDevice(svc, "ha3", (d) => d.status === "offline");
    expect(svc.bridge.forget("ha3")).toBe("forgotten");
    await watch.until(() => watch.of("ha3").length === 0 && ![...watch.mirrors.keys()].some((t) => t.startsWith("pinwire/ha3/")));
    await watch.close();
  });
});

describe("--no-discovery", () => {
  it("publishes no configs and no mirrors", async () => {
    const quiet = await startTestService({ discovery: false });
    const published: string[] = [];
    quiet.broker!.aedes.on("publish", (p, c) => c && published.push(p.topic));
    const d = await startTestBoard({ id: "q1", broker: quiet.mqttUrl, app: "servo-light" });
    await waitDevice(quiet, "q1", (x) => x.status === "online" && x.values.SERVO_ANGLE === 90);
    // A command round trip through the bridge: anything it announced would have gone first.
    const v = await new Collector(wsUrl(quiet, "/ws/q1")).open();
    v.ws.send(await encode("servo-light", "SERVO_ROTATE", 3));
    await v.next(isMsg((await tableOf("servo-light")).byName.get("SERVO_ANGLE")!.code, 3));
    expect(published).toContain("pinwire/q1/cmd");
    expect(published.filter((t) => t.startsWith("homeassistant/") || t.includes("/ha"))).toEqual([]);
    await v.close();
    await d.stop();
    await quiet.close();
  });
});
