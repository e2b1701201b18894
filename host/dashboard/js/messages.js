// The 8-byte board message in the browser: C `struct { uint8_t cmd; int32_t value; }`,
// little-endian, 3 padding bytes (the same bytes as shared/messages.ts, which is TypeScript
// and cannot be served as is without a build step).
export const SERVO_ANGLE = 12; // report, degrees 0..180
export const SERVO_ROTATE = 13; // command, degrees 0..180
export const LIGHT_LEVEL = 14; // report, % 0..100
export const LED_DUTY = 15; // report, % 0..100
export const LED_SET = 16; // command, 0..100 manual, -1 automatic; also the board's mode report
export const STATUS = 17; // 1 online, 0 offline
export const MESSAGE_SIZE = 8;

// [min, max] per cmd, indexed by cmd - SERVO_ANGLE.
const RANGE = [[0, 180], [0, 180], [0, 100], [0, 100], [-1, 100], [0, 1]];

export function inRange(cmd, value) {
  const r = RANGE[cmd - SERVO_ANGLE];
  return r !== undefined && Number.isInteger(value) && value >= r[0] && value <= r[1];
}

// Throws RangeError for an unknown cmd or a value the board would reject: the page must
// never put a message on the wire that makes the gateway close the socket.
export function encodeMessage(cmd, value) {
  if (!inRange(cmd, value)) throw new RangeError("bad message " + cmd + "/" + value);
  const buf = new ArrayBuffer(MESSAGE_SIZE);
  const v = new DataView(buf);
  v.setUint8(0, cmd);
  v.setInt32(4, value, true);
  return buf;
}

// Every message of a binary frame (one or more whole messages). Returns null when the
// frame is not a whole number of messages; skips a message with an unknown cmd or a value
// out of range (padding bytes are not checked, as in shared/messages.ts).
export function decodeMessages(buf) {
  const bytes = buf instanceof ArrayBuffer ? new Uint8Array(buf) : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  if (bytes.length === 0 || bytes.length % MESSAGE_SIZE !== 0) return null;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = [];
  for (let o = 0; o < bytes.length; o += MESSAGE_SIZE) {
    const cmd = v.getUint8(o);
    const value = v.getInt32(o + 4, true);
    if (inRange(cmd, value)) out.push({ cmd, value });
  }
  return out;
}
