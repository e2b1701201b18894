// Home Assistant MQTT discovery (https://www.home-assistant.io/integrations/mqtt/), driven by
// each board's catalogue: one retained single-component config per message with an `ha` hint
// (docs/catalogue.md), at
//   <prefix>/<component>/<device id>/<app>_<message name lower-case>/config
// with unique_id pinwire_<device id>_<app>_<message name lower-case>, stable across restarts.
// Availability comes from the device's own retained pinwire/<id>/status. Our state is binary,
// so the bridge mirrors it as plain text under pinwire/<id>/ha/<message name lower-case>
// (retained) and turns HA's commands on .../set topics into the board's messages.
//
// What this bridge published for a device is kept retained on pinwire/<id>/ha (the config and
// mirror topics), so when the board changes app (or is forgotten) the old entities are removed
// (an empty retained config) even by a bridge that restarted in between.
import { displayName, layoutOf, type Catalogue, type MessageSpec, type MessageValue } from "../../shared/catalogue";
import type { Bridge } from "../bridge/bridge";
import type { DeviceRecord } from "../bridge/registry";
import { topicOf } from "../bridge/topics";
import { errorText, type Logger } from "../log";

export const DEFAULT_PREFIX = "homeassistant";
const VERSION = "0.1.0";
const INDEX = "ha";

export interface DiscoveryOptions {
  prefix?: string;
  // MQTT shared-subscription group for the HA command topics, so that with several bridges
  // on one broker each HA command is translated once (mosquitto; Aedes has no $share).
  shareGroup?: string;
}

// A plain-text mirror: on each report of `code`, `format(value)` is published to `topic`.
interface Mirror {
  topic: string;
  code: number;
  format: (v: MessageValue) => string;
}

export interface Entity {
  spec: MessageSpec;
  component: string;
  topic: string; // the config topic
  config: Record<string, unknown>;
  mirrors: Mirror[];
}

// HA wants its own spelling of a few units.
const UNITS: Record<string, string> = { deg: "°", degC: "°C", degF: "°F" };

const objectName = (m: MessageSpec) => m.name.toLowerCase();

// The entities of a device for its catalogue (none without one).
export function entitiesOf(id: string, info: Record<string, unknown> | null, c: Catalogue | null, prefix = DEFAULT_PREFIX): Entity[] {
  if (!c) return [];
  const byName = new Map(c.messages.map((m) => [m.name, m]));
  const device: Record<string, unknown> = {
    identifiers: ["pinwire_" + id],
    name: "pinwire " + id,
    manufacturer: "pinwire",
    model: info && typeof info.board === "string" ? info.board : "Espruino board",
    sw_version: c.app + " " + c.version + (info && typeof info.script === "string" ? " (script " + info.script + ")" : ""),
  };
  const common = {
    availability_topic: topicOf(id, "status"),
    payload_available: "online",
    payload_not_available: "offline",
    device,
    origin: { name: "pinwire", sw_version: VERSION },
  };
  const out: Entity[] = [];
  for (const m of c.messages) {
    const ha = m.ha;
    if (!ha) continue;
    const obj = objectName(m);
    const base = topicOf(id, "ha/" + obj);
    const unit = m.unit ? (UNITS[m.unit] ?? m.unit) : undefined;
    // The report that shows a command's state: the hint's `state`, else `reports`, else the
    // message itself when the board reports it.
    const source = byName.get(ha.state ?? m.reports ?? "") ?? (m.dir !== "command" ? m : undefined);
    const cfg: Record<string, unknown> = { name: ha.name ?? displayName(m), unique_id: "pinwire_" + id + "_" + c.app + "_" + obj };
    const mirrors: Mirror[] = [];
    const num = (v: MessageValue) => (typeof v === "number" ? String(v) : JSON.stringify(v));
    if (ha.component === "sensor") {
      cfg.state_topic = base;
      if (m.payload === "int32") {
        if (unit) cfg.unit_of_measurement = unit;
        cfg.state_class = "measurement";
      } else {
        // A struct: its members as attributes, the first one as the state.
        cfg.value_template = "{{ value_json." + layoutOf(m).fields[1].name + " }}";
        cfg.json_attributes_topic = base;
      }
      if (ha.device_class) cfg.device_class = ha.device_class;
      mirrors.push({ topic: base, code: m.code, format: num });
    } else if (ha.component === "binary_sensor") {
      Object.assign(cfg, { state_topic: base, payload_on: "ON", payload_off: "OFF" });
      if (ha.device_class) cfg.device_class = ha.device_class;
      mirrors.push({ topic: base, code: m.code, format: (v) => (v ? "ON" : "OFF") });
    } else if (ha.component === "number") {
      const slider = m.ui?.find((u) => u.widget === "slider");
      Object.assign(cfg, { command_topic: base + "/set", min: m.range ? m.range[0] : -2147483648, max: m.range ? m.range[1] : 2147483647, step: slider?.step ?? 1, mode: slider ? "slider" : "box" });
      if (unit) cfg.unit_of_measurement = unit;
      if (source) {
        cfg.state_topic = base;
        mirrors.push({ topic: base, code: source.code, format: num });
      }
    } else if (ha.component === "switch") {
      const { on } = switchValues(m);
      Object.assign(cfg, { command_topic: base + "/set", payload_on: "ON", payload_off: "OFF" });
      if (ha.device_class) cfg.device_class = ha.device_class;
      if (source) {
        cfg.state_topic = base;
        mirrors.push({ topic: base, code: source.code, format: (v) => (v === on ? "ON" : "OFF") });
      }
    } else if (ha.component === "light") {
      Object.assign(cfg, {
        command_topic: base + "/set",
        payload_on: "ON",
        payload_off: "OFF",
        brightness_command_topic: base + "/brightness/set",
        brightness_scale: m.range ? m.range[1] : 100,
        on_command_type: "last",
      });
      if (source) {
        Object.assign(cfg, { state_topic: base, brightness_state_topic: base + "/brightness" });
        mirrors.push({ topic: base, code: source.code, format: (v) => (typeof v === "number" && v > 0 ? "ON" : "OFF") });
        mirrors.push({ topic: base + "/brightness", code: source.code, format: num });
      }
    }
    Object.assign(cfg, common);
    out.push({ spec: m, component: ha.component, topic: prefix + "/" + ha.component + "/" + id + "/" + c.app + "_" + obj + "/config", config: cfg, mirrors });
  }
  return out;
}

