// What the bridge knows about each device. Status, info, the catalogue, the latest value of
// every declared report and the OTA status are rebuilt from retained messages on subscribe
// (so bridges can restart or run side by side against one broker); the chart history and the
// log lines are what this bridge saw since it started.
//
// The catalogue in force is the one the board announced on pinwire/<id>/app whose hash its
// info repeats (docs/catalogue.md): a retained catalogue left behind by an earlier app, or by
// a script from before format 1 (info without a hash), is not used. State that arrives while
// the catalogue is missing or stale is held (a few payloads) and decoded once it comes.
import { toHex, copy } from "../../shared/bytes";
import { errorText } from "../log";
import { MessageTable, layoutOf, sameValue, type Catalogue, type MessageSpec, type MessageValue } from "../../shared/catalogue";
import { History, charted, type HistoryJson } from "./history";
import { applyOta, emptyOta, type OtaView } from "./ota-view";

export type Status = "online" | "offline" | "unknown";

// One report that changed a value. `bytes` is the message as it travelled (a view into the
// payload it came in: copy it to keep it).
export interface Report {
  spec: MessageSpec;
  value: MessageValue;
  bytes: Uint8Array;
}

export interface LogLine {
  at: string; // ISO time the bridge received it
  text: string;
}

// What GET /api/devices, the dashboard channel and the viewers' first message carry.
export interface DeviceSnapshot {
  id: string;
  status: Status;
  info: Record<string, unknown> | null;
  upSince: string | null; // ISO time the board started (info.up, counted from when it arrived)
  app: { name: string; version: string; hash: string } | null;
  catalogue: Catalogue | null;
  // Why there is no catalogue in force (null when there is one).
  catalogueNote: string | null;
  values: Record<string, MessageValue>;
  // The latest state payload as hex, while it cannot be decoded (no catalogue in force).
  raw: { state: string; at: string } | null;
  ota: OtaView;
  log: LogLine[];
  lastSeen: string | null; // ISO time of the last message from or about the device
}

const LOG_KEPT = 50;
const LOG_SHOWN = 20;
const PENDING_KEPT = 16;

interface Latest {
  value: MessageValue;
  bytes: Uint8Array; // the whole message, copied
}

export class DeviceRecord {
  status: Status = "unknown";
  info: Record<string, unknown> | null = null;
  infoAt = 0;
  lastSeen = 0;
  // The last valid catalogue on pinwire/<id>/app, or why the last one was refused.
  announced: Catalogue | null = null;
  refused: string | null = null;
  catalogue: Catalogue | null = null;
  table: MessageTable | null = null;
  readonly latest = new Map<number, Latest>();
  readonly history = new History();
  raw: { bytes: Uint8Array; at: number } | null = null;
  ota: OtaView = emptyOta();
  log: LogLine[] = [];
  private pending: Uint8Array[] = [];
  private bootKey = "";

  constructor(readonly id: string) {}

  // Both return true when the catalogue in force changed: the caller tells its listeners, then
  // applies what takePending() returns.
  setInfo(info: Record<string, unknown>, now: number): boolean {
    this.info = info;
    this.infoAt = now;
    return this.settle();
  }

  setAnnounced(c: Catalogue | null, refused: string | null): boolean {
    this.announced = c;
    this.refused = refused;
    return this.settle();
  }

  // A script from before format 1: its info carries no hash.
  get legacy(): boolean {
    return this.info !== null && typeof this.info.hash !== "string";
  }

  private settle(): boolean {
    const a = this.announced;
    const want = a && this.info && this.info.hash === a.hash ? a : null;
    if ((want ? want.hash : null) === (this.catalogue ? this.catalogue.hash : null)) return false;
    this.catalogue = want;
    this.table = want ? new MessageTable(want) : null;
    this.latest.clear();
    this.history.clear();
    if (!want && this.legacy) this.pending = [];
    return true;
  }

  takePending(): Uint8Array[] {
    const p = this.pending;
    this.pending = [];
    return this.table ? p : [];
  }

