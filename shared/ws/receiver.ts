// RFC 6455 streaming frame decoder (the receiving direction), after the `ws` package's
// lib/receiver.js: an explicit state machine fed arbitrary chunks, one byte at a time through
// the header and in bulk through the payload, so no input is buffered twice. It delivers whole
// messages (fragments reassembled) and control frames to one callback and never writes:
// answering pings and closes is the caller's job. Errors are ProtocolErrors whose code names the
// RFC section; closeCodeOf(code) gives the status code to close the connection with.
//
// A closure rather than a class: the state lives in locals the minifier shortens, which on the
// board saves about a third of the decoder's size over `this.` fields.
import { alloc, Bytes, concat, put, readU16BE, utf8Decode, view } from "../bytes";
import { fail } from "../errors";
import { E_WS_CLOSE_CODE, E_WS_CLOSE_LENGTH, E_WS_CLOSE_UTF8, E_WS_CONTINUATION, E_WS_CONTROL_LENGTH, E_WS_FRAGMENTED, E_WS_INTERLEAVED, E_WS_LENGTH, E_WS_MASKED, E_WS_OPCODE, E_WS_RSV, E_WS_SIZE, E_WS_UNMASKED, E_WS_UTF8 } from "./codes";

// Status codes a peer may put in a Close frame (7.4.1, 7.4.2 and the IANA registry up to 1014);
// 1004-1006 and 1015 are reserved for reporting and never sent.
export function validCloseCode(c: number): boolean {
  return (c >= 1000 && c <= 1014 && c != 1004 && c != 1005 && c != 1006) || (c >= 3000 && c <= 4999);
}

// The close code for a receiver error: 1009 message too big, 1007 invalid UTF-8, 1002 any other
// protocol error.
export function closeCodeOf(code: string): number {
  return code == E_WS_SIZE ? 1009 : code == E_WS_UTF8 || code == E_WS_CLOSE_UTF8 ? 1007 : 1002;
}

// on(opcode, payload): a whole text (1) or binary (2) message, or a close (8, payload already
// checked), ping (9) or pong (10) frame.
export type OnFrame = (op: number, data: Bytes) => void;

// Returns the function to push received bytes into; once it has thrown, the connection is to
// be failed, not fed again. max: the largest message accepted (default 2^53 - 1), checked before
// allocating. server: the server role, which requires masked frames (the client role forbids
// them); when left out, the minifier drops the server-only code from the board build.
export function createReceiver(on: OnFrame, max?: number, server?: boolean): (chunk: Bytes) => void {
  // 0 first header byte, 1 second, 2 extended length, 3 masking key, 4 payload.
  let s = 0;
  // Bytes still to read in states 2 and 3.
  let n = 0;
  // First header byte (FIN and opcode) and payload length of the current frame.
  let f = 0;
  let len = 0;
  // Masking key (server role: clients mask every frame).
  const k = alloc(4);
  // Payload of the current frame (allocated once its header is read) and how much has arrived.
  let d = k;
  let p = 0;
  // Opcode of the fragmented message in progress (0: none) and its fragments so far.
  let mo = 0;
  let m = alloc(0);
  const limit = max || 9007199254740991;

  function end(): void {
    const op = f & 15;
    s = 0;
    if (op > 7) {
      if (op == 8) {
        if (d.length == 1) fail(E_WS_CLOSE_LENGTH);
        if (d.length && !validCloseCode(readU16BE(d, 0))) fail(E_WS_CLOSE_CODE);
        if (utf8Decode(d, 2, d.length) == null) fail(E_WS_CLOSE_UTF8);
      }
      on(op, d);
      return;
    }
    if (op) mo = op;
    const msg = (m = concat(m, d));
    if (f > 127) {
      const o = mo;
      mo = 0;
      m = alloc(0);
      if (o == 1 && utf8Decode(msg, 0, msg.length) == null) fail(E_WS_UTF8);
      on(o, msg);
    }
  }

  return function (c: Bytes): void {
    for (let i = 0; i < c.length; ) {
      if (s == 4) {
        const e = Math.min(c.length, i + d.length - p);
        // Unmasking goes byte by byte; unmasked payload (the client role) is one native copy,
        // which on the board is far faster than an interpreted loop.
        if (server) while (i < e) d[p] = c[i++] ^ k[p++ & 3];
        else {
          put(d, view(c, i, e), p);
          p += e - i;
          i = e;
        }
        if (p == d.length) end();
        continue;
      }
      const b = c[i++];
      if (!s) {
        const op = b & 15;
        // No extension is negotiated, so no RSV bit may be set (5.2).
        if (b & 0x70) fail(E_WS_RSV);
        if (op > 10 || (op > 2 && op < 8)) fail(E_WS_OPCODE);
        if (op > 7) {
          if (b < 128) fail(E_WS_FRAGMENTED);
        } else if (op && mo) fail(E_WS_INTERLEAVED);
        else if (!op && !mo) fail(E_WS_CONTINUATION);
        f = b;
        s = 1;
        continue;
      }
      if (s == 1) {
        if (b > 127 != !!server) fail(server ? E_WS_UNMASKED : E_WS_MASKED);
        len = b & 127;
        if (f & 8 && len > 125) fail(E_WS_CONTROL_LENGTH);
        n = len < 126 ? 0 : len == 126 ? 2 : 8;
        if (n) len = 0;
        s = 2;
      } else if (s == 2) {
        // The most significant bit of a 64-bit length must be 0 (5.2).
        if (n == 8 && b > 127) fail(E_WS_LENGTH);
        len = len * 256 + b;
        n--;
      } else k[4 - n--] = b;
      if (n) continue;
      if (s == 2 && server) {
        s = 3;
        n = 4;
        continue;
      }
      // Header complete: refuse an oversized message before allocating for it.
      if (len + (f & 8 ? 0 : m.length) > limit) fail(E_WS_SIZE);
      d = alloc(len);
      p = 0;
      s = 4;
      if (!len) end();
    }
  };
}
