// Binary WebSocket mode: the board is a device on the bridge's gateway
// (ws://host:port/ws/<id>?role=device, credentials from the URL's user:pass as Basic auth;
// host/gateway/gateway.ts). Reports go out as binary 8-byte messages, the info JSON as a
// text message; commands come in as binary messages (JSON controls are accepted too).
// Reconnects with backoff; pings when quiet for 15 s, drops a connection silent for 45 s.
// The gateway has no error channel: a rejected command is only logged on the console.
// Part of the Storage module pw.ws (ws-module.ts): what it uses of the app is passed in by
// main.ts, so the module carries none of the app's code.
import { type Bytes, utf8Encode } from "../shared/bytes";
import type { WsClient } from "../shared/ws/client";
import type { Url } from "./config";

export interface GatewayApp {
  c: (b: Bytes) => void; // appCommand
  s: (last: number) => Bytes; // appSnapshot
  e: (cmd: number, value: number) => Bytes; // encodeMessage
  o: (u: Url, path: string, protocol: string | null, up: () => void, data: (b: Bytes) => void, down: () => void) => boolean; // pipeOpen
  p: { write(b: Bytes): void; close(): void }; // pipe
  v: string; // VERSION
}

// What main.ts drives: send(cmd, value) for each change, tick(now) every 250 ms.
export interface GatewayLink {
  s: (cmd: number, value: number) => void;
  t: (now: number) => void;
}

let a: GatewayApp;
let url: Url;
let id: string;
let ws: WsClient | null = null; // the latest client pipeOpen had the module make
let st = 0; // 0 down, 1 opening, 2 open
let due = 0; // next attempt
let wait = 1000; // backoff
let seen = 0; // last time anything came in, pongs included (or the open began)
let now = 0;

function alive(): void {
  seen = now;
}

function up(): void {
  st = 2;
  wait = 1000;
  seen = now;
  if (ws) ws.send(utf8Encode(JSON.stringify({ id: id, board: PINWIRE_BOARD, version: a.v, memory: process.memory() })), true);
  a.p.write(a.s(0));
}

function data(b: Bytes): void {
  seen = now;
  a.c(b);
}

function down(): void {
  st = 0;
  due = now + wait;
  wait = wait < 30000 ? wait * 2 : 60000;
}

// Each WebSocket client the module makes (the gateway's, or an MQTT-over-WebSocket one).
export function gatewayClient(c: WsClient): void {
  ws = c;
  c.onpong = alive;
}

export function gatewayStart(boardId: string, u: Url, app: GatewayApp): GatewayLink {
  url = u;
  id = boardId;
  a = app;
  return {
    s: function (cmd: number, value: number): void {
      if (st === 2) a.p.write(a.e(cmd, value));
    },
    t: function (t: number): void {
      now = t;
      if (!st) {
        if (now >= due) {
          st = 1;
          seen = now;
          if (!a.o(url, url.path + (url.path.indexOf("?") < 0 ? "?" : "&") + "role=device", null, up, data, down)) down();
        }
      } else if (now - seen > 45000) {
        // No pong (the gateway answers pings) nor anything else: the connection is dead.
        a.p.close();
        down();
      } else if (st === 2 && now - seen > 15000 && ws) ws.ping();
    },
  };
}
