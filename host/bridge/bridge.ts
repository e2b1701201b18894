// The bridge: follows every device's retained status/info/state on the broker, tells its
// listeners (the WebSocket gateway, HA discovery) about reports and device changes, and
// publishes commands. Boards attached to the gateway in binary-WS mode are published to the
// broker here as if they were MQTT devices; their own reports come back through the
// subscription like everyone else's, so every bridge sees one stream of truth.
//
// Commands are set-points (setpoints.ts): the latest of each kind is published again while
// the board has not reported it, when the board comes (back) online and on a timer, so a
// broker restart or a board that was away cannot leave the board short of the last command.
import { decodeMessage, encodeMessage, parseControl, MESSAGE_SIZE } from "../../shared/messages";
import { isProtocolError } from "../../shared/errors";
import { describe as describeCode, hostCode } from "../../shared/error-text";
import type { Logger } from "../log";
import type { BrokerLink } from "./link";
import { parseTopic, topicOf } from "./topics";
import { DeviceRegistry, emptyState, REPORT_CMDS, STATE_KEYS, type DeviceSnapshot, type DeviceState, type Status } from "./registry";
import { SetPoints, type SetPoint } from "./setpoints";

// Unconfirmed set-points are looked at every RESEND_TICK_MS; one the board (online) has not
// reported RESEND_AFTER_MS after it was published goes out again, at most MAX_RESENDS times
// (a board that answers at all answers within milliseconds; a slow one gets the same value
// twice, which changes nothing). A board coming online gets every unconfirmed one at once.
const RESEND_TICK_MS = 1000;
const RESEND_AFTER_MS = 2000;
const MAX_RESENDS = 3;
const CMD_FILTER = "pinwire/+/cmd";

export type DeviceChange = "new" | "status" | "info" | "state" | "removed";

export interface BridgeListener {
  // One 8-byte board message (a view into the MQTT payload: copy it to keep it).
  report?(id: string, msg: Uint8Array, cmd: number, value: number): void;
  device?(snap: DeviceSnapshot, change: DeviceChange): void;
}

// Extra topics handled outside the bridge (HA command topics, HA's birth message): `id` and
// `rest` are set for pinwire/<id>/<rest> topics. Return true when consumed.
export type TopicHandler = (topic: string, payload: Uint8Array, id: string | null, rest: string | null) => boolean;

export interface BridgeOptions {
  link: BrokerLink;
  log: Logger;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function text(payload: Uint8Array): string | null {
  try {
    return utf8.decode(payload);
  } catch {
    return null;
  }
}

export class Bridge {
  readonly registry = new DeviceRegistry();
  private listeners: BridgeListener[] = [];
  private handlers: TopicHandler[] = [];
  private extraFilters: string[] = [];
  // Boards attached through this bridge's gateway, with the state they reported (seeded from
  // the retained state when they attach, so it too is rebuilt from the broker).
  private boards = new Map<string, { toBoard: (cmd: Uint8Array) => void; state: DeviceState }>();
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
    // status/info/state, which is all the bridge needs to catch up.
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
    await this.subscribeAll();
    await this.link.subscribe([CMD_FILTER]).then(
      () => (this.allCmds = true),
      (e) => this.log.warn({ event: "cmd-subscribe-refused", err: String(e?.message ?? e) }, "cannot read " + CMD_FILTER + ": only this bridge's own commands are resent after a restart"),
    );
    this.resendTimer = setInterval(() => this.resendStale(), RESEND_TICK_MS);
    this.resendTimer.unref();
  }

  private async subscribeAll(): Promise<void> {
    const filters = ["pinwire/+/status", "pinwire/+/info", "pinwire/+/state", "pinwire/+/error", ...this.extraFilters];
    await this.link.subscribe(filters);
  }

  publish(topic: string, payload: Uint8Array | string, retain = false): void {
    this.link.publish(topic, payload, { qos: 0, retain });
  }

