// RFC 6455 section 4: the opening handshake, client side (request text, response check) plus
// the server's answer for hosts and tests that play the server. No regular expressions: the
// head is split on CRLF and ":" by hand (see CONVENTIONS.md).
import { Bytes, utf8Encode } from "../bytes";
import { base64 } from "../base64";
import { fail } from "../errors";
import { E_WS_ACCEPT, E_WS_EXTENSION, E_WS_PROTOCOL, E_WS_REQUEST, E_WS_STATUS, E_WS_UPGRADE } from "./codes";

// Injected: Node's crypto on the host, Espruino's require("crypto").SHA1 (adapted to Bytes) on
// the board, shared/sha1.ts where neither exists.
export type Sha1 = (data: Bytes) => Bytes;

export interface HandshakeOptions {
  host: string; // Host header: "name" or "name:port"
  path?: string; // request target, default "/"
  protocols?: string[]; // Sec-WebSocket-Protocol offer, e.g. ["mqtt"]
  headers?: { [name: string]: string }; // extra request headers, e.g. Authorization
}

// base64(SHA-1(key + GUID)): what the server must echo in Sec-WebSocket-Accept (4.2.2).
export function acceptKey(key: string, sha1: Sha1): string {
  // key + GUID is ASCII: its UTF-8 bytes are its characters.
  return base64(sha1(utf8Encode(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
}

// The GET request of 4.1; `key` is base64 of 16 random bytes.
export function handshakeRequest(o: HandshakeOptions, key: string): string {
  let s =
    "GET " +
    (o.path || "/") +
    " HTTP/1.1\r\nHost: " +
    o.host +
    "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " +
    key +
    "\r\nSec-WebSocket-Version: 13";
  if (o.protocols && o.protocols.length) s += "\r\nSec-WebSocket-Protocol: " + o.protocols.join(", ");
  const h = o.headers || {};
  for (const k in h) s += "\r\n" + k + ": " + h[k];
  return s + "\r\n\r\n";
}

// Header fields of an HTTP head (start line first, without the blank line), names lower-cased,
// repeated fields joined with "," as RFC 9110 5.3 allows.
export function headerFields(head: string): { [name: string]: string } {
  const f: { [name: string]: string } = {};
  const lines = head.split("\r\n");
  for (let i = 1; i < lines.length; i++) {
    const c = lines[i].indexOf(":");
    if (c < 1) continue;
    const k = lines[i].substr(0, c).toLowerCase();
    const v = lines[i].substr(c + 1).trim();
    f[k] = f[k] ? f[k] + "," + v : v;
  }
  return f;
}

// Checks the server's response head (the client's checks of 4.1, items 1-6). Returns the
// negotiated subprotocol ("" for none). `accept` is acceptKey(our key).
export function checkResponse(head: string, accept: string, protocols?: string[]): string {
  const f = headerFields(head);
  const ws = function (name: string): string {
    return f["sec-websocket-" + name];
  };
  const p = ws("protocol") || "";
  if (head.split(" ")[1] != "101") fail(E_WS_STATUS);
  // Upgrade: websocket and a Connection token list holding "upgrade" (items 2 and 3); joined,
  // so that one lower-casing serves both.
  const u = (f["upgrade"] + "|" + f["connection"]).toLowerCase();
  if (u.indexOf("websocket|") != 0 || u.indexOf("upgrade", 10) < 0) fail(E_WS_UPGRADE);
  if (ws("accept") != accept) fail(E_WS_ACCEPT);
  // We offer no extensions, so any in the answer is one we did not ask for.
  if (ws("extensions")) fail(E_WS_EXTENSION);
  // A protocol we did not offer, or none when we offered some (browsers refuse that too: a
  // server that ignored the offer would not speak what we asked for).
  if (protocols && protocols.length ? protocols.indexOf(p) < 0 : p) fail(E_WS_PROTOCOL);
  return p;
}

// Server role (host and tests): the 101 answer to a request head, choosing the first protocol
// of `protocols` the client offered. Fails if the head is not a WebSocket upgrade request.
export function upgradeResponse(requestHead: string, sha1: Sha1, protocols?: string[]): string {
  const f = headerFields(requestHead);
  const key = f["sec-websocket-key"];
  if (requestHead.indexOf("GET ") != 0 || !key || f["sec-websocket-version"] != "13" || (f["upgrade"] || "").toLowerCase() != "websocket")
    fail(E_WS_REQUEST);
  const offered = (f["sec-websocket-protocol"] || "").split(",");
  let chosen = "";
  for (let i = 0; i < offered.length && !chosen; i++) {
    const p = offered[i].trim();
    if (p && protocols && protocols.indexOf(p) >= 0) chosen = p;
  }
  return (
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
    acceptKey(key, sha1) +
    "\r\n" +
    (chosen ? "Sec-WebSocket-Protocol: " + chosen + "\r\n" : "") +
    "\r\n"
  );
}
