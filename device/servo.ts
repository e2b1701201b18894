// Hobby servo on a 50 Hz PWM: a pulse of minMs..maxMs (default 0.5..2.5 ms) maps 0..180 deg.
// Set by servoStart, which comes first.
let pin: any;
let minMs: number;
let maxMs: number;
let angle = -1;

export function servoStart(p: any, min: number, max: number): void {
  pin = p;
  minMs = min;
  maxMs = max;
}

// Clamps to 0..180 whole degrees, drives the pin and returns the angle commanded.
export function servoSet(a: number): number {
  a = a < 0 ? 0 : a > 180 ? 180 : Math.round(a);
  angle = a;
  // duty = pulse / period (20 ms)
  if (pin != null) analogWrite(pin, (minMs + ((maxMs - minMs) * a) / 180) / 20, { freq: 50 });
  return a;
}

// -1 until the first servoSet.
export function servoGet(): number {
  return angle;
}
