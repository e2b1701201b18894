// RFC 6455 streaming frame decoder (the receiving direction) on the stream machine the MQTT
// parser uses too (shared/stream.ts): fed arbitrary chunks, it checks each frame header as
// soon as its bytes are there and holds a frame's bytes until it is whole. It delivers whole
// messages (fragments reassembled) and control frames to one callback and never writes:
// answering pings and closes is the caller's job. Errors are ProtocolErrors whose code names the
// RFC section; closeCodeOf(code) gives the status code to close the connection with.
//
// A closure rather than a class: the state lives in locals the minifier shortens.
import { alloc, Bytes, readU16BE, utf8Decode, view } from "../bytes";
import { fail } from "../errors";
import { framer, join } from "../stream";
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
// anything is held for it. server: the server role, which requires masked frames (the client
// role forbids them); when left out, the minifier drops the server-only code from the board
// build. In the client role payloads are views of the pushed chunks (shared/stream.ts): a
// chunk's memory must not be reused after it is pushed.
export function createReceiver(on: OnFrame, max?: number, server?: boolean): (chunk: Bytes) => void {
  // Header length (masking key included) of the frame head() read last.
  let x = 0;
  // Opcode of the fragmented message in progress (0: none), its fragments so far and their size.
  let mo = 0;
  let m: Bytes[] = [];
  let ml = 0;
  const limit = max || 9007199254740991;

  return framer(
    function (b, i, n) {
      const f = b[i];
      const op = f & 15;
      // No extension is negotiated, so no RSV bit may be set (5.2).
      if (f & 0x70) fail(E_WS_RSV);
      // Defined opcodes: 0-2 (data) and 8-10 (control), the set bits of 0x707.
      if (!((0x707 >> op) & 1)) fail(E_WS_OPCODE);
      if (op > 7) {
        if (f < 128) fail(E_WS_FRAGMENTED);
      } else if (op && mo) fail(E_WS_INTERLEAVED);
      else if (!op && !mo) fail(E_WS_CONTINUATION);
      if (i + 1 >= n) return 0;
      const l = b[i + 1];
      if (l > 127 != !!server) fail(server ? E_WS_UNMASKED : E_WS_MASKED);
      let len = l & 127;
      if (op > 7 && len > 125) fail(E_WS_CONTROL_LENGTH);
      x = len < 126 ? 2 : len < 127 ? 4 : 10;
      // The most significant bit of a 64-bit length must be 0 (5.2).
      if (x > 4 && i + 2 < n && b[i + 2] > 127) fail(E_WS_LENGTH);
      if (i + x > n) return 0;
      if (x > 2) {
        len = 0;
        for (let k = 2; k < x; k++) len = len * 256 + b[i + k];
      }
      // Refuse an oversized message before holding any of it.
      if (len + (op > 7 ? 0 : ml) > limit) fail(E_WS_SIZE);
      if (server) x += 4;
      return x + len;
    },
    function (b, i, e) {
      const f = b[i];
      const op = f & 15;
      let d = view(b, i + x, e);
      if (server) {
        // Unmasked into a copy (the key sits just before the payload).
        const k = i + x - 4;
        d = alloc(e - i - x);
        for (let j = 0; j < d.length; j++) d[j] = b[k + 4 + j] ^ b[k + (j & 3)];
      }
      if (op > 7) {
        if (op == 8) {
          if (d.length == 1) fail(E_WS_CLOSE_LENGTH);
          if (d.length && !validCloseCode(readU16BE(d, 0))) fail(E_WS_CLOSE_CODE);
          if (utf8Decode(d, 2, d.length) == null) fail(E_WS_CLOSE_UTF8);
        }
        return on(op, d);
      }
      if (op) mo = op;
      m.push(d);
      ml += d.length;
      if (f > 127) {
        const o = mo;
        // one frame (the usual case) is passed on as it is, fragments joined once
        const msg = m.length > 1 ? join(m, ml) : d;
        mo = ml = 0;
        m = [];
        if (o == 1 && utf8Decode(msg, 0, msg.length) == null) fail(E_WS_UTF8);
        on(o, msg);
      }
    },
  );
}
