// Light sensor on an ADC pin: sampled on a timer, smoothed by an exponential moving average
// (no sample buffer: each array element would cost a JsVar), mapped from the calibrated
// dark..bright raw readings (analogRead's 0..1; dark > bright is fine for inverted wiring)
// to 0..100 %, and reported only when it moved by at least `hyst` percent.
// Set by lightStart.
let pin: any;
let dark: number;
let bright: number;
let weight: number;
let hyst: number;
let avg = -1;
let level = -1;
let timer: any = null;
let cb: (pct: number) => void;

function sample(): void {
  const v = analogRead(pin);
  avg = avg < 0 ? v : avg + (v - avg) * weight;
  let p = Math.round((100 * (avg - dark)) / (bright - dark));
  p = p < 0 ? 0 : p > 100 ? 100 : p;
  if (level < 0 || p - level >= hyst || level - p >= hyst || (p !== level && (p === 0 || p === 100))) {
    level = p;
    cb(p);
  }
}

// samples: the averaging span (about how many readings a step needs to settle).
export function lightStart(p: any, periodMs: number, samples: number, rawDark: number, rawBright: number, hysteresis: number, onChange: (pct: number) => void): void {
  lightStop();
  pin = p;
  dark = rawDark;
  bright = rawBright === rawDark ? rawDark + 1 : rawBright;
  weight = samples > 1 ? 1 / samples : 1;
  hyst = hysteresis > 0 ? hysteresis : 1;
  cb = onChange;
  avg = level = -1;
  sample();
  timer = setInterval(sample, periodMs);
}

export function lightStop(): void {
  if (timer !== null) clearInterval(timer);
  timer = null;
}

// Last reported level in %, -1 before the first reading.
export function lightGet(): number {
  return level;
}
