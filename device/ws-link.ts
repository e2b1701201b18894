// Binary WebSocket mode: the board is a device on the bridge's gateway
// (ws://host:port/ws/<id>?role=device, credentials from the URL's user:pass as Basic auth;
// host/gateway/gateway.ts). Reports go out as binary 8-byte messages, the info JSON as a
// text message; commands come in as binary messages (JSON controls are accepted too).
// Reconnects with backoff; pings when quiet for 15 s, drops a connection silent for 45 s.
// The gateway has no error channel: a rejected command is only logged on the console.
import { appCommand, appSnapshot } from "./app";
import type { Url } from "./config";
import { pipe, pipeOpen, pipePing, pipeSeen, pipeText } from "./pipe";
import { VERSION } from "./version";
import { encodeMessage } from "../shared/messages";

let url: Url;
let id: string;
let st = 0; // 0 down, 1 opening, 2 open
let due = 0; // next attempt
let wait = 1000; // backoff
let seen = 0; // last time anything came in (or the open began)
let now = 0;

function up(): void {
  st = 2;
  wait = 1000;
  seen = now;
  pipeText(JSON.stringify({ id: id, board: PINWIRE_BOARD, version: VERSION, memory: process.memory() }));
  pipe.write(appSnapshot(0));
}

function data(b: any): void {
  appCommand(b);
}

function down(): void {
  st = 0;
  due = now + wait;
  wait = wait < 30000 ? wait * 2 : 60000;
}

export function wsStart(boardId: string, u: Url): void {
  url = u;
  id = boardId;
}

export function wsSend(cmd: number, value: number): void {
  if (st === 2) pipe.write(encodeMessage(cmd, value));
}

export function wsTick(t: number): void {
  now = t;
  if (pipeSeen()) seen = now;
  if (!st) {
    if (now >= due) {
      st = 1;
      seen = now;
      if (!pipeOpen(url, url.path + (url.path.indexOf("?") < 0 ? "?" : "&") + "role=device", null, up, data, down)) down();
    }
  } else if (now - seen > 45000) {
    // No pong (the gateway answers pings) nor anything else: the connection is dead.
    pipe.close();
    down();
  } else if (st === 2 && now - seen > 15000) pipePing();
}
