// The WebSocket gateway (protocol: host/gateway/README.md).
//   /ws/<id>              viewer: first a JSON text frame with the device and its catalogue,
//                         then the board's messages as binary frames (one per changed report)
//                         and JSON text frames for device changes, log lines and OTA progress;
//                         commands in, binary or JSON controls, checked by the catalogue
//   /ws/<id>?role=device  a board in binary-WS mode: its reports become the device's MQTT state
//   /ws                   JSON side channel for the dashboard: device list and changes
// Each client has a BoundedSender; a bad frame closes only that client, with a log line.
import { WebSocketServer, type WebSocket, type RawData } from "ws";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { catalogueProblem, snapshotOf, type Catalogue } from "../../shared/catalogue";
import { checkCommand, type Bridge, type DeviceChange } from "../bridge/bridge";
import type { DeviceRecord, LogLine, Report } from "../bridge/registry";
import { isValidId, type CredentialStore } from "../auth/credentials";
import type { LoginGuard } from "../auth/login-guard";
import { tokenFromRequest, tokenMatches, basicFromRequest } from "../auth/token";
import { errorText, type Logger } from "../log";
import { BoundedSender, frame } from "./bounded-sender";

export const CLOSE_PROTOCOL = 1002; // sent by ws itself for bad framing
export const CLOSE_UNSUPPORTED = 1003; // a frame type the channel does not carry
export const CLOSE_INVALID = 1007; // payload does not decode (length, code, range, JSON)
export const CLOSE_POLICY = 1008; // decodes, but not allowed here (a report from a viewer...)

// A viewer's frame limit: the largest message a catalogue can declare is far below it, and
// JSON controls are small. A board also sends its catalogue, which may be larger.
const VIEWER_MAX = 4096;
const BOARD_MAX = 64 * 1024;
// Log lines waiting for a slow viewer: the newest this many.
const LOG_SLOTS = 20;

export interface GatewayOptions {
  bridge: Bridge;
  log: Logger;
  token?: string | null; // required from viewers and the dashboard channel when set
  credentials?: CredentialStore | null; // when non-empty, boards must authenticate
  logins?: LoginGuard; // how their passwords are checked (rate limits, equal cost), with the broker's
  highWaterBytes?: number; // per-client buffered bytes before latest-value queueing (default 16 KiB)
  heartbeatMs?: number; // ping interval; clients missing a pong are dropped (default 30 s)
}

interface Peer {
  ws: WebSocket;
  out: BoundedSender;
  addr: string;
}
interface Viewer extends Peer {
  id: string;
}
interface Board extends Peer {
  id: string;
  toBoard: (msg: Uint8Array) => void;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function asBytes(data: RawData): Buffer {
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
}

// The device as a viewer sees it; an id the bridge does not know (yet) is "unknown".
function deviceOf(rec: DeviceRecord | undefined, id: string) {
  return rec ? rec.snapshot() : { id, status: "unknown", info: null, catalogue: null };
}

export class Gateway {
  private wss: WebSocketServer;
  private viewers = new Map<string, Set<Viewer>>();
  private boards = new Map<string, Board>();
  private dashboards = new Set<Peer>();
  private log: Logger;
  private highWater: number;
  private alive = new WeakSet<WebSocket>();
  private heartbeat: NodeJS.Timeout;
  private detach: () => void;
  private logSeq = 0;

  constructor(private opts: GatewayOptions) {
    this.log = opts.log.child({ c: "gateway" });
    this.highWater = opts.highWaterBytes ?? 16 * 1024;
    this.wss = new WebSocketServer({ noServer: true, maxPayload: BOARD_MAX, perMessageDeflate: false });
    this.detach = opts.bridge.addListener({
      report: (rec, r) => this.onReport(rec, r),
      raw: (rec, payload) => this.onRaw(rec, payload),
      device: (rec, change) => this.onDevice(rec, change),
      log: (rec, line) => this.onLog(rec, line),
    });
    this.heartbeat = setInterval(() => this.ping(), opts.heartbeatMs ?? 30000);
    this.heartbeat.unref();
  }

