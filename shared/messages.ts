// The 8-byte message: C `struct { uint8_t cmd; int32_t value; }` with gcc's natural alignment,
// 8 bytes little-endian (3 padding bytes). An app declares which codes it uses and their ranges
// (its catalogue: shared/catalogue.ts checks those); this is only the wire form, the same on
// MQTT (pinwire/<id>/state and /cmd) and on the binary WebSocket gateway.
import { alloc, type Bytes } from "./bytes";
import { fail } from "./errors";
import { E_MSG_CMD, E_MSG_LENGTH, E_MSG_RANGE } from "./message-codes";

export const MESSAGE_SIZE = 8;

export interface BoardMessage {
  cmd: number;
  value: number;
}

// cmd: an integer 0..255; value: an int32.
export function encodeMessage(cmd: number, value: number): Bytes {
  if (!(cmd >= 0 && cmd <= 255 && cmd === Math.floor(cmd))) fail(E_MSG_CMD);
  if (!(value >= -2147483648 && value <= 2147483647 && value === Math.floor(value))) fail(E_MSG_RANGE);
  const b = alloc(MESSAGE_SIZE);
  b[0] = cmd;
  b[4] = value & 255;
  b[5] = (value >> 8) & 255;
  b[6] = (value >> 16) & 255;
  b[7] = (value >> 24) & 255;
  return b;
}

// Padding bytes are not checked: gcc leaves them undefined, so a board may send anything.
export function decodeMessage(b: Bytes): BoardMessage {
  if (b.length !== MESSAGE_SIZE) fail(E_MSG_LENGTH);
  return { cmd: b[0], value: b[4] | (b[5] << 8) | (b[6] << 16) | (b[7] << 24) };
}
