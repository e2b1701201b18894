// A Node TCP (or TLS) socket as the byte transport of shared/mqtt/client.ts: the client's
// open() callback calls openTcp(client, ...), and the socket's events become the client's
// connected / data / closed calls. The host bridge reuses it for its own broker links.
import net from "node:net";
import tls from "node:tls";
import type { Bytes } from "../../shared/bytes";
import type { Transport } from "../../shared/mqtt/client";

// Whatever consumes a transport: the MQTT client, or anything with the same three calls.
export interface TransportSink {
  connected(t: Transport): void;
  data(b: Bytes): void;
  closed(t?: Transport): void;
}

export interface TcpOptions {
  host: string;
  port: number;
  // TLS on top (true, or Node's options: ca, servername, rejectUnauthorized, ...).
  tls?: boolean | tls.ConnectionOptions;
  // Socket errors (refused, reset, TLS failure); the close that follows reaches the sink.
  onError?: (e: Error) => void;
}

export interface SocketTransport extends Transport {
  socket: net.Socket;
}

// Starts the connection; the socket exists (and is returned) at once.
export function dial(o: TcpOptions): net.Socket {
  const s = o.tls
    ? tls.connect({ host: o.host, port: o.port, ...(o.tls === true ? {} : o.tls) })
    : net.connect({ host: o.host, port: o.port });
  s.setNoDelay(true);
  s.on("error", (e) => o.onError && o.onError(e));
  return s;
}

export function openTcp(sink: TransportSink, o: TcpOptions): SocketTransport {
  const socket = dial(o);
  // After close() the sink has already moved on: later bytes and the close event are not its
  // business (a late "close" would otherwise cancel the sink's next attempt).
  let live = true;
  const t: SocketTransport = {
    socket,
    write(b) {
      if (live) socket.write(b);
    },
    // end() flushes what was written (a DISCONNECT must not be lost, or the will fires); the
    // timer covers a peer that never closes its side.
    close() {
      live = false;
      if (socket.connecting) return void socket.destroy();
      socket.end();
      setTimeout(() => socket.destroy(), 1000).unref();
    },
  };
  socket.on(o.tls ? "secureConnect" : "connect", () => {
    if (live) sink.connected(t);
  });
  socket.on("data", (b: Buffer) => {
    if (live) sink.data(new Uint8Array(b.buffer, b.byteOffset, b.length));
  });
  socket.on("close", () => {
    if (!live) return;
    live = false;
    sink.closed(t);
  });
  return t;
}
