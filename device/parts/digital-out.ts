// A digital output (a relay, an LED on/off): set(1) drives it on; `invert` for active-low
// wiring (most relay boards); `initial` its state at start (default off). (Parts: see servo.ts.)
import { partOption, partPins, partValue, type PartRef } from "./config";

export interface DigitalOut {
  set(on: number | boolean): number;
  get(): number;
}

interface State extends DigitalOut {
  _pin: any;
  _inv: boolean;
  _v: number;
}

const DIGITAL_OUT = {
  set: function (this: State, on: number | boolean): number {
    const v = (this._v = on ? 1 : 0);
    if (this._pin != null) digitalWrite(this._pin, this._inv ? 1 - v : v);
    return v;
  },
  get: partValue,
};

export function digitalOut(d: PartRef): DigitalOut {
  const o: State = Object.create(DIGITAL_OUT);
  o._pin = partPins(d);
  o._inv = !!d.o.invert;
  o.set(partOption(d, "initial", 0));
  return o;
}
