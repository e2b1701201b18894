// The board's one TCP (or TLS) connection over Espruino's net/tls modules. Espruino hands
// sockets "binary strings" (one char per byte) and would send a Uint8Array as the text
// "0,1,255", so bytes are converted both ways here (E.toUint8Array / E.toString, native).
// Only one socket is open at a time; the event handlers are plain functions that Espruino calls
// with the socket as `this`, so events from a socket already replaced are ignored (a late close
// cannot tear down its successor) and no closure per connection costs RAM.
import type { Bytes } from "../shared/bytes";

// What hears from the connection (the MQTT client itself, or pw.ws's WebSocket): part of the
// modules' interface, so declared in modules.ts.
import type { Sink } from "./modules";

export type { Sink };

let sock: any = null;
let sink: Sink;
let where = "";

export const tcp = { write: tcpWrite, close: tcpClose };

function onConnect(this: any): void {
  if (this === sock) sink.connected(tcp);
}

function onData(this: any, d: string): void {
  if (this === sock) sink.data(E.toUint8Array(d));
}

// "error" (with the reason) and "close" both end the connection; whichever comes first tells.
function onEnd(this: any, e?: any): void {
  if (e && e !== true) console.log("tcp " + where + " " + (e.message || e));
  if (this !== sock) return;
  sock = null;
  sink.closed();
}

// Opens host:port; s.connected(tcp) on connect, s.data(bytes) per chunk, s.closed() once when
// it closes or fails. Returns false when the connect was refused at once (nothing follows).
export function tcpOpen(host: string, port: number, tls: boolean, s: Sink): boolean {
  tcpClose();
  sink = s;
  where = host + ":" + port;
  try {
    // No TLS in the ESP8266 build: the branch folds away there.
    sock = global.require(PINWIRE_BOARD !== "esp8266" && tls ? "tls" : "net").connect({ host: host, port: port }, onConnect);
  } catch (e) {
    // The Linux build throws synchronously on a refused connect.
    console.log("tcp " + where + " " + e);
    return false;
  }
  sock.on("data", onData);
  sock.on("error", onEnd);
  sock.on("close", onEnd);
  return true;
}

export function tcpWrite(b: Bytes): void {
  if (sock) sock.write(E.toString(b));
}

// Closes without calling closed(): the caller chose to close.
export function tcpClose(): void {
  const s = sock;
  sock = null;
  if (s) s.end();
}
