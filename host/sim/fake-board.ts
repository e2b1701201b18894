// A fake board: plain Node (the `mqtt` npm client) speaking whatever app it is given, as a
// board does (docs/catalogue.md): retained status with an "offline" will, retained info
// (with the catalogue's app, version and hash), the catalogue retained on pinwire/<id>/app,
// each change as its own message on state plus the retained snapshot, and commands answered
// as the catalogue says: a command that goes both ways is reported back, a command that
// `reports` an int32 report sets it. A behaviour can add what an app does beyond that.
// With no catalogue it plays a script from before catalogue format 1 (info without a hash,
// state as given). Used by tests, and by `pinwire sim` when the board bundle cannot be built.
import mqtt, { type MqttClient } from "mqtt";
import { blankMessage, layoutOf, MessageTable, snapshotOf, type Catalogue, type MessageSpec, type MessageValue } from "../../shared/catalogue";
import { errorText } from "../log";

// What an app does beyond the catalogue's generic answers.
export interface Behaviour {
  // Values at boot by message name (others: the low end of the range, or 0, or a zeroed struct).
  initial?: Record<string, MessageValue>;
  // A command: return true when handled here (the generic answer is then skipped).
  command?(b: FakeBoard, spec: MessageSpec, value: MessageValue): boolean;
  // A report the board changed by itself (set(), drift): what follows from it.
  changed?(b: FakeBoard, name: string, value: MessageValue): void;
}

export interface FakeBoardOptions {
  id: string;
  url: string;
  username?: string;
  password?: string;
  app: Catalogue | null; // null: a script without a catalogue
  behaviour?: Behaviour;
  board?: string; // info.board (default "fake")
  script?: string; // info.script: the running script's version (default "1")
  rawState?: Uint8Array; // without a catalogue: the state it publishes
  reconnect?: boolean; // come back after the broker drops it, as a board does (default false)
  driftMs?: number; // how often the reports no command sets wander (0 or absent: never)
}

function initialValue(spec: MessageSpec): MessageValue {
  if (spec.payload === "int32") return spec.range ? Math.max(spec.range[0], Math.min(0, spec.range[1])) : 0;
  const v = layoutOf(spec).unpack(blankMessage(spec));
  delete v.cmd;
  return v;
}

export class FakeBoard {
  client!: MqttClient;
  table: MessageTable | null = null;
  // The board's own values by message name, and every command it accepted, in order.
  values = new Map<string, MessageValue>();
  received: { name: string; value: MessageValue }[] = [];
  private latest = new Map<number, Uint8Array>();
  private timer: NodeJS.Timeout | null = null;
  private bootedAt = Date.now();

  constructor(readonly opts: FakeBoardOptions) {
    this.load(opts.app, opts.script);
  }

  get id(): string {
    return this.opts.id;
  }

  topic(kind: string): string {
    return "pinwire/" + this.opts.id + "/" + kind;
  }

  private load(app: Catalogue | null, script = "1"): void {
    this.opts.app = app;
    this.opts.script = script;
    this.table = app ? new MessageTable(app) : null;
    this.values.clear();
    this.latest.clear();
    this.received = [];
    if (!this.table) return;
    for (const spec of this.table.reports()) {
      const v = this.opts.behaviour?.initial?.[spec.name] ?? initialValue(spec);
      this.values.set(spec.name, v);
      this.latest.set(spec.code, this.table.encode(spec, v));
    }
  }

  async start(): Promise<this> {
    this.bootedAt = Date.now();
    this.client = mqtt.connect(this.opts.url, {
      // Its own client id as a device (host/auth/acl.ts): pinwire-<id>.<name>.
      clientId: "pinwire-" + this.opts.id + ".fake-" + Math.random().toString(16).slice(2, 8),
      username: this.opts.username,
      password: this.opts.password,
      protocolVersion: 4,
      reconnectPeriod: this.opts.reconnect ? 200 : 0,
      connectTimeout: 5000,
      will: { topic: this.topic("status"), payload: Buffer.from("offline"), retain: true, qos: 1 },
    });
    // Every connection announces, as a board does: subscribe, info, catalogue, state, online.
    this.client.on("connect", () => void this.announce().catch(() => {}));
    this.client.on("message", (_t, p) => this.onCommand(p));
    await new Promise<void>((resolve, reject) => {
      this.client.once("error", reject);
      const ready = () => (this.client.off("error", reject), resolve());
      this.announced = ready;
    });
    if (this.opts.driftMs) this.timer = setInterval(() => this.drift(), this.opts.driftMs);
    return this;
  }

  private announced: (() => void) | null = null;

