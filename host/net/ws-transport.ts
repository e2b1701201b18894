// MQTT over WebSocket from the host: a Node socket carries the shared WsClient, and the
// WsClient's open connection is the byte transport handed to the MQTT client (binary messages
// carry MQTT bytes; the client's parser does not care where messages split).
import { createHash } from "node:crypto";
import type { Bytes } from "../../shared/bytes";
import type { Transport } from "../../shared/mqtt/client";
import { WsClient } from "../../shared/ws/client";
import { dial, type SocketTransport, type TcpOptions, type TransportSink } from "./tcp-transport";

export interface WsTransportOptions extends TcpOptions {
  path?: string; // default "/mqtt"
  protocols?: string[]; // default ["mqtt"] (MQTT 3.1.1 section 6)
  headers?: { [name: string]: string };
  // WebSocket-level failures (bad handshake, protocol errors); the close still reaches the sink.
  onWsError?: (e: { code: string; message?: string }) => void;
}

export interface WsTransport extends SocketTransport {
  ws: WsClient;
}

function sha1(b: Bytes): Bytes {
  return new Uint8Array(createHash("sha1").update(b).digest());
}

// The sink sees connected() only once the handshake is accepted; a failed handshake or a
// refused socket reaches it as closed(), like a refused TCP connection.
export function openWs(sink: TransportSink, o: WsTransportOptions): WsTransport {
  const socket = dial(o);
  let live = true;
  const raw: Transport = {
    write: (b) => socket.write(b),
    close: () => socket.end(),
  };
  const ws = new WsClient(raw, {
    host: o.host + ":" + o.port,
    path: o.path || "/mqtt",
    protocols: o.protocols || ["mqtt"],
    headers: o.headers,
    sha1,
  });
  const t: WsTransport = {
    socket,
    ws,
    write(b) {
      if (live) ws.write(b);
    },
    // The Close frame goes out; the server answers it and closes TCP (RFC 6455 7.1.1, the
    // WsClient waits for that). A server that does not within 1 s gets the socket destroyed.
    close() {
      live = false;
      ws.close();
      setTimeout(() => socket.destroy(), 1000).unref();
    },
  };
  ws.onopen = () => {
    if (live) sink.connected(t);
  };
  ws.ondata = (b) => {
    if (live) sink.data(b);
  };
  ws.onerror = (e) => o.onWsError && o.onWsError(e);
  ws.onclose = () => {
    if (!live) return;
    live = false;
    sink.closed(t);
  };
  socket.on(o.tls ? "secureConnect" : "connect", () => ws.start());
  socket.on("data", (b: Buffer) => ws.data(new Uint8Array(b.buffer, b.byteOffset, b.length)));
  socket.on("close", () => ws.closed());
  return t;
}
