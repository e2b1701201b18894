// The Storage module `pw.ws`: the WebSocket client (handshake, framing, SHA-1 and base64
// adapters) over the board's TCP socket, and the binary gateway link, needed only for ws:// and
// wss:// brokers and the gateway mode, so the boot-time script leaves them out: pipe.ts loads
// the module with require("pw.ws") on the first WebSocket open, start.ts at boot in gateway
// mode. What it exports is the interface PwWs of device/modules.ts (a script pushed later
// calls it): change it there, with its version.
import { base64 } from "../shared/base64";
import { type Bytes, utf8Encode } from "../shared/bytes";
import { createWsClient, type WsClient } from "../shared/ws/client";
import type { Url } from "./config";
import { MODULES_VERSION, type PwWs, type TcpFns } from "./modules";
import { boardSha1 } from "./sha";
import type { Sink } from "./tcp";
import { gatewayStart } from "./ws-link";

declare const exports: PwWs;

function log(e: any): void {
  console.log("ws " + e.code);
}

exports.v = MODULES_VERSION;
exports.p = function (u: Url, path: string, protocol: string | null, sink: Sink, tcp: TcpFns): boolean {
  // The WebSocket's close() (after a protocol failure) ends the socket, which then reports no
  // close of its own, so the WebSocket is told here.
  const w: WsClient = createWsClient(
    {
      write: tcp.w,
      close: function (): void {
        tcp.c();
        w.closed();
      },
    },
    {
      host: u.host + ":" + u.port,
      path: path,
      protocols: protocol ? [protocol] : undefined,
      headers: u.user ? { Authorization: "Basic " + base64(utf8Encode(u.user + ":" + (u.pass || ""))) } : undefined,
      sha1: boardSha1(),
    },
  );
  w.onopen = function (): void {
    sink.connected(w);
  };
  w.ondata = function (b: Bytes): void {
    sink.data(b);
  };
  w.onclose = function (): void {
    sink.closed();
  };
  w.onerror = log;
  return tcp.o(u.host, u.port, u.tls, { connected: w.start, data: w.data, closed: w.closed });
};
exports.g = gatewayStart;
