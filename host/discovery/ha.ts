// Home Assistant MQTT discovery (https://www.home-assistant.io/integrations/mqtt/).
// Per device, four retained single-component configs:
//   <prefix>/number/<id>_servo/config  servo angle 0..180 deg (slider)
//   <prefix>/sensor/<id>_light/config  light level in % (no device_class: HA's
//                                       "illuminance" requires lx, and ours is a relative %)
//   <prefix>/light/<id>_led/config     LED on/off + brightness 0..100 (brightness_scale 100)
//   <prefix>/switch/<id>_led_auto/config  LED automatic (follows the light) ON, or OFF: manual,
//                                       held at its current duty; the state is the mode the
//                                       board reports (LED_SET on its state topic)
// Availability comes from the device's own retained pinwire/<id>/status ("online"/"offline").
// Our state is binary, so the bridge mirrors it as plain text under pinwire/<id>/ha/ (retained)
// and turns HA's commands on .../set topics into 8-byte SERVO_ROTATE / LED_SET commands.
import { encodeMessage, SERVO_ANGLE, LIGHT_LEVEL, LED_DUTY, SERVO_ROTATE, LED_SET } from "../../shared/messages";
import type { Bridge } from "../bridge/bridge";
import type { DeviceSnapshot } from "../bridge/registry";
import { topicOf } from "../bridge/topics";
import type { Logger } from "../log";

export const DEFAULT_PREFIX = "homeassistant";
const VERSION = "0.1.0";

export interface DiscoveryOptions {
  prefix?: string;
  // MQTT shared-subscription group for the HA command topics, so that with several bridges
  // on one broker each HA command is translated once (mosquitto; Aedes has no $share).
  shareGroup?: string;
}

export interface DiscoveryMessage {
  topic: string;
  config: Record<string, unknown>;
}

export const haTopics = (id: string) => ({
  servo: topicOf(id, "ha/servo"),
  servoSet: topicOf(id, "ha/servo/set"),
  light: topicOf(id, "ha/light"),
  led: topicOf(id, "ha/led"),
  ledSet: topicOf(id, "ha/led/set"),
  ledBrightness: topicOf(id, "ha/led/brightness"),
  ledBrightnessSet: topicOf(id, "ha/led/brightness/set"),
  ledAuto: topicOf(id, "ha/led/auto"),
  ledAutoSet: topicOf(id, "ha/led/auto/set"),
});

export function discoveryConfigs(snap: DeviceSnapshot, prefix = DEFAULT_PREFIX): DiscoveryMessage[] {
  const id = snap.id;
  const t = haTopics(id);
  const info = (snap.info ?? {}) as { board?: unknown; version?: unknown };
  const device: Record<string, unknown> = {
    identifiers: ["pinwire_" + id],
    name: "pinwire " + id,
    manufacturer: "pinwire",
    model: typeof info.board === "string" ? info.board : "Espruino board",
  };
  if (typeof info.version === "string") device.sw_version = info.version;
  const common = {
    availability_topic: topicOf(id, "status"),
    payload_available: "online",
    payload_not_available: "offline",
    device,
    origin: { name: "pinwire", sw_version: VERSION },
  };
  return [
    {
      topic: prefix + "/number/" + id + "_servo/config",
      config: {
        name: "Servo",
        unique_id: "pinwire_" + id + "_servo",
        state_topic: t.servo,
        command_topic: t.servoSet,
        min: 0,
        max: 180,
        step: 1,
        mode: "slider",
        unit_of_measurement: "°",
        icon: "mdi:rotate-right",
        ...common,
      },
    },
    {
      topic: prefix + "/sensor/" + id + "_light/config",
      config: {
        name: "Light level",
        unique_id: "pinwire_" + id + "_light",
        state_topic: t.light,
        unit_of_measurement: "%",
        state_class: "measurement",
        icon: "mdi:brightness-5",
        ...common,
      },
    },
    {
      topic: prefix + "/light/" + id + "_led/config",
      config: {
        name: "LED",
        unique_id: "pinwire_" + id + "_led",
        command_topic: t.ledSet,
        state_topic: t.led,
        payload_on: "ON",
        payload_off: "OFF",
        brightness_command_topic: t.ledBrightnessSet,
        brightness_state_topic: t.ledBrightness,
        brightness_scale: 100,
        on_command_type: "last",
        ...common,
      },
    },
    {
      topic: prefix + "/switch/" + id + "_led_auto/config",
      config: {
        name: "LED auto",
        unique_id: "pinwire_" + id + "_led_auto",
        command_topic: t.ledAutoSet,
        state_topic: t.ledAuto,
        payload_on: "ON",
        payload_off: "OFF",
        icon: "mdi:brightness-auto",
        ...common,
      },
    },
  ];
}

function parseIntText(payload: Uint8Array): number | null {
  const s = Buffer.from(payload).toString("utf8").trim();
  if (!/^-?\d+(\.\d+)?$/.test(s)) return null;
  return Math.round(Number(s));
}

