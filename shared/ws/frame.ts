// RFC 6455 5.2 frame encoder (the sending direction). A client masks every frame with a fresh
// 4-byte key (5.3); a server sends unmasked frames (key omitted).
import { alloc, Bytes, put, view } from "../bytes";

export const OP_CONT = 0;
export const OP_TEXT = 1;
export const OP_BINARY = 2;
export const OP_CLOSE = 8;
export const OP_PING = 9;
export const OP_PONG = 10;

// One frame: FIN set unless `more` (a non-final fragment), payload lengths in the 7, 16 or
// 64-bit form, masked with `key` when given.
export function encodeFrame(op: number, data: Bytes, key?: Bytes, more?: boolean): Bytes {
  const n = data.length;
  const h = n < 126 ? 2 : n < 65536 ? 4 : 10;
  const k = key ? 4 : 0;
  const out = alloc(h + k + n);
  out[0] = (more ? 0 : 128) | op;
  out[1] = (k ? 128 : 0) | (h < 4 ? n : h < 10 ? 126 : 127);
  // 16 or 64-bit length, big-endian; division keeps it exact past 32 bits.
  for (let i = h - 1, v = n; i > 1; i--, v = Math.floor(v / 256)) out[i] = v % 256;
  if (key) put(out, key, h);
  for (let i = 0; i < n; i++) out[h + k + i] = data[i] ^ (k ? (key as Bytes)[i & 3] : 0);
  return out;
}

// A message as fragments of at most `size` payload bytes: the first carries `op`, the rest are
// continuations (5.4). `key` is called for each frame's masking key (omit it as a server).
// Not used by WsClient (which fragments through send(b, more)), so it stays off the board.
export function encodeFragments(op: number, data: Bytes, size: number, key?: () => Bytes): Bytes[] {
  const frames: Bytes[] = [];
  let i = 0;
  do {
    const end = Math.min(i + size, data.length);
    frames.push(encodeFrame(i ? OP_CONT : op, view(data, i, end), key && key(), end < data.length));
    i = end;
  } while (i < data.length);
  return frames;
}
