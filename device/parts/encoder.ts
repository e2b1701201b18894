// A rotary encoder (KY-040 style quadrature): a watch on CLK, both edges, reads DT at each
// edge; DT differing from CLK means a clockwise step. The count stays within min..max: at a
// limit further steps are dropped, so turning back moves at once. (Parts: see servo.ts.)
import { partOption, partPins, partValue, type PartRef } from "./config";

export interface Encoder {
  // fn(count) after every step that moved the count.
  on(fn: (count: number) => void): void;
  // Moves the count (e.g. to follow a remote command) without calling on's function.
  set(n: number): number;
  get(): number;
}

interface State extends Encoder {
  _v: number;
  _lo: number;
  _hi: number;
  _cb: ((n: number) => void) | null;
}

const ENCODER = {
  on: function (this: State, fn: (n: number) => void): void {
    this._cb = fn;
  },
  set: function (this: State, n: number): number {
    return (this._v = n < this._lo ? this._lo : n > this._hi ? this._hi : Math.round(n));
  },
  get: partValue,
};

// The watch's callback keeps only this small scope.
function watch(e: State, clk: any, dt: any, debounce: number): void {
  setWatch(
    function (ev: { state: boolean }) {
      const n = e._v + (digitalRead(dt) !== +ev.state ? 1 : -1);
      if (n < e._lo || n > e._hi) return;
      e._v = n;
      if (e._cb) e._cb(n);
    },
    clk,
    { repeat: true, edge: "both", debounce: debounce },
  );
}

export function encoder(d: PartRef): Encoder {
  const e: State = Object.create(ENCODER);
  const p = partPins(d);
  e._lo = partOption(d, "min", -90);
  e._hi = partOption(d, "max", 90);
  e._cb = null;
  e.set(0);
  if (p && p.clk != null && p.dt != null) {
    pinMode(p.clk, "input_pullup", false);
    pinMode(p.dt, "input_pullup", false);
    watch(e, p.clk, p.dt, partOption(d, "debounce", 2));
  }
  return e;
}