// A switch's two values: the HA hint's, else the switch widget's, else 1 and 0. `off` may name
// a report whose latest value is sent.
function switchValues(m: MessageSpec): { on: number; off: number | string } {
  const w = m.ui?.find((u) => u.widget === "switch");
  return { on: m.ha?.on ?? w?.on ?? 1, off: m.ha?.off ?? w?.off ?? 0 };
}

function parseNumber(payload: Uint8Array): number | null {
  const s = Buffer.from(payload).toString("utf8").trim();
  if (!/^-?\d+(\.\d+)?$/.test(s)) return null;
  return Math.round(Number(s));
}

// What HA's command means for the board: the message's value, or null when it means nothing.
function commandValue(rec: DeviceRecord, e: Entity, sub: "set" | "brightness/set", payload: Uint8Array): number | null {
  const s = Buffer.from(payload).toString("utf8").trim();
  const m = e.spec;
  if (sub === "brightness/set") return e.component === "light" ? parseNumber(payload) : null;
  if (e.component === "number") return parseNumber(payload);
  if (e.component === "switch") {
    const { on, off } = switchValues(m);
    if (s === "ON") return on;
    if (s !== "OFF") return null;
    if (typeof off === "number") return off;
    const v = rec.value(off);
    return typeof v === "number" ? v : null;
  }
  if (e.component === "light") {
    if (s === "OFF") return m.range ? Math.max(0, m.range[0]) : 0;
    if (s !== "ON") return null;
    // ON brings back the brightness the board reports, or full.
    const src = m.ha?.state ?? m.reports;
    const v = src ? rec.value(src) : undefined;
    return typeof v === "number" && v > 0 ? v : m.range ? m.range[1] : 100;
  }
  return null;
}

const MIRROR_MS = 250;

interface Published {
  configs: string[];
  mirrors: string[];
}

