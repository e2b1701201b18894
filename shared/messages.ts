// The board message: C `struct { uint8_t cmd; int32_t value; }` with gcc's natural
// alignment, 8 bytes little-endian (3 padding bytes). The same message travels on MQTT
// (pinwire/<id>/state and /cmd) and on the binary WebSocket gateway.
import { alloc, type Bytes } from "./bytes";
import { fail } from "./errors";
import {
  E_CONTROL_JSON,
  E_CONTROL_RANGE,
  E_CONTROL_TYPE,
  E_CONTROL_UNIT,
  E_CONTROL_UNKNOWN,
  E_MSG_CMD,
  E_MSG_LENGTH,
  E_MSG_RANGE,
} from "./message-codes";

export const SERVO_ANGLE = 12; // board reports, degrees 0..180
export const SERVO_ROTATE = 13; // set, degrees 0..180
export const LIGHT_LEVEL = 14; // board reports, % 0..100
export const LED_DUTY = 15; // board reports, % 0..100
export const LED_SET = 16; // set: 0..100 manual, -1 automatic; also the board's report of its LED mode
export const STATUS = 17; // 1 online, 0 offline

export const MESSAGE_SIZE = 8;

// [min, max] of value per cmd, indexed by cmd - 12.
const RANGE = [0, 180, 0, 180, 0, 100, 0, 100, -1, 100, 0, 1];

export interface BoardMessage {
  cmd: number;
  value: number;
}

function checkRange(cmd: number, value: number, code: string): void {
  const k = (cmd - SERVO_ANGLE) * 2;
  if (!(k >= 0 && k < RANGE.length)) fail(E_MSG_CMD);
  if (!(value >= RANGE[k] && value <= RANGE[k + 1])) fail(code);
}

export function encodeMessage(cmd: number, value: number): Bytes {
  checkRange(cmd, value, E_MSG_RANGE);
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
  const value = b[4] | (b[5] << 8) | (b[6] << 16) | (b[7] << 24);
  checkRange(b[0], value, E_MSG_RANGE);
  return { cmd: b[0], value: value };
}

// JSON controls: {"control":"SERVO","value":120,"unit":"deg"} -> SERVO_ROTATE,
// {"control":"PWM","value":50,"unit":"%"} -> LED_SET (value -1: back to automatic).
// `unit` may be left out; when given it must be the control's unit. Fractions round to
// the nearest integer (the wire carries int32).
export function parseControl(json: string): BoardMessage {
  let o: any;
  try {
    o = JSON.parse(json);
  } catch (e) {
    o = null;
  }
  if (!o || typeof o !== "object") fail(E_CONTROL_JSON);
  let cmd = 0;
  let unit = "";
  if (o.control === "SERVO") {
    cmd = SERVO_ROTATE;
    unit = "deg";
  } else if (o.control === "PWM") {
    cmd = LED_SET;
    unit = "%";
  } else fail(E_CONTROL_UNKNOWN);
  if (o.unit !== undefined && o.unit !== unit) fail(E_CONTROL_UNIT);
  const v = o.value;
  if (typeof v !== "number" || v !== v || v === Infinity || v === -Infinity) fail(E_CONTROL_TYPE);
  const value = Math.round(v);
  checkRange(cmd, value, E_CONTROL_RANGE);
  return { cmd: cmd, value: value };
}
