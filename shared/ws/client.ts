// WebSocket client (RFC 6455) over an injected byte transport. Downward it writes bytes and
// closes; the platform feeds it the transport's bytes (data) and end (closed). It shows the same
// shape to the layer above (write/close in, ondata/onclose out), so the MQTT client runs over it
// as over TCP: MQTT bytes travel in binary messages, and as whole messages are passed up as a
// byte stream, a packet may span messages and a message may hold several packets.
import { alloc, Bytes, readU16BE, toBinaryString, utf8Decode, utf8Encode, view, writeU16BE } from "../bytes";
import { base64 } from "../base64";
import { ProtocolError, fail } from "../errors";
import { encodeFrame } from "./frame";
import { acceptKey, checkResponse, handshakeRequest, HandshakeOptions, Sha1 } from "./handshake";
import { closeCodeOf, createReceiver } from "./receiver";
import { E_WS_HEAD_SIZE } from "./codes";

export interface Transport {
  write(b: Bytes): void;
  close(): void;
}

export interface WsOptions extends HandshakeOptions {
  sha1: Sha1;
  // Uniform in [0, 1), for the handshake key and the masking keys; default Math.random.
  random?: () => number;
  // Largest message accepted (default 2^53 - 1); a bigger one fails the connection with 1009.
  maxSize?: number;
}

// The one timer in shared/: waiting for the server's TCP close after the Close exchange. Both
// Node and Espruino have these globals; the platform-neutral build declares them here.
declare function setTimeout(fn: () => void, ms: number): unknown;
declare function clearTimeout(id: unknown): void;

function noop(): void {}

// A Close frame's body: the status code, then the reason as UTF-8.
function closeBody(code: number, reason?: string): Bytes {
  const b = utf8Encode("\0\0" + (reason || ""));
  writeU16BE(b, 0, code);
  return b;
}

// The methods are closures made in the constructor, over locals rather than `this.` fields:
// locals minify to one letter, fields do not, and the board has a few kilobytes for all this.
export class WsClient implements Transport {
  // Set by the layer above. ondata: a whole message, `text` for a text message (MQTT over
  // WebSocket uses binary only); it may be a view of a chunk given to data(), so the platform
  // must not reuse a chunk's memory after passing it (Node and Espruino hand out fresh ones). onopen: the handshake was accepted, with the negotiated
  // subprotocol ("" for none). onclose: once, after closed(): the peer's close code and reason,
  // 1005 if its Close frame had no code, 1006 if the connection ended without one.
  // onerror: the handshake or connection failed, with a ProtocolError from this layer (the peer
  // broke RFC 6455) or one thrown by ondata (the layer above gave up on the bytes); the transport
  // is then closed, after a Close frame with the matching status code if the connection was open.
  // Any other exception from a callback also closes the connection (1011), then propagates.
  ondata: (b: Bytes, text: boolean) => void = noop;
  onopen: (protocol: string) => void = noop;
  onclose: (code: number, reason: string) => void = noop;
  onerror: (e: ProtocolError) => void = noop;
  onpong: (b: Bytes) => void = noop;
  // 0 handshake sent, 1 open, 2 Close sent, 3 done (Close exchanged, or failed), 4 closed.
  // Read-only for users.
  state = 0;
  // Called by the platform: the transport is connected (sends the opening handshake), bytes
  // arrived, the transport has closed.
  start!: () => void;
  data!: (chunk: Bytes) => void;
  closed!: () => void;
  // Sends a message: binary unless `text` (then b is UTF-8), and with `more` only a fragment of
  // it, the last fragment without `more`. Ignored unless open.
  send!: (b: Bytes, text?: boolean, more?: boolean) => void;
  // The transport shape for the layer above: one binary message per write.
  write!: (b: Bytes) => void;
  ping!: (b?: Bytes) => void;
  // Starts the closing handshake (code default 1000, reason up to 123 UTF-8 bytes). Once the
  // peer's Close has arrived (state 3) the server is expected to close the transport; the
  // client closes it itself 5 s later if it has not. A server that never answers the Close is
  // the platform's to time out. Before the handshake has completed it just drops the transport.
  close!: (code?: number, reason?: string) => void;

