// The reference application: the encoder steers the servo, the LED follows the light
// (darker -> brighter) until set by hand, and every change is reported as a board message
// (cmd, value); the LED's mode goes out as LED_SET (-1 automatic, else the manual duty), so
// every viewer shows what the board does. The link (MQTT or the binary WebSocket gateway) is
// plugged in by main.ts through appStart's send/error functions, so this file knows nothing
// about transports.
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

// Value of a report: -1 when that part is absent or not read yet, except LED_SET (the LED's
// mode, always known): -1 automatic, else the manual duty.
function value(cmd: number): number {
  return cmd === SERVO_ANGLE ? servoGet() : cmd === LIGHT_LEVEL ? lightGet() : cmd === LED_SET && auto ? -1 : ledGet();
}

// Every known report (SERVO_ANGLE, LIGHT_LEVEL, LED_DUTY, LED_SET) as consecutive 8-byte
// messages, `last` (if a report cmd; 0 or -1: none) at the end: a retained state topic then
// rebuilds the whole state, and a reader that keeps only the last message sees the change
// (the bridge's convention, host/bridge). Values are clamped by the drivers (-1..180), so they
// are written without encodeMessage's checks and its 8-byte temporaries: the byte array wraps
// each store, and v >> 8 is 0 or -1 (the sign bytes of -1).
export function appSnapshot(last: number): Bytes {
  // k 0..3: the others in cmd order, k 4: last
  const cs = [SERVO_ANGLE, LIGHT_LEVEL, LED_DUTY, LED_SET, last];
  const b = alloc(32);
  let o = 0;
  for (let k = 0; k < 5; k++) {
    const c = cs[k];
    const v = value(c);
    // c >> 4: LED_SET's -1 is a value (automatic), the others' means absent.
    if ((k < 4 ? c === last : last <= 0) || v < -(c >> 4)) continue;
    b[o] = c;
    b[o + 4] = v;
    b[o + 5] = b[o + 6] = b[o + 7] = v >> 8;
    o += 8;
  }
  return view(b, 0, o);
}

// The encoder counter (-90..90 by default) is the servo angle less 90.
function turned(n: number): void {
  send(SERVO_ANGLE, servoSet(n + 90));
}

function autoLed(): void {
  const l = lightGet();
  send(LED_DUTY, ledSet(l < 0 ? 0 : 100 - l));
}

function lightChanged(pct: number): void {
  send(LIGHT_LEVEL, pct);
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
      send(SERVO_ANGLE, a);
    } else if (m.cmd === LED_SET) {
      auto = m.value < 0;
      if (auto) autoLed();
      else send(LED_DUTY, ledSet(m.value));
      // The mode is the board's to report: every viewer (and the bridge) follows it.
      send(LED_SET, value(LED_SET));
    } else fail(E_MSG_NOT_COMMAND);
  } catch (x: any) {
    const code = x && x.code ? x.code : "" + x;
    console.log("pinwire: bad command " + code);
    error(code);
  }
}