  private async announce(): Promise<void> {
    const c = this.client;
    await c.subscribeAsync(this.topic("cmd"));
    const app = this.opts.app;
    const info: Record<string, unknown> = { id: this.opts.id, board: this.opts.board ?? "fake", memory: { free: 1000, total: 1700 } };
    if (app) Object.assign(info, { runtime: "fake", app: app.app, version: app.version, hash: app.hash, script: this.opts.script, ip: "127.0.0.1", rssi: -50 });
    else info.version = this.opts.script;
    info.up = Math.round((Date.now() - this.bootedAt) / 1000);
    await c.publishAsync(this.topic("info"), JSON.stringify(info), { retain: true, qos: 1 });
    if (app) await c.publishAsync(this.topic("app"), JSON.stringify(app), { retain: true, qos: 1 });
    const state = this.table ? snapshotOf(this.table, this.latest) : this.opts.rawState;
    if (state && state.length) await c.publishAsync(this.topic("state"), Buffer.from(state), { retain: true, qos: 0 });
    await c.publishAsync(this.topic("status"), "online", { retain: true, qos: 1 });
    const a = this.announced;
    this.announced = null;
    a?.();
  }

  value(name: string): MessageValue | undefined {
    return this.values.get(name);
  }

  // The board reports a new value (its own input changed), and what follows from it.
  set(name: string, value: MessageValue): void {
    this.report(name, value);
    this.opts.behaviour?.changed?.(this, name, value);
  }

  // Sends one report: the message on its own, then the retained snapshot with it last.
  report(name: string, value: MessageValue): void {
    const spec = this.table?.byName.get(name);
    if (!spec || spec.dir === "command") throw new Error(name + " is not a report of " + (this.opts.app?.app ?? "this board"));
    const b = this.table!.encode(spec, value);
    this.values.set(name, value);
    this.latest.set(spec.code, b);
    if (!this.client?.connected) return;
    this.client.publish(this.topic("state"), Buffer.from(b), { retain: false, qos: 0 });
    this.client.publish(this.topic("state"), Buffer.from(snapshotOf(this.table!, this.latest, spec.code)), { retain: true, qos: 0 });
  }

  log(line: string): void {
    if (this.client?.connected) this.client.publish(this.topic("log"), line, { retain: false, qos: 0 });
  }

  private onCommand(p: Buffer): void {
    const table = this.table;
    if (!table) return;
    let spec: MessageSpec;
    let value: MessageValue;
    try {
      const isJson = p[0] === 0x7b && !(table.byCode.get(p[0]) && layoutOf(table.byCode.get(p[0])!).size === p.length);
      ({ spec, value } = table.command(isJson ? p.toString("utf8") : new Uint8Array(p.buffer, p.byteOffset, p.length)));
    } catch (e) {
      const why = errorText(e);
      this.client.publish(this.topic("error"), JSON.stringify({ code: why.split(":")[0] }), { qos: 0, retain: false });
      this.log("bad command: " + why);
      return;
    }
    this.received.push({ name: spec.name, value });
    if (this.opts.behaviour?.command?.(this, spec, value)) return;
    const target = spec.reports ? table.byName.get(spec.reports) : undefined;
    if (target && target.payload === "int32" && typeof value === "number" && (!target.range || (value >= target.range[0] && value <= target.range[1]))) this.report(target.name, value);
    if (spec.dir === "both") this.report(spec.name, value);
  }

  // The reports nothing else sets (no command `reports` them, not both ways) wander a little.
  private drift(): void {
    const table = this.table;
    if (!table || !this.client?.connected) return;
    const set = new Set(table.commands().map((c) => c.reports));
    for (const spec of table.reports()) {
      if (spec.payload !== "int32" || spec.dir === "both" || set.has(spec.name)) continue;
      const [lo, hi] = spec.range ?? [0, 100];
      const old = this.values.get(spec.name) as number;
      const step = Math.max(1, Math.round((hi - lo) / 20));
      const v = Math.max(lo, Math.min(hi, old + Math.round((Math.random() * 2 - 1) * step)));
      if (v !== old) this.set(spec.name, v);
    }
  }

  // What a push of another script does: the board restarts (its connection drops, the
  // broker publishes the will), then comes back running the new app.
  async switchApp(app: Catalogue | null, script: string): Promise<void> {
    await this.stop(false);
    this.load(app, script);
    await this.start();
  }

  async stop(graceful = true): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (graceful && this.client.connected) await this.client.publishAsync(this.topic("status"), "offline", { retain: true, qos: 1 });
    await this.client.endAsync(!graceful);
  }
}