  get counts() {
    let viewers = 0;
    for (const s of this.viewers.values()) viewers += s.size;
    return { viewers, boards: this.boards.size, dashboards: this.dashboards.size };
  }

  // Returns false when the path is not the gateway's (the caller answers 404).
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): boolean {
    const path = url.pathname.replace(/\/+$/, "");
    const addr = req.socket.remoteAddress + ":" + req.socket.remotePort;
    if (path === "/ws") {
      if (!this.checkToken(req, url, socket, addr)) return true;
      this.wss.handleUpgrade(req, socket, head, (ws) => this.addDashboard(ws, addr));
      return true;
    }
    if (!path.startsWith("/ws/")) return false;
    const id = safeDecode(path.slice(4));
    if (id === null || !isValidId(id)) {
      refuse(socket, 404, "Not Found");
      return true;
    }
    if (url.searchParams.get("role") === "device") {
      this.authenticateBoard(req, url, id).then(
        (ok) => {
          if (!ok) {
            this.log.warn({ event: "board-refused", id, addr }, "board credentials refused");
            return refuse(socket, 401, "Unauthorized");
          }
          this.wss.handleUpgrade(req, socket, head, (ws) => this.addBoard(ws, id, addr));
        },
        () => refuse(socket, 500, "Internal Server Error"),
      );
      return true;
    }
    if (!this.checkToken(req, url, socket, addr)) return true;
    this.wss.handleUpgrade(req, socket, head, (ws) => this.addViewer(ws, id, addr));
    return true;
  }

  private checkToken(req: IncomingMessage, url: URL, socket: Duplex, addr: string): boolean {
    const token = this.opts.token;
    if (!token || tokenMatches(token, tokenFromRequest(req, url))) return true;
    this.log.warn({ event: "token-refused", addr, path: url.pathname }, "missing or wrong token");
    refuse(socket, 401, "Unauthorized");
    return false;
  }

  private async authenticateBoard(req: IncomingMessage, url: URL, id: string): Promise<boolean> {
    const store = this.opts.credentials;
    if (!store || store.size === 0) return true;
    const c = basicFromRequest(req, url);
    if (!c || c.user !== id || !this.opts.logins) return false;
    const r = await this.opts.logins.check(c.user, c.pass, req.socket.remoteAddress);
    if ("refused" in r && r.refused !== "bad") this.log.warn({ event: r.refused === "limited" ? "auth-rate-limited" : "auth-busy", id, addr: req.socket.remoteAddress }, "board login refused without a check");
    return "role" in r && r.role === "device";
  }

  private track(ws: WebSocket, kind: string, id: string | null, addr: string): void {
    this.alive.add(ws);
    ws.on("pong", () => this.alive.add(ws));
    ws.on("error", (e) => this.log.warn({ event: "ws-error", kind, id, addr, err: e.message }, "websocket error"));
    ws.once("close", (code) => this.log.info({ event: "ws-close", kind, id, addr, code }, "websocket closed"));
    this.log.info({ event: "ws-open", kind, id, addr }, "websocket opened");
  }

  private reject(peer: Peer, code: number, why: string, id: string | null): void {
    this.log.warn({ event: "ws-reject", id, addr: peer.addr, code, why }, "closing client: " + why);
    peer.ws.close(code, why.slice(0, 120));
  }

  // --- viewers ---

  private addViewer(ws: WebSocket, id: string, addr: string): void {
    const v: Viewer = { ws, id, addr, out: new BoundedSender(ws, this.highWater) };
    this.track(ws, "viewer", id, addr);
    let set = this.viewers.get(id);
    if (!set) this.viewers.set(id, (set = new Set()));
    set.add(v);
    ws.on("close", () => {
      set!.delete(v);
      if (!set!.size && this.viewers.get(id) === set) this.viewers.delete(id);
    });
    ws.on("message", (data, isBinary) => this.onViewerMessage(v, asBytes(data), isBinary));
    // The device, its catalogue and the chart history first; then its current state.
    const rec = this.opts.bridge.registry.get(id);
    v.out.send("device", frame(1, JSON.stringify({ type: "hello", device: deviceOf(rec, id), history: rec ? rec.historyJson() : {} })));
    this.sendState(v, rec);
  }

