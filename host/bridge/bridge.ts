// The bridge: follows every device's retained status, info, catalogue (app) and state on the
// broker, and its log and OTA topics; decodes each report once, by the device's catalogue;
// tells its listeners (the WebSocket gateway, HA discovery) about changed values and device
// changes; and publishes commands. Boards attached to the gateway in binary-WS mode are
// published to the broker here as if they were MQTT devices; their own reports come back
// through the subscription like everyone else's, so every bridge sees one stream of truth.
//
// Commands are set-points (setpoints.ts): the latest of each kind is published again while
// the board has not reported it, when the board comes (back) online and on a timer, so a
// broker restart or a board that was away cannot leave the board short of the last command.
import { catalogueProblem, confirmingReport, layoutOf, snapshotOf, MessageTable, type Catalogue, type MessageSpec, type MessageValue } from "../../shared/catalogue";
import { copy } from "../../shared/bytes";
import { describe as describeCode, hostCode } from "../../shared/error-text";
import { errorText, type Logger } from "../log";
import type { BrokerLink } from "./link";
import { parseTopic, topicOf } from "./topics";
import { DeviceRegistry, type DeviceRecord, type DeviceSnapshot, type LogLine, type Report } from "./registry";
import { SetPoints, type Command, type SetPoint } from "./setpoints";
import type { HistoryJson } from "./history";

// Unconfirmed set-points are looked at every RESEND_TICK_MS; one the board (online) has not
// reported RESEND_AFTER_MS after it was published goes out again, at most MAX_RESENDS times
// (a board that answers at all answers within milliseconds; a slow one gets the same value
// twice, which changes nothing). A board coming online gets every unconfirmed one at once.
const RESEND_TICK_MS = 1000;
const RESEND_AFTER_MS = 2000;
const MAX_RESENDS = 3;
const CMD_FILTER = "pinwire/+/cmd";
// The device topics the bridge follows (ota: the pusher's manifest; its chunks are skipped).
const DEVICE_FILTERS = ["status", "info", "app", "state", "error", "log", "ota", "ota/r", "ota/s"].map((k) => "pinwire/+/" + k);
// Retained topics a device leaves on the broker, cleared when it is forgotten (status last:
// a bridge that sees it cleared drops the device).
const RETAINED = ["info", "app", "state", "ota/s", "status"];
const LOG_LINE_MAX = 512;
// The largest info or catalogue kept and served (/api/devices, viewers): the embedded broker
// refuses larger retained payloads itself (--max-retained); another broker may not.
const DOC_MAX = 64 * 1024;

// new: first seen; app: the catalogue in force changed (another app, or none); ota: the OTA
// view changed (a push started, progressed, ended; a boot report).
export type DeviceChange = "new" | "status" | "info" | "app" | "ota" | "removed";

export interface BridgeListener {
  // A report that changed a device's value, decoded once by its catalogue.
  report?(rec: DeviceRecord, r: Report): void;
  // A state payload of a device with no catalogue in force, as received (a view).
  raw?(rec: DeviceRecord, payload: Uint8Array): void;
  device?(rec: DeviceRecord, change: DeviceChange): void;
  log?(rec: DeviceRecord, line: LogLine): void;
}

// Extra topics handled outside the bridge (HA command topics, HA's birth message): `id` and
// `rest` are set for pinwire/<id>/<rest> topics. Return true when consumed.
export type TopicHandler = (topic: string, payload: Uint8Array, id: string | null, rest: string | null) => boolean;

export interface BridgeOptions {
  link: BrokerLink;
  log: Logger;
}

