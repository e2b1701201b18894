// Binary WebSocket mode: the board is a device on the bridge's gateway
// (ws://host:port/ws/<id>?role=device, credentials from the URL's user:pass as Basic auth;
// host/gateway/gateway.ts), as the runtime's link (device/runtime.ts): the snapshot and each
// report go out as binary messages (docs/catalogue.md), info and the catalogue as text messages
// on every open, log lines as {"log": line}; binary (or JSON text) messages in are commands.
// Reconnects with backoff; pings when quiet for 15 s, drops a connection silent for 45 s. No
// error channel and no MQTT topics of the app's own there: those stay on the console.
// Part of the Storage module pw.ws (ws-module.ts): what it uses of the runtime is passed in.
import type { Bytes } from "../shared/bytes";
import type { WsClient } from "../shared/ws/client";
import type { Url } from "./config";
import type { GatewayApp, Link, Sink } from "./modules";

// What the script hands the gateway link: declared with the modules' interface (modules.ts).
export type { GatewayApp } from "./modules";

let a: GatewayApp;
let url: Url;
let cmd = ""; // pinwire/<id>/cmd
let ws: WsClient | null = null; // the connection's WebSocket, while open
let st = 0; // 0 down, 1 opening, 2 open
let due = 0; // next attempt
let wait = 1000; // backoff
let seen = 0; // last time anything came in, pongs included (or the open began)
let now = 0;

function alive(): void {
  seen = now;
}

function down(): void {
  ws = null;
  st = 0;
  due = now + wait;
  wait = wait < 30000 ? wait * 2 : 60000;
}

// The pipe's sink: the gateway link is where the WebSocket's messages go.
const sink: Sink = {
  connected: function (t: any): void {
    ws = t as WsClient;
    ws.onpong = alive;
    st = 2;
    wait = 1000;
    seen = now;
    a.u();
  },
  data: function (b: Bytes): void {
    seen = now;
    a.i(cmd, b);
  },
  closed: down,
};

export function gatewayStart(id: string, u: Url, app: GatewayApp): Link {
  url = u;
  cmd = "pinwire/" + id + "/cmd";
  a = app;
  return {
    // The runtime's publish: state as binary, info and the catalogue as text, the rest nowhere.
    publish: function (topic: string, payload: Bytes | string): boolean {
      if (st !== 2 || !ws) return false;
      const k = topic.substr(topic.lastIndexOf("/") + 1);
      if (k === "state") ws.write(payload as Bytes);
      else if (k === "info" || k === "app") {
        // In fragments of 256 bytes: the catalogue is over a kilobyte, and a frame is masked
        // into a copy of its payload, so one frame would hold it in RAM three times over.
        const t = payload as string;
        for (let i = 0; i < t.length; i += 256) ws.send(E.toUint8Array(t.substr(i, 256)), true, i + 256 < t.length);
      }
      else if (k === "log") ws.send(E.toUint8Array(JSON.stringify({ log: payload })), true);
      return true;
    },
    subscribe: function (): void {},
    tick: function (t: number): void {
      now = t;
      if (!st) {
        if (now >= due) {
          st = 1;
          seen = now;
          if (!a.o(url, url.path + (url.path.indexOf("?") < 0 ? "?" : "&") + "role=device", null, sink)) down();
        }
      } else if (now - seen > 45000) {
        // No pong (the gateway answers pings) nor anything else: the connection is dead.
        if (ws) ws.close();
        down();
      } else if (st === 2 && now - seen > 15000 && ws) ws.ping();
    },
  };
}
