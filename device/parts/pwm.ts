// A PWM output, 0..100 % (an LED dimmer, a motor driver's enable), at a frequency and with an
// optional gamma so that equal steps look equally bright. (Parts: see servo.ts.)
import { partOption, partPins, partValue, type PartRef } from "./config";

export interface Pwm {
  // Clamps to 0..100 whole percent, drives the pin and returns the duty set.
  set(pct: number): number;
  // The duty last set, -1 before the first set().
  get(): number;
}

interface State extends Pwm {
  _pin: any;
  _f: number;
  _g: number;
  _v: number;
}

const PWM = {
  set: function (this: State, pct: number): number {
    pct = this._v = pct < 0 ? 0 : pct > 100 ? 100 : Math.round(pct);
    if (this._pin != null) analogWrite(this._pin, this._g === 1 ? pct / 100 : Math.pow(pct / 100, this._g), { freq: this._f });
    return pct;
  },
  get: partValue,
};

export function pwm(d: PartRef): Pwm {
  const p: State = Object.create(PWM);
  p._pin = partPins(d);
  // The ESP8266 has one PWM clock for every pin and a servo needs 50 Hz: there every PWM
  // output runs at 50 Hz, whatever the declaration says, unless pinwire.json sets a freq.
  p._f = PINWIRE_BOARD === "esp8266" ? partOption({ n: d.n, p: 0, o: {} }, "freq", 50) : partOption(d, "freq", 1000);
  p._g = partOption(d, "gamma", 1);
  p._v = -1;
  return p;
}