// Returns a function that stops the mirror timer.
export function attachDiscovery(bridge: Bridge, log: Logger, opts: DiscoveryOptions = {}): () => void {
  const prefix = opts.prefix ?? DEFAULT_PREFIX;
  const share = opts.shareGroup ? "$share/" + opts.shareGroup + "/" : "";
  const l = log.child({ c: "discovery" });
  // Per device: its entities now, the configs last published (JSON, to skip unchanged ones),
  // and what the broker's index says was published (by this bridge or another, before).
  const entities = new Map<string, Entity[]>();
  const announced = new Map<string, string>();
  const onBroker = new Map<string, Published>();

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
  const clear = (topic: string) => {
    dirty.delete(topic);
    sent.delete(topic);
    bridge.publish(topic, "", true);
  };

  // Whether what the device runs is known: a catalogue in force, or known to have none.
  const settled = (rec: DeviceRecord) => rec.info !== null && (rec.catalogue !== null || rec.legacy || rec.refused !== null);

  const publishIndex = (id: string, p: Published) => {
    onBroker.set(id, p);
    bridge.publish(topicOf(id, INDEX), p.configs.length ? JSON.stringify(p) : "", true);
  };

  // Brings the broker in line with the device's catalogue: configs of entities it no longer
  // has are cleared (HA removes them), its own published (again when `force`: HA restarted).
  const reconcile = (rec: DeviceRecord, force = false) => {
    if (!settled(rec)) return;
    const es = entitiesOf(rec.id, rec.info, rec.catalogue, prefix);
    entities.set(rec.id, es);
    const want: Published = { configs: es.map((e) => e.topic), mirrors: [...new Set(es.flatMap((e) => e.mirrors.map((m) => m.topic)))] };
    const was = onBroker.get(rec.id);
    let stale = 0;
    if (was) {
      for (const t of was.configs.filter((t) => !want.configs.includes(t))) {
        clear(t);
        stale++;
      }
      for (const t of was.mirrors.filter((t) => !want.mirrors.includes(t))) clear(t);
    }
    const key = es.map((e) => e.topic + JSON.stringify(e.config)).join("\n");
    if (force || announced.get(rec.id) !== key) {
      announced.set(rec.id, key);
      for (const e of es) bridge.publish(e.topic, JSON.stringify(e.config), true);
      if (es.length || stale) l.info({ event: "announce", id: rec.id, app: rec.catalogue?.app ?? null, entities: es.length, removed: stale }, "home assistant discovery published");
    }
    if (!was || JSON.stringify(was) !== JSON.stringify(want)) publishIndex(rec.id, want);
    // The state HA should show at once (later changes come as reports).
    if (rec.table) for (const e of es) for (const m of e.mirrors) {
      const v = rec.latest.get(m.code);
      if (v) mirror(m.topic, m.format(v.value));
    }
  };

  const removed = (rec: DeviceRecord) => {
    const was = onBroker.get(rec.id);
    const es = entities.get(rec.id) ?? [];
    const topics = new Set([...(was?.configs ?? []), ...(was?.mirrors ?? []), ...es.flatMap((e) => [e.topic, ...e.mirrors.map((m) => m.topic)])]);
    for (const t of topics) clear(t);
    if (topics.size) l.info({ event: "unannounce", id: rec.id, topics: topics.size }, "home assistant entities removed");
    bridge.publish(topicOf(rec.id, INDEX), "", true);
    entities.delete(rec.id);
    announced.delete(rec.id);
    onBroker.delete(rec.id);
  };

  bridge.addListener({
    device(rec, change) {
      if (change === "removed") removed(rec);
      else if (change === "info" || change === "app") reconcile(rec);
    },
    report(rec, r) {
      for (const e of entities.get(rec.id) ?? []) for (const m of e.mirrors) if (m.code === r.spec.code) mirror(m.topic, m.format(r.value));
    },
  });

  const filters = [share + "pinwire/+/ha/+/set", share + "pinwire/+/ha/+/brightness/set", "pinwire/+/" + INDEX, prefix + "/status"];
  bridge.addTopicHandler(filters, (topic, payload, id, rest) => {
    if (topic === prefix + "/status") {
      // HA's birth message: it restarted, announce everything again (as HA recommends).
      if (Buffer.from(payload).toString() === "online") for (const rec of bridge.registry.records()) reconcile(rec, true);
      return true;
    }
    if (!id || !rest) return false;
    if (rest === INDEX) {
      let p: Published | null = null;
      try {
        const o = payload.length ? JSON.parse(Buffer.from(payload).toString("utf8")) : { configs: [], mirrors: [] };
        if (Array.isArray(o.configs) && Array.isArray(o.mirrors)) p = { configs: o.configs.filter((t: unknown) => typeof t === "string"), mirrors: o.mirrors.filter((t: unknown) => typeof t === "string") };
      } catch {
        p = null;
      }
      if (!p) return true;
      const mine = onBroker.get(id);
      if (mine && JSON.stringify(mine) === JSON.stringify(p)) return true; // our own, echoed
      // What another bridge (or this one before a restart) published: merged, so nothing it
      // lists is forgotten before it is cleared.
      onBroker.set(id, { configs: [...new Set([...(mine?.configs ?? []), ...p.configs])], mirrors: [...new Set([...(mine?.mirrors ?? []), ...p.mirrors])] });
      const rec = bridge.registry.get(id);
      if (rec) reconcile(rec);
      return true;
    }
    const m = /^ha\/([a-z0-9_]+)\/(set|brightness\/set)$/.exec(rest);
    if (!m) return false;
    const rec = bridge.registry.get(id);
    const e = (entities.get(id) ?? []).find((x) => objectName(x.spec) === m[1]);
    if (!rec || !e) {
      l.warn({ event: "ha-bad-command", id, rest }, "home assistant command for an entity this device does not have");
      return true;
    }
    const value = commandValue(rec, e, m[2] as "set" | "brightness/set", payload);
    try {
      if (value === null) throw new Error("not a value for " + e.component);
      bridge.command(id, e.spec.name, value);
      l.debug({ event: "ha-command", id, rest, value }, "home assistant command");
    } catch (err) {
      l.warn({ event: "ha-bad-command", id, rest, payload: Buffer.from(payload).toString().slice(0, 40), why: errorText(err) }, "home assistant command dropped");
    }
    return true;
  });
  return () => {
    if (timer) clearTimeout(timer);
    timer = null;
    dirty.clear();
  };
}
