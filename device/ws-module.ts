// The Storage module `pw.ws`: the WebSocket client (handshake, framing, SHA-1 and base64
// adapters) over the app's TCP socket, and the binary gateway link, needed only for ws:// and
// wss:// brokers and the gateway mode, so the boot-time app leaves them out: pipe.ts loads
// the module with require("pw.ws") on the first WebSocket open, main.ts at boot in gateway
// mode. Its interface is what an app pushed later will call, so keep it stable:
//   exports.p(u: Url, path, protocol | null, up, data, down, tcp: Tcp) -> WsClient | null
//     a WebSocket pipe (pipe.ts); null when the TCP connect was refused at once
//   exports.g(id, u: Url, app: GatewayApp) -> GatewayLink (ws-link.ts)
import { base64 } from "../shared/base64";
import { type Bytes, utf8Encode } from "../shared/bytes";
import { createWsClient, type WsClient } from "../shared/ws/client";
import type { Url } from "./config";
import type { Tcp } from "./pipe";
import { boardSha1 } from "./sha";
import { gatewayClient, gatewayStart } from "./ws-link";

declare const exports: any;

function log(e: any): void {
  console.log("ws " + e.code);
}

exports.p = function (u: Url, path: string, protocol: string | null, up: () => void, data: (b: Bytes, text?: boolean) => void, down: () => void, tcp: Tcp): WsClient | null {
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
  w.onopen = up;
  w.ondata = data;
  w.onclose = function (): void {
    down();
  };
  w.onerror = log;
  gatewayClient(w);
  return tcp.o(u.host, u.port, u.tls, w.start, w.data, w.closed) ? w : null;
};
exports.g = gatewayStart;