  // Every latest report in one binary frame (the retained snapshot's form), or the raw state
  // payload of a device without a catalogue.
  private sendState(v: Viewer, rec: DeviceRecord | undefined): void {
    if (!rec) return;
    if (rec.table && rec.latest.size) {
      const bytes = new Map<number, Uint8Array>();
      for (const [code, l] of rec.latest) bytes.set(code, l.bytes);
      v.out.send("state", frame(2, snapshotOf(rec.table, bytes)));
    } else if (!rec.table && rec.raw) v.out.send("state", frame(2, rec.raw.bytes));
  }

  private onViewerMessage(v: Viewer, data: Buffer, isBinary: boolean): void {
    if (data.length > VIEWER_MAX) return this.reject(v, 1009, "message too big", v.id);
    const table = this.opts.bridge.registry.get(v.id)?.table;
    if (!table) return this.reject(v, CLOSE_POLICY, "device " + v.id + " has no catalogue: commands cannot be checked", v.id);
    let c;
    try {
      c = checkCommand(table, isBinary ? data : utf8.decode(data));
    } catch (e) {
      const why = errorText(e);
      return this.reject(v, why.startsWith("catalogue-not-command") ? CLOSE_POLICY : CLOSE_INVALID, "invalid message: " + why, v.id);
    }
    this.log.debug({ event: "command", id: v.id, name: c.spec.name, value: c.value }, "command from viewer");
    this.opts.bridge.sendCommand(v.id, c);
  }

  // One frame per changed report, built once for every viewer of the device.
  private onReport(rec: DeviceRecord, r: Report): void {
    const set = this.viewers.get(rec.id);
    if (!set) return;
    const f = frame(2, r.bytes);
    for (const v of set) v.out.send(r.spec.code, f);
  }

  private onRaw(rec: DeviceRecord, payload: Uint8Array): void {
    const set = this.viewers.get(rec.id);
    if (!set) return;
    const f = frame(2, payload);
    for (const v of set) v.out.send("state", f);
  }

  private onLog(rec: DeviceRecord, line: LogLine): void {
    const set = this.viewers.get(rec.id);
    if (!set) return;
    const f = frame(1, JSON.stringify({ type: "log", line }));
    const key = "log" + (this.logSeq++ % LOG_SLOTS);
    for (const v of set) v.out.send(key, f);
  }

  // --- boards in binary-WS mode ---

  private addBoard(ws: WebSocket, id: string, addr: string): void {
    const out = new BoundedSender(ws, this.highWater);
    const b: Board = { ws, id, addr, out, toBoard: (msg) => out.send(msg[0], frame(2, msg)) };
    this.track(ws, "board", id, addr);
    const old = this.boards.get(id);
    if (old) this.reject(old, CLOSE_POLICY, "replaced by a newer connection", id);
    this.boards.set(id, b);
    const bridge = this.opts.bridge;
    const online = bridge.boardOnline(id, b.toBoard).catch((e) => this.log.error({ id, err: String(e) }, "board online failed"));
    ws.on("close", () => {
      if (this.boards.get(id) === b) this.boards.delete(id);
      online.then(() => bridge.boardOffline(id, b.toBoard)).catch((e) => this.log.error({ id, err: String(e) }, "board offline failed"));
    });
    ws.on("message", (data, isBinary) => this.onBoardMessage(b, asBytes(data), isBinary));
  }