  constructor(t: Transport, o: WsOptions) {
    const w = this;
    // w.state mirrored in a local (minifies to one letter); set() changes both.
    let s = 0;
    let head = ""; // response head so far, as a binary string
    let accept = "";
    let peerClose: Bytes | null = null; // payload of the peer's Close frame, once received
    let fragmenting = false;
    let wait: unknown = 0; // the timer for the server's TCP close

    function set(v: number): void {
      w.state = s = v;
    }

    function bytes(n: number): Bytes {
      const r = o.random || Math.random;
      const b = alloc(n);
      for (let i = 0; i < n; i++) b[i] = (r() * 256) & 255;
      return b;
    }

    function out(op: number, d: Bytes, more?: boolean): void {
      t.write(encodeFrame(op, d, bytes(4), more));
    }

    function end(): void {
      set(3);
      t.close();
    }

    const push = createReceiver(function (op, d) {
      if (op == 8) {
        peerClose = d;
        // Echo the status code (5.5.1). The server closes TCP first (7.1.1, so that it holds
        // TIME_WAIT): wait for closed(), and close the transport only if that takes 5 s.
        if (s == 1) out(8, view(d, 0, 2));
        set(3);
        wait = setTimeout(function () {
          if (s == 3) t.close();
        }, 5000);
      } else if (op == 9) {
        if (s == 1) out(10, d);
      } else if (op == 10) w.onpong(d);
      else w.ondata(d, op == 1);
    }, o.maxSize);

    w.start = function () {
      const key = base64(bytes(16));
      accept = acceptKey(key, o.sha1);
      // The request is ASCII except perhaps a path or header value, which goes as UTF-8.
      t.write(utf8Encode(handshakeRequest(o, key)));
    };

    w.data = function (c) {
      if (s > 2) return;
      try {
        if (!s) {
          const h = (head += toBinaryString(c));
          const e = h.indexOf("\r\n\r\n");
          // A head this long is not a handshake answer: stop buffering it.
          if (e < 0) return void (h.length > 4096 && fail(E_WS_HEAD_SIZE));
          const p = checkResponse(h.substr(0, e), accept, o.protocols);
          set(1);
          w.onopen(p);
          // Frames may follow the head in the same chunk.
          c = view(c, c.length - (h.length - e - 4), c.length);
        }
        push(c);
      } catch (e) {
        // A ProtocolError is the peer's doing (or the layer above refusing the bytes); anything
        // else is a bug, rethrown once the connection is down: the bytes after the throw are
        // lost, so the stream could not be parsed on anyway.
        const pe = e instanceof ProtocolError;
        const open = s == 1;
        // Set first: whatever onerror calls back into is then a no-op.
        set(3);
        if (open) out(8, closeBody(pe ? closeCodeOf(e.code) : 1011));
        // Before closing the transport, whose closed() may come back synchronously (onclose).
        if (pe) w.onerror(e);
        t.close();
        if (!pe) throw e;
      }
    };

    w.closed = function () {
      const c = peerClose;
      // Espruino throws on clearTimeout(undefined) (and clearTimeout() clears every timer).
      if (wait) clearTimeout(wait);
      if (s < 4) {
        set(4);
        w.onclose(c ? (c.length ? readU16BE(c, 0) : 1005) : 1006, c ? (utf8Decode(c, 2, c.length) as string) : "");
      }
    };

    // write(b) is send(b): one binary message.
    w.write = w.send = function (b: Bytes, text?: boolean, more?: boolean) {
      if (s == 1) {
        out(fragmenting ? 0 : text ? 1 : 2, b, more);
        fragmenting = !!more;
      }
    };

    w.ping = function (b) {
      if (s == 1) out(9, b || alloc(0));
    };

    w.close = function (code, reason) {
      if (s == 1) {
        out(8, closeBody(code || 1000, reason));
        set(2);
      } else if (!s) end();
    };
  }
}

// The same as `new WsClient(t, o)`.
export function createWsClient(t: Transport, o: WsOptions): WsClient {
  return new WsClient(t, o);
}