const MIRROR_MS = 250;

// Returns a function that stops the mirror timer.
export function attachDiscovery(bridge: Bridge, log: Logger, opts: DiscoveryOptions = {}): () => void {
  const prefix = opts.prefix ?? DEFAULT_PREFIX;
  const share = opts.shareGroup ? "$share/" + opts.shareGroup + "/" : "";
  const l = log.child({ c: "discovery" });
  const announced = new Map<string, string>(); // id -> configs last published
  const announce = (snap: DeviceSnapshot, force = false) => {
    const msgs = discoveryConfigs(snap, prefix).map((m) => [m.topic, JSON.stringify(m.config)]);
    const key = msgs.map((m) => m[1]).join("\n");
    if (!force && announced.get(snap.id) === key) return;
    announced.set(snap.id, key);
    for (const [topic, json] of msgs) bridge.publish(topic, json, true);
    l.info({ event: "announce", id: snap.id }, "home assistant discovery published");
  };

  // Mirrors are for Home Assistant, which has no use for a thousand updates a second: at
  // most one publish per topic per MIRROR_MS window, the window's latest value winning
  // (first change at once, the rest at the window's end). `sent` only skips republishing an
  // unchanged value; losing it costs one redundant publish.
  const sent = new Map<string, string>();
  const dirty = new Map<string, string>();
  let timer: NodeJS.Timeout | null = null;
  const put = (topic: string, value: string) => {
    if (sent.get(topic) === value) return;
    sent.set(topic, value);
    bridge.publish(topic, value, true);
  };
  const endWindow = () => {
    timer = null;
    if (!dirty.size) return;
    for (const [t, v] of dirty) put(t, v);
    dirty.clear();
    timer = setTimeout(endWindow, MIRROR_MS);
    timer.unref();
  };
  const mirror = (topic: string, value: string) => {
    if (timer) return void dirty.set(topic, value);
    put(topic, value);
    timer = setTimeout(endWindow, MIRROR_MS);
    timer.unref();
  };

  bridge.addListener({
    device(snap, change) {
      if (change === "new" || change === "info") announce(snap);
      if (change === "removed") announced.delete(snap.id);
      if (change === "removed") for (const k of sent.keys()) if (k.startsWith(topicOf(snap.id, ""))) sent.delete(k);
    },
    report(id, _msg, cmd, value) {
      const t = haTopics(id);
      if (cmd === SERVO_ANGLE) mirror(t.servo, String(value));
      else if (cmd === LIGHT_LEVEL) mirror(t.light, String(value));
      else if (cmd === LED_DUTY) {
        mirror(t.led, value > 0 ? "ON" : "OFF");
        mirror(t.ledBrightness, String(value));
      } else if (cmd === LED_SET) mirror(t.ledAuto, value < 0 ? "ON" : "OFF");
    },
  });

  const filters = [share + "pinwire/+/ha/servo/set", share + "pinwire/+/ha/led/set", share + "pinwire/+/ha/led/brightness/set", share + "pinwire/+/ha/led/auto/set", prefix + "/status"];
  bridge.addTopicHandler(filters, (topic, payload, id, rest) => {
    if (topic === prefix + "/status") {
      // HA's birth message: it restarted, announce everything again (as HA recommends).
      if (Buffer.from(payload).toString() === "online") for (const d of bridge.devices()) announce(d, true);
      return true;
    }
    if (!id || !rest || !rest.startsWith("ha/")) return false;
    let cmd = 0;
    let value: number | null = null;
    if (rest === "ha/servo/set") {
      cmd = SERVO_ROTATE;
      value = parseIntText(payload);
    } else if (rest === "ha/led/brightness/set") {
      cmd = LED_SET;
      value = parseIntText(payload);
    } else if (rest === "ha/led/set") {
      cmd = LED_SET;
      const s = Buffer.from(payload).toString().trim();
      const last = bridge.device(id)?.state.led;
      value = s === "OFF" ? 0 : s === "ON" ? (last ? last : 100) : null;
    } else if (rest === "ha/led/auto/set") {
      // OFF: manual, holding the LED where automatic left it.
      cmd = LED_SET;
      const s = Buffer.from(payload).toString().trim();
      const last = bridge.device(id)?.state.led;
      value = s === "ON" ? -1 : s === "OFF" ? (last ?? 100) : null;
    } else return false;
    try {
      if (value === null) throw new Error("not a number");
      bridge.sendCommand(id, encodeMessage(cmd, value));
      l.debug({ event: "ha-command", id, rest, value }, "home assistant command");
    } catch (e) {
      l.warn({ event: "ha-bad-command", id, rest, payload: Buffer.from(payload).toString().slice(0, 40) }, "home assistant command dropped");
    }
    return true;
  });
  return () => {
    if (timer) clearTimeout(timer);
    timer = null;
    dirty.clear();
  };
}
