// Where a part's pins and options come from: its declaration (device/declare.ts, reduced by the
// build to {n: name, p: pins for this board, o: options}), overridden per board by pinwire.json:
//   "pins":  {"servo": "D4", "encoder": {"clk": "D5", "dt": "D6"}, "light": null}
//   "parts": {"light": {"period": 40}, "servo": {"max": 2.4}}
// null leaves a part out: it keeps working (get() answers) and drives nothing.
import { configFile } from "../config";

// A part's declaration as the board bundle carries it.
export interface PartRef {
  n: string;
  p: any;
  o: any;
}

let overrides: any = 0;

// The part's pins: a name, an object of roles, or null. Each part asks for them first: this
// reads pinwire.json's overrides once, for every part.
export function partPins(d: PartRef): any {
  if (overrides === 0) {
    const c = configFile();
    overrides = { p: (c && c.pins) || {}, o: (c && c.parts) || {} };
  }
  const p = overrides.p[d.n];
  return p === undefined ? d.p : p;
}

// The part's number option k: pinwire.json's, else the declaration's, else def.
export function partOption(d: PartRef, k: string, def: number): number {
  const o = overrides.o[d.n];
  const v = o && typeof o[k] === "number" ? o[k] : d.o[k];
  return typeof v === "number" ? v : def;
}

// get() of the parts that keep their value in _v: one function for every kind (each function
// costs the board about 4 JsVars).
export function partValue(this: { _v: any }): any {
  return this._v;
}