// A command checked against the device's catalogue, ready to publish.
export interface CheckedCommand {
  spec: MessageSpec;
  value: MessageValue;
  bytes: Uint8Array; // the encoded message
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function text(payload: Uint8Array): string | null {
  try {
    return utf8.decode(payload);
  } catch {
    return null;
  }
}

// A command on the wire is a binary message when its first byte is a command code of the
// catalogue and its length that message's size; anything else is read as a JSON control.
function isBinaryCommand(table: MessageTable, b: Uint8Array): boolean {
  const spec = table.byCode.get(b[0]);
  return !!spec && layoutOf(spec).size === b.length;
}

// A command from anyone (a binary message or a JSON control), checked as the board checks
// it (the codec's ProtocolError says what is wrong).
export function checkCommand(table: MessageTable, b: Uint8Array | string): CheckedCommand {
  if (typeof b !== "string") {
    const json = !isBinaryCommand(table, b) && b[0] === 0x7b ? text(b) : null;
    if (json === null) return { ...table.command(b), bytes: copy(b, 0, b.length) };
    b = json;
  }
  const d = table.command(b);
  return { spec: d.spec, value: d.value, bytes: table.encode(d.spec, d.value) };
}

interface AttachedBoard {
  toBoard: (msg: Uint8Array) => void;
  table: MessageTable | null; // from the catalogue it announced on this connection
  latest: Map<number, Uint8Array>; // its latest message per report code, for the snapshot
}

export class Bridge {
  readonly registry = new DeviceRegistry();
  private listeners: BridgeListener[] = [];
  private handlers: TopicHandler[] = [];
  private extraFilters: string[] = [];
  // Boards attached through this bridge's gateway.
  private boards = new Map<string, AttachedBoard>();
  private log: Logger;
  private link: BrokerLink;
  private setpoints = new SetPoints();
  // Subscribed to every device's cmd topic (refused by a broker whose ACL does not let the
  // bridge read them: then only this bridge's own commands are kept, and gateway boards get
  // their cmd topic subscribed one by one).
  private allCmds = false;
  private resendTimer: NodeJS.Timeout | null = null;

  constructor(opts: BridgeOptions) {
    this.link = opts.link;
    this.log = opts.log.child({ c: "bridge" });
    this.link.onMessage((t, p) => this.onMessage(t, p));
    // The link restores subscriptions itself; the broker then resends the retained
    // status/info/app/state, which is all the bridge needs to catch up.
    this.link.onReconnect(() => {
      this.setpoints.reconnected();
      this.log.info({ event: "reconnect" }, "broker connection back");
    });
  }

  addListener(l: BridgeListener): () => void {
    this.listeners.push(l);
    return () => {
      this.listeners = this.listeners.filter((x) => x !== l);
    };
  }

  // Register before start(): filters are (re)subscribed with the bridge's own.
  addTopicHandler(filters: string[], h: TopicHandler): void {
    this.extraFilters.push(...filters);
    this.handlers.push(h);
  }

  async start(): Promise<void> {
    await this.link.subscribe([...DEVICE_FILTERS, ...this.extraFilters]);
    await this.link.subscribe([CMD_FILTER]).then(
      () => (this.allCmds = true),
      (e) => this.log.warn({ event: "cmd-subscribe-refused", err: String(e?.message ?? e) }, "cannot read " + CMD_FILTER + ": only this bridge's own commands are resent after a restart"),
    );
    this.resendTimer = setInterval(() => this.resendStale(), RESEND_TICK_MS);
    this.resendTimer.unref();
  }

  publish(topic: string, payload: Uint8Array | string, retain = false): void {
    this.link.publish(topic, payload, { qos: 0, retain });
  }

  devices(): DeviceSnapshot[] {
    return this.registry.list();
  }

  device(id: string): DeviceSnapshot | undefined {
    return this.registry.get(id)?.snapshot();
  }

  history(id: string): HistoryJson | undefined {
    return this.registry.get(id)?.historyJson();
  }

  // --- commands ---

  // A command for a device, already checked against its catalogue (checkCommand).
  sendCommand(id: string, c: CheckedCommand): void {
    const table = this.registry.get(id)?.table;
    const confirm = table ? confirmingReport(table, c.spec) : null;
    this.setpoints.sent(id, { code: c.spec.code, bytes: c.bytes, value: c.value, confirm: confirm ? confirm.code : -1 }, Date.now());
    this.link.publish(topicOf(id, "cmd"), c.bytes, { qos: 0, retain: false });
  }

  // A command by message name (Home Assistant's), checked against the device's catalogue.
  // Throws when the device has no catalogue or the command does not fit it.
  command(id: string, name: string, value: MessageValue): void {
    const table = this.registry.get(id)?.table;
    if (!table) throw new Error("device " + id + " has no catalogue");
    const spec = table.byName.get(name);
    if (!spec || spec.dir === "report") throw new Error(name + " is not a command of " + table.catalogue.app);
    this.sendCommand(id, { spec, value, bytes: table.encode(spec, value) });
  }

  // Set-points the board has not reported yet (what a resend would publish).
  unconfirmed(id: string): { code: number; value: MessageValue }[] {
    return this.setpoints.unsettled(id).map((p) => ({ code: p.code, value: p.value }));
  }

