// An analog input in percent (a light sensor on the ADC): sampled every `period` ms, smoothed by
// an exponential moving average over about `avg` readings (no sample buffer: each element would
// cost a JsVar), mapped from the calibrated raw `dark`..`bright` readings (analogRead's 0..1;
// dark > bright is fine for inverted wiring) to 0..100, and reported when it moved by `hyst`
// points or reached an end. (Parts: see servo.ts.)
import { partOption, partPins, partValue, type PartRef } from "./config";

export interface AnalogIn {
  // fn(percent) on every reported change (the first reading included).
  on(fn: (pct: number) => void): void;
  // The last reported level, -1 before the first reading (or with no pin).
  get(): number;
}

interface State extends AnalogIn {
  _pin: any;
  _dark: number;
  _span: number;
  _w: number;
  _h: number;
  _avg: number;
  _v: number;
  _cb: ((pct: number) => void) | null;
}

const ANALOG_IN = {
  on: function (this: State, fn: (pct: number) => void): void {
    this._cb = fn;
    if (this._v >= 0) fn(this._v);
  },
  get: partValue,
};

function sample(a: State): void {
  const v = analogRead(a._pin);
  const m = (a._avg = a._avg < 0 ? v : a._avg + (v - a._avg) * a._w);
  let p = Math.round((100 * (m - a._dark)) / a._span);
  p = p < 0 ? 0 : p > 100 ? 100 : p;
  const l = a._v;
  if (l < 0 || p - l >= a._h || l - p >= a._h || (p !== l && (p === 0 || p === 100))) {
    a._v = p;
    if (a._cb) a._cb(p);
  }
}

export function analogIn(d: PartRef): AnalogIn {
  const a: State = Object.create(ANALOG_IN);
  a._pin = partPins(d);
  a._dark = partOption(d, "dark", 0);
  const b = partOption(d, "bright", 1);
  a._span = b === a._dark ? 1 : b - a._dark;
  const n = partOption(d, "avg", 4);
  a._w = n > 1 ? 1 / n : 1;
  const h = partOption(d, "hyst", 2);
  a._h = h > 0 ? h : 1;
  a._avg = a._v = -1;
  a._cb = null;
  if (a._pin != null) {
    sample(a);
    // The part is the timer's argument (Espruino passes it on): no closure to keep.
    setInterval(sample, partOption(d, "period", 250), a);
  }
  return a;
}
