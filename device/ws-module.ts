// The Storage module `pw.ws`: the WebSocket client (handshake, framing, SHA-1 and base64
// adapters), needed only for ws:// and wss:// brokers and the binary gateway mode, so the
// boot-time app leaves it out and pipe.ts loads it with require("pw.ws") on the first open.
// Its interface is what an app pushed later will call, so keep it stable:
//   exports.w(socket: Transport, u: Url, path, protocol | null) -> WsClient
import { base64 } from "../shared/base64";
import { utf8Encode } from "../shared/bytes";
import { createWsClient, type Transport } from "../shared/ws/client";
import type { Url } from "./config";
import { boardSha1 } from "./sha";

declare const exports: any;

exports.w = function (sock: Transport, u: Url, path: string, protocol: string | null) {
  return createWsClient(sock, {
    host: u.host + ":" + u.port,
    path: path,
    protocols: protocol ? [protocol] : undefined,
    headers: u.user ? { Authorization: "Basic " + base64(utf8Encode(u.user + ":" + (u.pass || ""))) } : undefined,
    sha1: boardSha1(),
  });
};