  // Binary: one or more reports. Text: a JSON object, the board's catalogue (it has
  // "pinwire"), a log line ({"log": "..."}) or its info (anything else).
  private onBoardMessage(b: Board, data: Buffer, isBinary: boolean): void {
    const bridge = this.opts.bridge;
    if (isBinary) {
      const bad = bridge.boardReport(b.id, data);
      if (bad) this.reject(b, bad.code === "policy" ? CLOSE_POLICY : CLOSE_INVALID, "invalid message: " + bad.why, b.id);
      else this.log.debug({ event: "board-report", id: b.id, bytes: data.length }, "report from board");
      return;
    }
    let text: string;
    let o: Record<string, unknown>;
    try {
      text = utf8.decode(data);
      o = JSON.parse(text);
      if (!o || typeof o !== "object" || Array.isArray(o)) throw new Error("a text frame must be a JSON object");
    } catch (e) {
      return this.reject(b, CLOSE_INVALID, "invalid text frame: " + errorText(e), b.id);
    }
    if ("pinwire" in o) {
      const problem = catalogueProblem(o);
      if (problem) return this.reject(b, CLOSE_INVALID, "invalid catalogue: " + problem, b.id);
      return bridge.boardApp(b.id, o as unknown as Catalogue, text);
    }
    if (typeof o.log === "string" && Object.keys(o).length === 1) return bridge.boardLog(b.id, o.log);
    bridge.boardInfo(b.id, text);
  }

  // --- dashboard JSON channel ---

  private addDashboard(ws: WebSocket, addr: string): void {
    const d: Peer = { ws, addr, out: new BoundedSender(ws, this.highWater) };
    this.track(ws, "dashboard", null, addr);
    this.dashboards.add(d);
    ws.on("close", () => this.dashboards.delete(d));
    ws.on("message", (data, isBinary) => {
      if (isBinary) return this.reject(d, CLOSE_UNSUPPORTED, "the dashboard channel carries JSON text", null);
      let msg: any;
      try {
        msg = JSON.parse(utf8.decode(asBytes(data)));
      } catch (e) {
        return this.reject(d, CLOSE_INVALID, "invalid JSON", null);
      }
      if (msg && msg.type === "ping") d.out.send("pong", frame(1, JSON.stringify({ type: "pong" })));
      else if (msg && msg.type === "list") d.out.send("hello", frame(1, JSON.stringify({ type: "devices", devices: this.opts.bridge.devices() })));
      else this.reject(d, CLOSE_POLICY, "unknown request", null);
    });
    d.out.send("hello", frame(1, JSON.stringify({ type: "devices", devices: this.opts.bridge.devices() })));
  }

  private onDevice(rec: DeviceRecord, change: DeviceChange): void {
    const set = this.viewers.get(rec.id);
    if (set) {
      if (change === "ota") {
        const f = frame(1, JSON.stringify({ type: "ota", ota: rec.ota }));
        for (const v of set) v.out.send("ota", f);
      } else if (change !== "new") {
        const f = frame(1, JSON.stringify({ type: "device", change, device: deviceOf(change === "removed" ? undefined : rec, rec.id) }));
        for (const v of set) v.out.send("device", f);
        // Another app: the viewer rebuilds from the new catalogue, then gets its state.
        if (change === "app") for (const v of set) this.sendState(v, rec);
      }
    }
    // OTA progress stays on the viewers' channel; the device list hears of the rest.
    if (!this.dashboards.size || change === "ota") return;
    const json = frame(1, JSON.stringify({ type: "device", change, device: rec.snapshot() }));
    // Keyed by device: a slow dashboard gets each device's latest snapshot.
    for (const d of this.dashboards) d.out.send("d:" + rec.id, json);
  }

  private ping(): void {
    for (const ws of this.wss.clients) {
      if (!this.alive.has(ws)) {
        this.log.info({ event: "ws-timeout" }, "websocket missed a pong");
        ws.terminate();
        continue;
      }
      this.alive.delete(ws);
      ws.ping();
    }
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    this.detach();
    for (const ws of this.wss.clients) ws.close(1001, "server shutting down");
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((r) => this.wss.close(() => r()));
  }
}

// decodeURIComponent throws on a malformed escape: a client must not crash the server with one.
function safeDecode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end("HTTP/1.1 " + status + " " + text + "\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
}
