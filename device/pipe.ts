// The board's byte pipe: TCP (or TLS), or a WebSocket over it, shown to the layer above as
// one transport (write/close in; up/data/down out). Only one pipe is open at a time.
// The WebSocket half is in the Storage module `pw.ws` (device/ws-module.ts), loaded on the
// first ws:// or wss:// open and given the TCP functions: boards on plain MQTT never
// define its functions.
import type { Bytes } from "../shared/bytes";
import type { Url } from "./config";
import { mod } from "./mods";
import { tcpClose, tcpOpen, tcpWrite } from "./tcp";

// The WebSocket of the open pipe (null: plain TCP). After it closes it ignores writes.
let ws: { write(b: Bytes): void; close(): void } | null = null;

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

// What pw.ws builds its WebSocket on.
export interface Tcp {
  o: typeof tcpOpen;
  w: typeof tcpWrite;
  c: typeof tcpClose;
}
const tcp: Tcp = { o: tcpOpen, w: tcpWrite, c: tcpClose };

// Opens u (ws:// and wss:// as a WebSocket to `path` offering `protocol`). Returns false
// when refused at once; otherwise up(), data(bytes, text) and down() follow.
export function pipeOpen(u: Url, path: string, protocol: string | null, up: () => void, data: (b: Bytes, text?: boolean) => void, down: () => void): boolean {
  pipe.close();
  if (!u.ws) return tcpOpen(u.host, u.port, u.tls, up, data, down);
  const M = mod("pw.ws");
  return !!(ws = M && M.p(u, path, protocol, up, data, down, tcp));
}
