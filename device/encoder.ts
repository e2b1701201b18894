// Rotary encoder (KY-040 style quadrature): a watch on CLK, both edges, reads DT at each
// edge; DT differing from CLK means a clockwise step. One encoder per board, so the state
// lives in module variables (mangled to one letter, no property names in the bundle).
let count = 0;
let lo = -90;
let hi = 90;
let dtPin: any;
let watch: any = null;
let cb: (n: number) => void;

function edge(e: { state: boolean }): void {
  const n = count + (digitalRead(dtPin) !== +e.state ? 1 : -1);
  // At a limit further steps are dropped, so turning back moves at once.
  if (n < lo || n > hi) return;
  count = n;
  cb(n);
}

// Starts decoding; onChange(count) runs after every step that moved the counter.
export function encoderStart(clk: any, dt: any, min: number, max: number, debounce: number, onChange: (n: number) => void): void {
  encoderStop();
  lo = min;
  hi = max;
  dtPin = dt;
  cb = onChange;
  count = count < lo ? lo : count > hi ? hi : count;
  pinMode(clk, "input_pullup", false);
  pinMode(dt, "input_pullup", false);
  watch = setWatch(edge, clk, { repeat: true, edge: "both", debounce: debounce });
}

export function encoderStop(): void {
  if (watch !== null) clearWatch(watch);
  watch = null;
}

// Resync (e.g. after a remote servo command): moves the counter without a change event.
export function encoderSet(n: number): number {
  return (count = n < lo ? lo : n > hi ? hi : Math.round(n));
}

export function encoderGet(): number {
  return count;
}
