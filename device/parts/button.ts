// A push button (or any digital input) with debounce: fn(true) when pressed, fn(false) when
// released. Wired to ground with the internal pull-up by default, so pressed reads 0; `pull`
// "down" (pressed reads 1) or "none", `invert` to swap. (Parts: see servo.ts.)
import { partOption, partPins, type PartRef } from "./config";

export interface Button {
  on(fn: (pressed: boolean) => void): void;
  // Whether it is pressed now.
  get(): boolean;
}

interface State extends Button {
  _pin: any;
  _up: boolean;
  _cb: ((p: boolean) => void) | null;
}

const BUTTON = {
  on: function (this: State, fn: (pressed: boolean) => void): void {
    this._cb = fn;
  },
  get: function (this: State): boolean {
    return this._pin != null && !!digitalRead(this._pin) !== this._up;
  },
};

function watchButton(b: State, debounce: number): void {
  setWatch(
    function (e: { state: boolean }) {
      if (b._cb) b._cb(e.state !== b._up);
    },
    b._pin,
    { repeat: true, edge: "both", debounce: debounce },
  );
}

export function button(d: PartRef): Button {
  const b: State = Object.create(BUTTON);
  const pull = d.o.pull || "up";
  b._pin = partPins(d);
  b._up = (pull === "up") !== !!d.o.invert;
  b._cb = null;
  if (b._pin != null) {
    pinMode(b._pin, pull === "up" ? "input_pullup" : pull === "down" ? "input_pulldown" : "input", false);
    watchButton(b, partOption(d, "debounce", 25));
  }
  return b;
}
