// The WebSocket gateway (protocol: host/gateway/README.md).
//   /ws/<id>              binary viewer: 8-byte board messages both ways (commands in, reports out;
//                         LED_SET is both: a viewer's command in, the board's mode report out)
//   /ws/<id>?role=device  a board in binary-WS mode: its reports become the device's MQTT state
//   /ws                   JSON side channel for the dashboard: device list and changes
// Each client has a BoundedSender; a bad frame closes only that client, with a log line.
import { WebSocketServer, type WebSocket, type RawData } from "ws";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { decodeMessage, encodeMessage, parseControl, MESSAGE_SIZE, SERVO_ROTATE, LED_SET, STATUS } from "../../shared/messages";
import { isProtocolError } from "../../shared/errors";
import type { Bridge } from "../bridge/bridge";
import { REPORT_CMDS, STATE_KEYS, type DeviceSnapshot } from "../bridge/registry";
import { isValidId, type CredentialStore } from "../auth/credentials";
import { tokenFromRequest, tokenMatches, basicFromRequest } from "../auth/token";
import type { Logger } from "../log";
import { BoundedSender, frame } from "./bounded-sender";

export const CLOSE_PROTOCOL = 1002; // sent by ws itself for bad framing
export const CLOSE_UNSUPPORTED = 1003; // a frame type the channel does not carry
export const CLOSE_INVALID = 1007; // payload does not decode (length, cmd, range, JSON)
export const CLOSE_POLICY = 1008; // decodes, but not allowed here (a report from a viewer...)

export interface GatewayOptions {
  bridge: Bridge;
  log: Logger;
  token?: string | null; // required from viewers and the dashboard channel when set
  credentials?: CredentialStore | null; // when non-empty, boards must authenticate
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
  toBoard: (cmd: Uint8Array) => void;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function asBytes(data: RawData): Buffer {
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
}

function reason(e: unknown): string {
  return isProtocolError(e) ? e.code : e instanceof Error ? e.message : String(e);
}

const binFrame = (cmd: number, value: number) => frame(2, encodeMessage(cmd, value));

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

  constructor(private opts: GatewayOptions) {
    this.log = opts.log.child({ c: "gateway" });
    this.highWater = opts.highWaterBytes ?? 16 * 1024;
    // Board messages are 8 bytes and JSON controls/info small: anything big is abuse (1009).
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 4096, perMessageDeflate: false });
    this.detach = opts.bridge.addListener({
      report: (id, msg, cmd) => this.onReport(id, msg, cmd),
      device: (snap, change) => this.onDevice(snap, change),
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
    if (!c || c.user !== id) return false;
    return (await store.check(c.user, c.pass)) === "device";
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

  // --- binary viewers ---

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
    // Current state first, so a new page does not wait for the next report.
    const snap = this.opts.bridge.device(id);
    if (snap) {
      for (const cmd of REPORT_CMDS) {
        const value = snap.state[STATE_KEYS[cmd]];
        if (value !== null) v.out.send(cmd, binFrame(cmd, value));
      }
    }
    v.out.send(STATUS, binFrame(STATUS, snap?.status === "online" ? 1 : 0));
  }

  private onViewerMessage(v: Viewer, data: Buffer, isBinary: boolean): void {
    let cmd: number;
    let value: number;
    try {
      const m = isBinary ? decodeMessage(data) : parseControl(utf8.decode(data));
      cmd = m.cmd;
      value = m.value;
    } catch (e) {
      return this.reject(v, CLOSE_INVALID, "invalid message: " + reason(e), v.id);
    }
    if (cmd !== SERVO_ROTATE && cmd !== LED_SET) return this.reject(v, CLOSE_POLICY, "only SERVO_ROTATE and LED_SET may be sent", v.id);
    this.log.debug({ event: "command", id: v.id, cmd, value }, "command from viewer");
    this.opts.bridge.sendCommand(v.id, encodeMessage(cmd, value));
  }

  // Reports come from the state topic only (a board's LED_SET there is its mode, never a
  // command): viewers' commands go the other way, through onViewerMessage to the cmd topic.
  private onReport(id: string, msg: Uint8Array, cmd: number): void {
    const set = this.viewers.get(id);
    if (!set) return;
    const f = frame(2, msg); // one frame for every client
    for (const v of set) v.out.send(cmd, f);
  }

  // --- boards in binary-WS mode ---

  private addBoard(ws: WebSocket, id: string, addr: string): void {
    const out = new BoundedSender(ws, this.highWater);
    const b: Board = { ws, id, addr, out, toBoard: (cmd) => out.send(cmd[0], frame(2, cmd)) };
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

  // Binary: one or more 8-byte reports. Text: the info JSON object.
  private onBoardMessage(b: Board, data: Buffer, isBinary: boolean): void {
    const bridge = this.opts.bridge;
    if (!isBinary) {
      let text: string;
      try {
        text = utf8.decode(data);
        const o = JSON.parse(text);
        if (!o || typeof o !== "object" || Array.isArray(o)) throw new Error("info must be a JSON object");
      } catch (e) {
        return this.reject(b, CLOSE_INVALID, "invalid info: " + reason(e), b.id);
      }
      return bridge.boardInfo(b.id, text);
    }
    if (data.length === 0 || data.length % MESSAGE_SIZE !== 0) return this.reject(b, CLOSE_INVALID, "invalid message: msg-length", b.id);
    const msgs = [];
    for (let i = 0; i < data.length; i += MESSAGE_SIZE) {
      try {
        msgs.push(decodeMessage(data.subarray(i, i + MESSAGE_SIZE)));
      } catch (e) {
        return this.reject(b, CLOSE_INVALID, "invalid message: " + reason(e), b.id);
      }
    }
    for (const m of msgs) {
      if (REPORT_CMDS.indexOf(m.cmd) < 0) return this.reject(b, CLOSE_POLICY, "a board sends only SERVO_ANGLE, LIGHT_LEVEL, LED_DUTY, LED_SET", b.id);
    }
    for (const m of msgs) {
      this.log.debug({ event: "board-report", id: b.id, cmd: m.cmd, value: m.value }, "report from board");
      bridge.boardReport(b.id, m.cmd, m.value);
    }
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

  private onDevice(snap: DeviceSnapshot, change: string): void {
    if (change === "status") {
      const set = this.viewers.get(snap.id);
      if (set) {
        const f = binFrame(STATUS, snap.status === "online" ? 1 : 0);
        for (const v of set) v.out.send(STATUS, f);
      }
    }
    if (!this.dashboards.size) return;
    const json = frame(1, JSON.stringify({ type: "device", change, device: snap }));
    // Keyed by device: a slow dashboard gets each device's latest snapshot.
    for (const d of this.dashboards) d.out.send("d:" + snap.id, json);
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
