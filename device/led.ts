// LED dimmer on a PWM pin: duty 0..100 % at a configurable frequency, with an optional gamma
// so equal steps look equally bright.
// Set by ledStart, which comes first.
let pin: any;
let freq: number;
let gamma: number;
let duty = -1;

export function ledStart(p: any, frequency: number, g: number): void {
  pin = p;
  freq = frequency;
  gamma = g > 0 ? g : 1;
}

// Clamps to 0..100 whole percent, drives the pin and returns the duty set.
export function ledSet(pct: number): number {
  pct = pct < 0 ? 0 : pct > 100 ? 100 : Math.round(pct);
  duty = pct;
  if (pin != null) analogWrite(pin, gamma === 1 ? pct / 100 : Math.pow(pct / 100, gamma), { freq: freq });
  return pct;
}

// -1 until the first ledSet.
export function ledGet(): number {
  return duty;
}
