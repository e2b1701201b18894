// `pinwire/device`: what an app's code uses on the board. Parts are instances (several of a kind
// per board), made from the declarations in the app's declaration file (pinwire/app); messages
// are the declaration's constants.
//
//   import { servo, encoder, report, on } from "pinwire/device";
//   import { servo as servoPart, encoder as knob, SERVO_ANGLE, SERVO_ROTATE } from "./app";
//   const s = servo(servoPart);
//   const k = encoder(knob);
//   k.on((n) => report(SERVO_ANGLE, s.set(n + 90)));
//   on(SERVO_ROTATE, (deg) => { k.set(deg - 90); report(SERVO_ANGLE, s.set(deg)); });
import type { Msg, PartDecl } from "./declare";
import { analogIn as analogInPart, type AnalogIn } from "./parts/analog-in";
import { button as buttonPart, type Button } from "./parts/button";
import { digitalOut as digitalOutPart, type DigitalOut } from "./parts/digital-out";
import { encoder as encoderPart, type Encoder } from "./parts/encoder";
import { pwm as pwmPart, type Pwm } from "./parts/pwm";
import { servo as servoPart, type Servo } from "./parts/servo";
import { on as onMessage, publish as publishRaw, report as reportMessage, subscribe as subscribeRaw } from "./runtime";

export type { AnalogIn, Button, DigitalOut, Encoder, Pwm, Servo };
export type { Msg, PartDecl } from "./declare";
export { log } from "./log";

// Each takes the part's declaration (pinwire/app part(kind, ...)); on the board the build
// has turned it into that board's pins and options.
export const servo: (d: PartDecl<"servo">) => Servo = servoPart as any;
export const encoder: (d: PartDecl<"encoder">) => Encoder = encoderPart as any;
export const analogIn: (d: PartDecl<"analogIn">) => AnalogIn = analogInPart as any;
export const pwm: (d: PartDecl<"pwm">) => Pwm = pwmPart as any;
export const button: (d: PartDecl<"button">) => Button = buttonPart as any;
export const digitalOut: (d: PartDecl<"digitalOut">) => DigitalOut = digitalOutPart as any;

// Sends a declared message (a report) with its value: at once, and in the retained snapshot.
export const report: <V>(m: Msg<V>, value: V) => void = reportMessage as any;

// Runs fn with the value of every accepted command of that message (range, unit and size
// checked against the declaration; a refused one is reported on pinwire/<id>/error).
export const on: <V>(m: Msg<V>, fn: (value: V) => void) => void = onMessage as any;

// Any MQTT topic, as given (QoS 0, 1 or 2; retained or not). Only in MQTT mode.
export const publish: (topic: string, payload: Uint8Array | string, qos?: 0 | 1 | 2, retain?: boolean) => void = publishRaw;

// Any MQTT topic filter (wildcards allowed); fn(payload, topic) for each message. Only in MQTT mode.
export const subscribe: (filter: string, fn: (payload: Uint8Array, topic: string) => void) => void = subscribeRaw;