  private resend(id: string, p: SetPoint, why: string): void {
    this.log.info({ event: "command-resent", id, code: p.code, value: p.value, why }, "command published again: the board has not reported it");
    this.setpoints.resent(id, p, Date.now());
    this.link.publish(topicOf(id, "cmd"), p.bytes, { qos: 0, retain: false });
  }

  private resendStale(): void {
    const now = Date.now();
    for (const id of this.setpoints.ids()) {
      if (this.registry.get(id)?.status !== "online") continue;
      for (const p of this.setpoints.unsettled(id)) {
        if (now - p.at < RESEND_AFTER_MS || p.resends >= MAX_RESENDS) continue;
        p.resends++;
        this.resend(id, p, "no report");
      }
    }
  }

  // --- forgetting a device ---

  // Clears what an offline device left retained on the broker (status, info, catalogue, state,
  // OTA status; HA discovery clears its own when told the device is removed) and drops it.
  // Refused for a device that is online: it would only come back on its next connection.
  forget(id: string): "forgotten" | "online" | "unknown" {
    const rec = this.registry.get(id);
    if (!rec) return "unknown";
    if (rec.status === "online") return "online";
    for (const k of RETAINED) this.link.publish(topicOf(id, k), new Uint8Array(0), { qos: 1, retain: true });
    this.remove(rec, "forgotten");
    return "forgotten";
  }

  private remove(rec: DeviceRecord, why: string): void {
    this.setpoints.forget(rec.id);
    if (!this.registry.delete(rec.id)) return;
    this.log.info({ event: "device-removed", id: rec.id, why }, "device removed");
    for (const l of this.listeners) l.device?.(rec, "removed");
  }

  // --- boards attached to the gateway in binary-WS mode ---

  async boardOnline(id: string, toBoard: (msg: Uint8Array) => void): Promise<void> {
    const had = this.boards.has(id);
    this.boards.set(id, { toBoard, table: null, latest: new Map() });
    if (!had && !this.allCmds) await this.link.subscribe([topicOf(id, "cmd")]);
    this.link.publish(topicOf(id, "status"), "online", { qos: 1, retain: true });
  }

  async boardOffline(id: string, toBoard: (msg: Uint8Array) => void): Promise<void> {
    if (this.boards.get(id)?.toBoard !== toBoard) return; // replaced by a newer connection
    this.boards.delete(id);
    this.link.publish(topicOf(id, "status"), "offline", { qos: 1, retain: true });
    if (!this.allCmds) await this.link.unsubscribe([topicOf(id, "cmd")]);
  }

  boardInfo(id: string, json: string): void {
    this.link.publish(topicOf(id, "info"), json, { qos: 0, retain: true });
  }

  // The board's catalogue (checked by the caller), published retained as it would over MQTT.
  // Its values start from what the bridge knows when the catalogue is the one in force.
  boardApp(id: string, c: Catalogue, json: string): void {
    const b = this.boards.get(id);
    if (!b) return;
    b.table = new MessageTable(c);
    b.latest.clear();
    const rec = this.registry.get(id);
    if (rec?.catalogue?.hash === c.hash) for (const [code, l] of rec.latest) b.latest.set(code, l.bytes);
    this.link.publish(topicOf(id, "app"), json, { qos: 0, retain: true });
  }

  boardLog(id: string, line: string): void {
    this.link.publish(topicOf(id, "log"), line, { qos: 0, retain: false });
  }

  // One binary frame from the board: one or more reports. Published as the retained snapshot
  // (every latest report, the frame's last message at the end), the board's own convention.
  // Returns why the frame is refused (the gateway closes the board), or null.
  boardReport(id: string, payload: Uint8Array): { code: "invalid" | "policy"; why: string } | null {
    const b = this.boards.get(id);
    if (!b) return null;
    if (!b.table) {
      // A board without a catalogue: its state cannot be checked, it is passed on as sent.
      this.link.publish(topicOf(id, "state"), copy(payload, 0, payload.length), { qos: 0, retain: true });
      return null;
    }
    let msgs;
    try {
      msgs = b.table.split(payload);
    } catch (e) {
      return { code: "invalid", why: errorText(e) };
    }
    if (!msgs.length) return { code: "invalid", why: "empty message" };
    for (const m of msgs) if (m.spec.dir === "command") return { code: "policy", why: m.spec.name + " is a command: a board sends only reports" };
    let o = 0;
    for (const m of msgs) {
      const n = layoutOf(m.spec).size;
      b.latest.set(m.spec.code, copy(payload, o, o + n));
      o += n;
    }
    this.link.publish(topicOf(id, "state"), snapshotOf(b.table, b.latest, msgs[msgs.length - 1].spec.code), { qos: 0, retain: true });
    return null;
  }

