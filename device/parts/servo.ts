// A hobby servo on a 50 Hz PWM: a pulse of min..max ms (default 0.5..2.5) maps 0..180 deg.
// Parts are objects on a shared prototype made by a plain function, not classes: on Espruino a
// class costs about 20 JsVars more (its constructor, prototype links and wrapper), per kind.
import { partOption, partPins, partValue, type PartRef } from "./config";

export interface Servo {
  // Clamps to 0..180 whole degrees, drives the pin and returns the angle commanded.
  set(deg: number): number;
  // The angle last set, -1 before the first set().
  get(): number;
}

interface State extends Servo {
  _pin: any;
  _lo: number;
  _hi: number;
  _v: number;
}

const SERVO = {
  set: function (this: State, a: number): number {
    a = this._v = a < 0 ? 0 : a > 180 ? 180 : Math.round(a);
    // duty = pulse / period (20 ms)
    if (this._pin != null) analogWrite(this._pin, (this._lo + ((this._hi - this._lo) * a) / 180) / 20, { freq: 50 });
    return a;
  },
  get: partValue,
};

export function servo(d: PartRef): Servo {
  const s: State = Object.create(SERVO);
  s._pin = partPins(d);
  s._lo = partOption(d, "min", 0.5);
  s._hi = partOption(d, "max", 2.5);
  s._v = -1;
  return s;
}
