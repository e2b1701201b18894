// The board's byte pipe: TCP (or TLS), or a WebSocket over it, shown to the layer above as
// one transport (write/close in; up/data/down out). Only one pipe is open at a time.
// The WebSocket client itself is the Storage module `pw.ws` (device/ws-module.ts), loaded on
// the first ws:// or wss:// open: boards on plain MQTT never define its functions.
import { type Bytes, utf8Encode } from "../shared/bytes";
import type { WsClient } from "../shared/ws/client";
import type { Url } from "./config";
import { tcpClose, tcpOpen, tcpWrite } from "./tcp";

let ws: WsClient | null = null;
let up: () => void;
let data: (b: Bytes, text?: boolean) => void;
let down: () => void;

// What the WebSocket writes to: the socket. Its close() (after a protocol failure) ends the
// socket, which then reports no close of its own, so the WebSocket is told here.
const sockT = {
  write: tcpWrite,
  close: function (): void {
    tcpClose();
    if (ws) ws.closed();
  },
};

// What the layer above writes to. close() is the layer's own choice: no down() follows.
export const pipe = {
  write: function (b: Bytes): void {
    if (ws) ws.write(b);
    else tcpWrite(b);
  },
  close: function (): void {
    const w = ws;
    ws = null;
    if (w) w.close();
    tcpClose();
  },
};

function tcpUp(): void {
  if (ws) ws.start();
  else up();
}

let rx = false;

// Whether any bytes arrived since the last call (pongs included): liveness for the gateway link.
export function pipeSeen(): boolean {
  const r = rx;
  rx = false;
  return r;
}

export function pipePing(): void {
  if (ws) ws.ping();
}

function tcpData(b: Bytes): void {
  rx = true;
  if (ws) ws.data(b);
  else data(b);
}

function tcpDown(): void {
  if (ws) ws.closed();
  else down();
}

function wsDown(): void {
  ws = null;
  down();
}

function log(e: any): void {
  console.log("ws " + e.code);
}

// Opens u (ws:// and wss:// as a WebSocket to `path` offering `protocol`). Returns false
// when refused at once; otherwise up(), data(bytes, text) and down() follow.
export function pipeOpen(u: Url, path: string, protocol: string | null, onUp: () => void, onData: (b: Bytes, text?: boolean) => void, onDown: () => void): boolean {
  pipe.close();
  up = onUp;
  data = onData;
  down = onDown;
  if (u.ws) {
    let w: WsClient;
    try {
      w = ws = global.require("pw.ws").w(sockT, u, path, protocol);
    } catch (e) {
      console.log("pinwire: no pw.ws " + e);
      return false;
    }
    w.onopen = onUp;
    w.ondata = onData;
    w.onclose = wsDown;
    w.onerror = log;
  }
  return tcpOpen(u.host, u.port, u.tls, tcpUp, tcpData, tcpDown) || ((ws = null), false);
}

// A text message (the gateway's info JSON) on an open WebSocket.
export function pipeText(s: string): void {
  if (ws) ws.send(utf8Encode(s), true);
}