  // --- incoming ---

  private onMessage(topic: string, payload: Uint8Array): void {
    const t = parseTopic(topic);
    if (t) {
      const { id, rest } = t;
      if (rest === "state") return this.onState(id, payload);
      if (rest === "status") return this.onStatus(id, payload);
      if (rest === "info") return this.onInfo(id, payload);
      if (rest === "app") return this.onApp(id, payload);
      if (rest === "cmd") return this.onCmd(id, payload);
      if (rest === "log") return this.onLog(id, payload);
      if (rest === "error") return this.onBoardError(id, payload);
      if (rest === "ota" || rest === "ota/r" || rest === "ota/s") return this.onOta(id, rest, payload);
    }
    for (const h of this.handlers) if (h(topic, payload, t ? t.id : null, t ? t.rest : null)) return;
  }

  // A board refused a command: it reports a short code ({"code":"b3"}); log it spelled out.
  private onBoardError(id: string, payload: Uint8Array): void {
    let code = "";
    try {
      code = String(JSON.parse(Buffer.from(payload).toString("utf8")).code);
    } catch {
      code = "unreadable error report";
    }
    this.log.warn({ event: "board-error", id, code, rule: hostCode(code), why: describeCode(code) }, "device " + id + " refused a command");
  }

  private emit(rec: DeviceRecord, change: DeviceChange): void {
    for (const l of this.listeners) l.device?.(rec, change);
  }

  private touch(id: string): DeviceRecord {
    const [rec, isNew] = this.registry.ensure(id);
    rec.lastSeen = Date.now();
    if (isNew) {
      this.log.info({ event: "device-new", id }, "device seen");
      this.emit(rec, "new");
    }
    return rec;
  }

  private onState(id: string, payload: Uint8Array): void {
    if (payload.length === 0) return; // retained state cleared
    const rec = this.touch(id);
    this.applyState(rec, payload);
  }

  private applyState(rec: DeviceRecord, payload: Uint8Array): void {
    const r = rec.applyState(payload, Date.now());
    if (!r) {
      for (const l of this.listeners) l.raw?.(rec, payload);
      return;
    }
    if (r.error) this.log.warn({ event: "bad-state", id: rec.id, why: r.error, bytes: payload.length }, "state payload does not fit the catalogue");
    for (const m of r.reports) {
      this.setpoints.reported(rec.id, m.spec.code, m.value);
      for (const l of this.listeners) l.report?.(rec, m);
    }
  }

  private onStatus(id: string, payload: Uint8Array): void {
    if (payload.length === 0) {
      // Retained status cleared: the device was forgotten (here or by another bridge).
      const rec = this.registry.get(id);
      if (rec) this.remove(rec, "status cleared");
      return;
    }
    const s = text(payload);
    const status = s === "online" ? "online" : s === "offline" ? "offline" : "unknown";
    const rec = this.touch(id);
    // The board (re)connected, or this bridge did and got its retained status: the board is
    // subscribed to its cmd topic again (it subscribes before it announces), and commands
    // published while it was away are gone. The latest it has not reported go out again.
    if (status === "online") for (const p of this.setpoints.unsettled(id)) this.resend(id, p, "online");
    if (rec.status === status) return;
    rec.status = status;
    this.log.info({ event: "device-status", id, status }, "device " + status);
    this.emit(rec, "status");
  }

  private onInfo(id: string, payload: Uint8Array): void {
    if (payload.length === 0) return; // cleared (the device is being forgotten)
    if (payload.length > DOC_MAX) return void this.log.warn({ event: "bad-info", id, bytes: payload.length }, "info over " + DOC_MAX + " bytes ignored");
    const s = text(payload);
    let info: unknown = null;
    try {
      info = s === null ? null : JSON.parse(s);
    } catch {
      info = null;
    }
    if (info === null || typeof info !== "object" || Array.isArray(info)) {
      this.log.warn({ event: "bad-info", id }, "info is not a JSON object");
      return;
    }
    const rec = this.touch(id);
    const appChanged = rec.setInfo(info as Record<string, unknown>, Date.now());
    this.emit(rec, "info");
    if (appChanged) this.appChanged(rec);
  }