  // A state payload (one message or a snapshot). Returns the reports whose value changed, in
  // payload order, and the error that stopped decoding (the messages before it are applied);
  // null when there is no catalogue to decode it with (kept raw, and held for one to come).
  applyState(payload: Uint8Array, now: number): { reports: Report[]; error: string | null } | null {
    const table = this.table;
    if (!table) {
      this.raw = { bytes: copy(payload, 0, payload.length), at: now };
      if (!this.legacy) {
        this.pending.push(this.raw.bytes);
        if (this.pending.length > PENDING_KEPT) this.pending.shift();
      }
      return null;
    }
    this.raw = null;
    const reports: Report[] = [];
    let error: string | null = null;
    for (let i = 0; i < payload.length; ) {
      let spec: MessageSpec;
      let value: MessageValue;
      try {
        ({ spec, value } = table.decode(payload, i));
      } catch (e) {
        error = errorText(e);
        break;
      }
      const size = layoutOf(spec).size;
      const bytes = payload.subarray(i, i + size);
      i += size;
      if (spec.dir === "command") {
        error = "catalogue-not-report: " + spec.name + " is a command";
        break;
      }
      const old = this.latest.get(spec.code);
      if (old && sameValue(old.value, value)) continue;
      this.latest.set(spec.code, { value, bytes: copy(bytes, 0, bytes.length) });
      if (typeof value === "number" && charted(spec)) this.history.add(spec.code, value, now);
      reports.push({ spec, value, bytes });
    }
    return { reports, error };
  }

  value(name: string): MessageValue | undefined {
    const spec = this.table?.byName.get(name);
    return spec ? this.latest.get(spec.code)?.value : undefined;
  }

  // One message of pinwire/<id>/ota, ota/r or ota/s; true when what is shown changed.
  applyOta(rest: string, b: Uint8Array, now: number): boolean {
    if (rest === "ota/s") {
      const key = toHex(b);
      if (key === this.bootKey) return false;
      this.bootKey = key;
    }
    return applyOta(this.ota, rest, b, now);
  }

  addLog(text: string, now: number): LogLine {
    const line = { at: new Date(now).toISOString(), text };
    this.log.push(line);
    if (this.log.length > LOG_KEPT) this.log.splice(0, this.log.length - LOG_KEPT);
    return line;
  }

  historyJson(): HistoryJson {
    return this.history.toJSON(this.table);
  }

  snapshot(): DeviceSnapshot {
    const c = this.catalogue;
    const values: Record<string, MessageValue> = {};
    if (this.table) for (const [code, l] of this.latest) values[this.table.byCode.get(code)!.name] = l.value;
    const up = this.info && typeof this.info.up === "number" ? this.infoAt - this.info.up * 1000 : null;
    return {
      id: this.id,
      status: this.status,
      info: this.info,
      upSince: up === null ? null : new Date(up).toISOString(),
      app: c ? { name: c.app, version: c.version, hash: c.hash } : null,
      catalogue: c,
      catalogueNote: c ? null : this.note(),
      values,
      raw: this.raw ? { state: toHex(this.raw.bytes), at: new Date(this.raw.at).toISOString() } : null,
      ota: this.ota,
      log: this.log.slice(-LOG_SHOWN),
      lastSeen: this.lastSeen ? new Date(this.lastSeen).toISOString() : null,
    };
  }

  private note(): string {
    if (!this.info) return "waiting for the board's info";
    if (this.legacy) return "the board's script announces no catalogue (from before catalogue format 1)";
    if (this.refused) return "catalogue refused: " + this.refused;
    return "waiting for catalogue " + String(this.info.hash) + " on pinwire/" + this.id + "/app";
  }
}

export class DeviceRegistry {
  private devices = new Map<string, DeviceRecord>();

  get(id: string): DeviceRecord | undefined {
    return this.devices.get(id);
  }

  // The second value says whether the device is new to this bridge.
  ensure(id: string): [DeviceRecord, boolean] {
    let d = this.devices.get(id);
    if (d) return [d, false];
    d = new DeviceRecord(id);
    this.devices.set(id, d);
    return [d, true];
  }

  delete(id: string): boolean {
    return this.devices.delete(id);
  }

  records(): DeviceRecord[] {
    return [...this.devices.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  list(): DeviceSnapshot[] {
    return this.records().map((d) => d.snapshot());
  }
}
