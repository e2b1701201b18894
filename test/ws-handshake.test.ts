// The opening handshake's text and checks (RFC 6455 section 4) in isolation; the exchanges
// with real peers are in ws-client.test.ts and ws-server-role.test.ts.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Bytes } from "../shared/bytes";
import { acceptKey, checkResponse, handshakeRequest, headerFields, upgradeResponse } from "../shared/ws/handshake";
import { codeOf } from "./error-code";

const sha1 = (b: Bytes): Bytes => new Uint8Array(createHash("sha1").update(b).digest());
const KEY = "dGhlIHNhbXBsZSBub25jZQ==";
const ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="; // RFC 6455 section 1.3

const answer = (...headers: string[]) => ["HTTP/1.1 101 Switching Protocols", ...headers].join("\r\n");

describe("handshake", () => {
  it("builds the request of section 4.1", () => {
    expect(handshakeRequest({ host: "example.com:8080", path: "/mqtt", protocols: ["mqtt", "mqttv3.1"], headers: { Authorization: "Basic dTpw" } }, KEY)).toBe(
      "GET /mqtt HTTP/1.1\r\nHost: example.com:8080\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
        "Sec-WebSocket-Protocol: mqtt, mqttv3.1\r\nAuthorization: Basic dTpw\r\n\r\n",
    );
    // No path, no protocols, no headers.
    expect(handshakeRequest({ host: "h" }, KEY)).toBe(
      "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n\r\n",
    );
  });

  it("accepts header names in any case, a Connection token list and padded values", () => {
    const head = answer("upgrade:   WebSocket  ", "CONNECTION: keep-alive, Upgrade", "sec-websocket-accept: " + ACCEPT, "SEC-WEBSOCKET-PROTOCOL: mqtt");
    expect(checkResponse(head, acceptKey(KEY, sha1), ["mqtt"])).toBe("mqtt");
    expect(checkResponse(answer("Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Accept: " + ACCEPT), ACCEPT)).toBe("");
  });

  it("refuses what section 4.1 says the client must refuse", () => {
    const ok = ["Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Accept: " + ACCEPT];
    const check = (head: string, protocols?: string[]) => codeOf(() => checkResponse(head, ACCEPT, protocols));
    expect(check("HTTP/1.1 200 OK\r\n" + ok.join("\r\n"))).toBe("WS-4.1-status");
    expect(check("HTTP/1.1 1010 Nope\r\n" + ok.join("\r\n"))).toBe("WS-4.1-status");
    expect(check(answer(ok[1], ok[2]))).toBe("WS-4.1-upgrade");
    expect(check(answer("Upgrade: h2c", ok[1], ok[2]))).toBe("WS-4.1-upgrade");
    expect(check(answer(ok[0], "Connection: close", ok[2]))).toBe("WS-4.1-upgrade");
    expect(check(answer(ok[0], ok[1]))).toBe("WS-4.1-accept");
    // The accept value is base64: its case matters.
    expect(check(answer(ok[0], ok[1], "Sec-WebSocket-Accept: " + ACCEPT.toLowerCase()))).toBe("WS-4.1-accept");
    expect(check(answer(...ok, "Sec-WebSocket-Extensions: permessage-deflate"))).toBe("WS-4.1-extension");
    expect(check(answer(...ok, "Sec-WebSocket-Protocol: mqtt"))).toBe("WS-4.1-protocol");
    expect(check(answer(...ok), ["mqtt"])).toBe("WS-4.1-protocol");
    expect(check(answer(...ok, "Sec-WebSocket-Protocol: other"), ["mqtt"])).toBe("WS-4.1-protocol");
    // Two answers are no answer.
    expect(check(answer(...ok, "Sec-WebSocket-Protocol: mqtt", "Sec-WebSocket-Protocol: mqtt"), ["mqtt"])).toBe("WS-4.1-protocol");
    expect(check(answer(...ok, "Sec-WebSocket-Protocol: mqtt"), ["mqtt"])).toBe("no error");
  });

  it("headerFields joins repeated fields and skips lines without a name", () => {
    expect(headerFields("GET / HTTP/1.1\r\nA: 1\r\n: x\r\nnocolon\r\na:2")).toEqual({ a: "1,2" });
  });

  it("server role: answers a request with the RFC's accept value and the first protocol it knows", () => {
    const req = handshakeRequest({ host: "h", protocols: ["v9", "mqtt"] }, KEY).replace("\r\n\r\n", "");
    const res = upgradeResponse(req, sha1, ["mqtt"]);
    expect(res).toBe(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + ACCEPT + "\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n",
    );
    // Our client accepts our server's answer.
    expect(checkResponse(res.replace("\r\n\r\n", ""), ACCEPT, ["v9", "mqtt"])).toBe("mqtt");
    expect(codeOf(() => upgradeResponse(req.replace("Version: 13", "Version: 8"), sha1))).toBe("WS-4.2.1-request");
    expect(codeOf(() => upgradeResponse(req.replace("GET", "POST"), sha1))).toBe("WS-4.2.1-request");
    expect(codeOf(() => upgradeResponse(req.replace("Sec-WebSocket-Key", "X-Key"), sha1))).toBe("WS-4.2.1-request");
  });
});