  // A command for a device, already validated and encoded (8 bytes).
  sendCommand(id: string, msg: Uint8Array): void {
    const m = decodeMessage(msg);
    this.setpoints.sent(id, m.cmd, m.value, Date.now());
    this.link.publish(topicOf(id, "cmd"), msg, { qos: 0, retain: false });
  }

  // Set-points the board has not reported yet (what a resend would publish).
  unconfirmed(id: string): { cmd: number; value: number }[] {
    return this.setpoints.unsettled(id).map((p) => ({ cmd: p.cmd, value: p.value }));
  }

  private resend(id: string, p: SetPoint, why: string): void {
    this.log.info({ event: "command-resent", id, cmd: p.cmd, value: p.value, why }, "command published again: the board has not reported it");
    this.setpoints.resent(id, p, Date.now());
    this.link.publish(topicOf(id, "cmd"), encodeMessage(p.cmd, p.value), { qos: 0, retain: false });
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

  devices(): DeviceSnapshot[] {
    return this.registry.list();
  }

  device(id: string): DeviceSnapshot | undefined {
    return this.registry.get(id)?.snapshot();
  }

  // --- boards attached to the gateway in binary-WS mode ---

  async boardOnline(id: string, toBoard: (cmd: Uint8Array) => void): Promise<void> {
    const had = this.boards.has(id);
    const known = this.registry.get(id)?.state;
    this.boards.set(id, { toBoard, state: known ? { ...known } : emptyState() });
    if (!had && !this.allCmds) await this.link.subscribe([topicOf(id, "cmd")]);
    this.link.publish(topicOf(id, "status"), "online", { qos: 1, retain: true });
  }

  async boardOffline(id: string, toBoard: (cmd: Uint8Array) => void): Promise<void> {
    if (this.boards.get(id)?.toBoard !== toBoard) return; // replaced by a newer connection
    this.boards.delete(id);
    this.link.publish(topicOf(id, "status"), "offline", { qos: 1, retain: true });
    if (!this.allCmds) await this.link.unsubscribe([topicOf(id, "cmd")]);
  }

  // Publishes the board's full known state retained (not just this report), so the
  // retained message alone rebuilds every value (the board's own convention).
  boardReport(id: string, cmd: number, value: number): void {
    const b = this.boards.get(id);
    if (!b) return;
    const known = b.state;
    const key = STATE_KEYS[cmd];
    if (!key) return;
    known[key] = value;
    const parts: Uint8Array[] = [];
    // The new value goes last: a consumer that keeps only the last message still sees it.
    for (const c of REPORT_CMDS) {
      const v = known[STATE_KEYS[c]];
      if (v !== null && c !== cmd) parts.push(encodeMessage(c, v));
    }
    parts.push(encodeMessage(cmd, value));
    this.link.publish(topicOf(id, "state"), Buffer.concat(parts), { qos: 0, retain: true });
  }

  boardInfo(id: string, json: string): void {
    this.link.publish(topicOf(id, "info"), json, { qos: 0, retain: true });
  }

  // --- incoming ---

  private onMessage(topic: string, payload: Uint8Array): void {
    const t = parseTopic(topic);
    if (t) {
      const { id, rest } = t;
      if (rest === "state") return this.onState(id, payload);
      if (rest === "status") return this.onStatus(id, payload);
      if (rest === "info") return this.onInfo(id, payload);
      if (rest === "cmd") return this.onCmd(id, payload);
      if (rest === "error") return this.onBoardError(id, payload);
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

  private emit(id: string, change: DeviceChange): void {
    const rec = this.registry.get(id);
    const snap = rec ? rec.snapshot() : { id, status: "unknown" as Status, info: null, state: emptyState(), lastSeen: null };
    for (const l of this.listeners) l.device?.(snap, change);
  }

  private touch(id: string) {
    const [rec, isNew] = this.registry.ensure(id);
    rec.lastSeen = Date.now();
    if (isNew) {
      this.log.info({ event: "device-new", id }, "device seen");
      this.emit(id, "new");
    }
    return rec;
  }

  private onState(id: string, payload: Uint8Array): void {
    const n = payload.length;
    if (n === 0) return; // retained state cleared
    if (n % MESSAGE_SIZE !== 0) {
      this.log.warn({ event: "bad-state", id, bytes: n }, "state payload is not a whole number of 8-byte messages");
      return;
    }
    const rec = this.touch(id);
    for (let i = 0; i < n; i += MESSAGE_SIZE) {
      const msg = payload.subarray(i, i + MESSAGE_SIZE);
      let m;
      try {
        m = decodeMessage(msg);
      } catch (e) {
        this.log.warn({ event: "bad-state", id, code: isProtocolError(e) ? e.code : String(e) }, "bad state message");
        continue;
      }
      this.setpoints.reported(id, m.cmd, m.value);
      if (!rec.applyReport(m.cmd, m.value)) continue;
      for (const l of this.listeners) l.report?.(id, msg, m.cmd, m.value);
    }
  }

  private onStatus(id: string, payload: Uint8Array): void {
    if (payload.length === 0) {
      // Retained status cleared: the device was decommissioned.
      this.setpoints.forget(id);
      if (this.registry.delete(id)) {
        this.log.info({ event: "device-removed", id }, "device removed");
        this.emit(id, "removed");
      }
      return;
    }
    const s = text(payload);
    const status: Status = s === "online" ? "online" : s === "offline" ? "offline" : "unknown";
    const rec = this.touch(id);
    // The board (re)connected, or this bridge did and got its retained status: the board is
    // subscribed to its cmd topic again (it subscribes before it announces), and commands
    // published while it was away are gone. The latest it has not reported go out again.
    if (status === "online") for (const p of this.setpoints.unsettled(id)) this.resend(id, p, "online");
    if (rec.status === status) return;
    rec.status = status;
    this.log.info({ event: "device-status", id, status }, "device " + status);
    this.emit(id, "status");
  }

  private onInfo(id: string, payload: Uint8Array): void {
    const s = text(payload);
    let info: unknown = null;
    try {
      info = s === null ? null : JSON.parse(s);
    } catch {
      info = null;
    }
    if (info === null || typeof info !== "object") {
      this.log.warn({ event: "bad-info", id }, "info is not a JSON object");
      return;
    }
    const rec = this.touch(id);
    rec.info = info;
    this.emit(id, "info");
  }

  // Commands for a board attached to this bridge's gateway: pass 8-byte messages through,
  // turn JSON controls into them, drop anything else.
  // Every command on the broker (when subscribed to all), this bridge's own included: kept
  // as the device's latest set-point, and passed to a board attached to this bridge's
  // gateway as an 8-byte message (JSON controls converted). Anything else is dropped (and
  // logged for an attached board: the board itself reports bad commands it receives).
  private onCmd(id: string, payload: Uint8Array): void {
    const toBoard = this.boards.get(id)?.toBoard;
    let m;
    try {
      m = payload.length === MESSAGE_SIZE ? decodeMessage(payload) : parseControl(text(payload) ?? "");
    } catch (e) {
      if (toBoard) this.log.warn({ event: "bad-cmd", id, code: isProtocolError(e) ? e.code : String(e) }, "command dropped");
      return;
    }
    const again = this.setpoints.seen(id, m.cmd, m.value, Date.now());
    if (toBoard) toBoard(payload.length === MESSAGE_SIZE ? payload : encodeMessage(m.cmd, m.value));
    if (again) this.resend(id, again, "overtaken");
  }

  async stop(): Promise<void> {
    if (this.resendTimer) clearInterval(this.resendTimer);
    for (const [id, b] of [...this.boards]) await this.boardOffline(id, b.toBoard).catch(() => {});
    await this.link.close();
  }
}
