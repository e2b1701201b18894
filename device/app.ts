// The reference application: the encoder steers the servo, the LED follows the light
// (darker -> brighter) until set by hand, and every change is reported as a board message
// (cmd, value). The link (MQTT or the binary WebSocket gateway) is plugged in by main.ts
// through appStart's send/error functions, so this file knows nothing about transports.
import { alloc, type Bytes, utf8Decode, view } from "../shared/bytes";
import { fail } from "../shared/errors";
import { decodeMessage, LED_DUTY, LED_SET, LIGHT_LEVEL, parseControl, SERVO_ANGLE, SERVO_ROTATE } from "../shared/messages";
import { E_MSG_NOT_COMMAND } from "../shared/message-codes";
import { encoderSet, encoderStart } from "./encoder";
import { ledGet, ledSet, ledStart } from "./led";
import { lightGet, lightStart } from "./light";
import { servoGet, servoSet, servoStart } from "./servo";

let auto = true;
let send: (cmd: number, value: number) => void;
let error: (code: string) => void;

function report(cmd: number, value: number): void {
  send(cmd, value);
}

// Known value of a report (-1 when that part is absent or not read yet).
function value(cmd: number): number {
  return cmd === SERVO_ANGLE ? servoGet() : cmd === LIGHT_LEVEL ? lightGet() : ledGet();
}

// Every known report (SERVO_ANGLE, LIGHT_LEVEL, LED_DUTY) as consecutive 8-byte messages,
// `last` (if a report cmd; 0 or -1: none) at the end: a retained state topic then rebuilds the whole state, and a reader that
// keeps only the last message sees the change (the bridge's convention, host/bridge).
// Values are clamped by the drivers, so they are written without encodeMessage's checks
// and its 8-byte temporaries.
export function appSnapshot(last: number): Bytes {
  // k 0..2: the others in cmd order, k 3: last
  const cs = [SERVO_ANGLE, LIGHT_LEVEL, LED_DUTY, last];
  const b = alloc(24);
  let o = 0;
  for (let k = 0; k < 4; k++) {
    const c = cs[k];
    const v = value(c);
    if ((k < 3 ? c === last : last <= 0) || v < 0) continue;
    b[o] = c;
    b[o + 4] = v & 255;
    b[o + 5] = (v >> 8) & 255;
    o += 8;
  }
  return view(b, 0, o);
}

// The encoder counter (-90..90 by default) is the servo angle less 90.
function turned(n: number): void {
  report(SERVO_ANGLE, servoSet(n + 90));
}

function autoLed(): void {
  const l = lightGet();
  report(LED_DUTY, ledSet(l < 0 ? 0 : 100 - l));
}

function lightChanged(pct: number): void {
  report(LIGHT_LEVEL, pct);
  if (auto) autoLed();
}

function opt(o: any, k: string, d: number): number {
  return o && typeof o[k] === "number" ? o[k] : d;
}

// pins: the board's pin map merged with the config's; null/undefined leaves a part out.
export function appStart(cfg: any, pins: any, sendMsg: (cmd: number, value: number) => void, sendError: (code: string) => void): void {
  send = sendMsg;
  error = sendError;
  const e = cfg.encoder;
  const l = cfg.light;
  servoStart(pins.servo, opt(cfg.servo, "min", 0.5), opt(cfg.servo, "max", 2.5));
  // The ESP8266's PWM has one frequency for every pin: the LED shares the servo's 50 Hz there.
  ledStart(pins.led, opt(cfg.led, "freq", PINWIRE_BOARD === "esp8266" ? 50 : 1000), opt(cfg.led, "gamma", 1));
  servoSet(90);
  if (pins.clk != null && pins.dt != null) encoderStart(pins.clk, pins.dt, opt(e, "min", -90), opt(e, "max", 90), opt(e, "debounce", 2), turned);
  if (pins.light != null)
    lightStart(pins.light, opt(l, "period", 250), opt(l, "avg", 4), opt(l, "dark", 0), opt(l, "bright", 1), opt(l, "hyst", 2), lightChanged);
  else autoLed();
}

// One command from the link: an 8-byte message or a JSON control. A bad one is logged and
// reported through the error function; it never throws.
export function appCommand(b: Bytes): void {
  try {
    const m = b[0] === 123 ? parseControl(utf8Decode(b, 0, b.length) || "") : decodeMessage(b);
    if (m.cmd === SERVO_ROTATE) {
      const a = servoSet(m.value);
      encoderSet(a - 90);
      report(SERVO_ANGLE, a);
    } else if (m.cmd === LED_SET) {
      auto = m.value < 0;
      if (auto) autoLed();
      else report(LED_DUTY, ledSet(m.value));
    } else fail(E_MSG_NOT_COMMAND);
  } catch (x: any) {
    const code = x && x.code ? x.code : "" + x;
    console.log("pinwire: bad command " + code);
    error(code);
  }
}