  // pinwire/<id>/app: the board's catalogue. One that is not format 1 or does not pass the
  // check leaves the device without one (status, info and raw state only), with a log line.
  private onApp(id: string, payload: Uint8Array): void {
    let rec = this.registry.get(id);
    if (payload.length === 0) {
      if (rec && rec.setAnnounced(null, null)) this.appChanged(rec);
      return;
    }
    rec = this.touch(id);
    let c: unknown = null;
    let problem: string | null;
    try {
      if (payload.length > DOC_MAX) throw new Error("over " + DOC_MAX + " bytes");
      c = JSON.parse(text(payload) ?? "");
      problem = catalogueProblem(c);
    } catch (e) {
      problem = payload.length > DOC_MAX ? String((e as Error).message) : "not JSON";
    }
    if (problem) this.log.warn({ event: "bad-catalogue", id, why: problem }, "catalogue refused: the device is shown without one");
    const changed = problem ? rec.setAnnounced(null, problem) : rec.setAnnounced(c as Catalogue, null);
    if (changed) this.appChanged(rec);
  }

  // Another app (or none): its codes mean other things, so set-points go; listeners hear of
  // it before any report decoded with the new catalogue.
  private appChanged(rec: DeviceRecord): void {
    this.setpoints.forget(rec.id);
    const c = rec.catalogue;
    this.log.info({ event: "device-app", id: rec.id, app: c ? c.app : null, version: c ? c.version : null, hash: c ? c.hash : null }, c ? "device runs " + c.app + " " + c.version : "device has no catalogue");
    this.emit(rec, "app");
    for (const p of rec.takePending()) this.applyState(rec, p);
  }

  private onLog(id: string, payload: Uint8Array): void {
    const rec = this.touch(id);
    const line = (text(payload) ?? Buffer.from(payload).toString("latin1")).replace(/\s+$/, "").slice(0, LOG_LINE_MAX);
    const l = rec.addLog(line, Date.now());
    for (const x of this.listeners) x.log?.(rec, l);
  }

  private onOta(id: string, rest: string, payload: Uint8Array): void {
    if (payload.length === 0) return;
    // A push to a device this bridge has never seen is still a device worth listing.
    const rec = rest === "ota" && payload[0] === 3 ? this.registry.get(id) : this.touch(id);
    if (rec && rec.applyOta(rest, payload, Date.now())) this.emit(rec, "ota");
  }

  // Every command on the broker (when subscribed to all), this bridge's own included: kept
  // as the device's latest set-point, and passed to a board attached to this bridge's
  // gateway as a binary message (JSON controls converted). A command that does not fit the
  // catalogue is dropped (and logged for an attached board: a board reports bad commands it
  // receives itself). Our own echo is recognised by its bytes, without decoding it again.
  private onCmd(id: string, payload: Uint8Array): void {
    const board = this.boards.get(id);
    const table = this.registry.get(id)?.table ?? board?.table ?? null;
    if (!payload.length) return;
    if (!table) {
      // A board without a catalogue gets what it would get over MQTT: the command as
      // published, which it checks itself. Nothing is kept: nothing says what confirms it.
      if (board) board.toBoard(copy(payload, 0, payload.length));
      return;
    }
    let checked: CheckedCommand | null | undefined;
    const decode = (): Command | null => {
      if (checked === undefined) {
        try {
          checked = checkCommand(table, payload);
        } catch (e) {
          checked = null;
          if (board) this.log.warn({ event: "bad-cmd", id, why: errorText(e) }, "command dropped");
        }
      }
      if (!checked) return null;
      const confirm = confirmingReport(table, checked.spec);
      return { code: checked.spec.code, bytes: checked.bytes, value: checked.value, confirm: confirm ? confirm.code : -1 };
    };
    const binary = isBinaryCommand(table, payload);
    let seen;
    if (binary) seen = this.setpoints.seen(id, payload[0], payload, decode, Date.now());
    else {
      const c = decode();
      seen = c ? this.setpoints.seen(id, c.code, null, () => c, Date.now()) : { own: false, again: null };
    }
    if (board) {
      if (seen.own) board.toBoard(copy(payload, 0, payload.length));
      else if (decode()) board.toBoard(checked!.bytes);
    }
    if (seen.again) this.resend(id, seen.again, "overtaken");
  }

  async stop(): Promise<void> {
    if (this.resendTimer) clearInterval(this.resendTimer);
    for (const [id, b] of [...this.boards]) await this.boardOffline(id, b.toBoard).catch(() => {});
    await this.link.close();
  }
}
