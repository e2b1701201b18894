// The board's GPIO as the firmware sees it: modes, output levels, PWM, ADC inputs and
// setWatch. The host side (peripherals, tests) drives inputs with `drive` and reads back
// outputs (through `observe`: every change the firmware makes is reported as it happens);
// watch callbacks are queued and delivered from the event loop, as Espruino's idle loop
// does, with optional debounce.
import type { PinState as PinReport } from "./protocol";
import type { Runner } from "./timers";

export type Level = 0 | 1;

interface PinState {
  mode?: string;
  forced: boolean; // pinMode(..., automatic=false) or an explicit mode: reads/writes keep it
  out?: Level;
  drive?: Level; // level forced from outside (a peripheral); undefined = floating
  pwm?: { duty: number; freq: number };
  pulse?: { value: Level; ms: number };
  analog?: number; // 0..1 seen by analogRead
}

export interface WatchOptions {
  edge?: unknown;
  repeat?: boolean;
  debounce?: number;
  data?: string; // resolved pin name
}

interface Watch {
  id: number;
  pin: string;
  fn: unknown;
  edge: 1 | -1 | 0; // rising, falling, both
  repeat: boolean;
  debounce: number;
  data?: string;
  state: Level; // last reported level
  lastTime: number;
  pendingTime: number; // time of the edge a debounce timer is waiting to confirm
  timer?: NodeJS.Timeout;
}

export interface WatchEvent {
  state: boolean;
  time: number;
  lastTime: number;
  data?: boolean;
}

export function now(): number {
  return (performance.timeOrigin + performance.now()) / 1000;
}

export class PinBank {
  private pins = new Map<string, PinState>();
  private watches = new Map<number, Watch>();
  private nextWatch = 1;
  private queue: Array<() => void> = [];
  private draining = false;
  private idleWaiters: Array<() => void> = [];
  // Told the pin's new state whenever the firmware changes a pin (mode, output, PWM, watches).
  observe?: (name: string, state: PinReport) => void;

  constructor(
    readonly names: string[],
    private run: Runner,
    private makeEvent: (e: WatchEvent) => unknown,
  ) {
    for (const n of names) this.pins.set(n, { forced: false });
  }

  has(name: string): boolean {
    return this.pins.has(name);
  }

  private tell(name: string): void {
    if (!this.observe) return;
    const s = this.st(name);
    this.observe(name, { mode: s.mode, out: s.out, pwm: s.pwm && { ...s.pwm }, pulse: s.pulse && { ...s.pulse }, watches: this.watchesOn(name) });
  }

  private st(name: string): PinState {
    const s = this.pins.get(name);
    if (!s) throw new Error("Invalid pin " + name);
    return s;
  }

  // The level the pin shows: its own output when driving, else the outside world, else pulls.
  level(name: string): Level {
    const s = this.st(name);
    if ((s.mode === "output" || s.mode === "opendrain" || s.mode === "af_output") && s.out !== undefined) return s.out;
    if (s.drive !== undefined) return s.drive;
    return s.mode === "input_pullup" ? 1 : 0;
  }

  // --- firmware side
  setMode(name: string, mode: string | undefined, forced: boolean): void {
    const s = this.st(name);
    const before = this.level(name);
    s.mode = mode;
    s.forced = forced;
    this.tell(name);
    this.changed(name, before);
  }

  getMode(name: string): string {
    return this.st(name).mode ?? "input";
  }

  digitalWrite(name: string, v: Level): void {
    const s = this.st(name);
    const before = this.level(name);
    if (!s.forced || !s.mode || s.mode.startsWith("input")) s.mode = s.mode === "opendrain" ? s.mode : "output";
    s.out = v;
    s.pwm = undefined;
    this.tell(name);
    this.changed(name, before);
  }

  digitalRead(name: string): Level {
    const s = this.st(name);
    if (!s.forced && (s.mode === undefined || s.mode === "analog")) {
      s.mode = "input";
      this.tell(name);
    }
    return this.level(name);
  }

  analogWrite(name: string, duty: number, freq: number): void {
    const s = this.st(name);
    s.mode = "output";
    s.pwm = { duty, freq };
    s.out = duty >= 1 ? 1 : 0;
    this.tell(name);
  }

  pulse(name: string, value: Level, ms: number): void {
    const s = this.st(name);
    s.mode = "output";
    s.pwm = undefined;
    s.pulse = { value, ms };
    s.out = (1 - value) as Level;
    this.tell(name);
  }

  analogRead(name: string): number {
    return this.st(name).analog ?? 0;
  }

  // --- outside world
  drive(name: string, v: Level | undefined): void {
    const before = this.level(name);
    this.st(name).drive = v;
    this.changed(name, before);
  }

  setAnalog(name: string, v: number): void {
    this.st(name).analog = Math.min(1, Math.max(0, v));
  }

  // --- watches
  addWatch(fn: unknown, pin: string, o: WatchOptions): number {
    if (typeof fn !== "function" && typeof fn !== "string") throw new TypeError("Function or String not supplied!");
    this.st(pin);
    const edge = o.edge === "rising" || o.edge === 1 ? 1 : o.edge === "falling" || o.edge === -1 ? -1 : 0;
    const w: Watch = {
      id: this.nextWatch++,
      pin,
      fn,
      edge,
      repeat: !!o.repeat,
      debounce: Number(o.debounce) > 0 ? Number(o.debounce) : 0,
      data: o.data,
      state: this.level(pin),
      lastTime: now(),
      pendingTime: 0,
    };
    this.watches.set(w.id, w);
    this.tell(pin);
    return w.id;
  }

  clearWatch(id?: unknown): void {
    if (id === undefined) {
      const pins = new Set([...this.watches.values()].map((w) => w.pin));
      for (const w of this.watches.values()) clearTimeout(w.timer);
      this.watches.clear();
      for (const p of pins) this.tell(p);
      return;
    }
    const w = this.watches.get(Number(id));
    if (!w) throw new Error("Unknown Watch " + String(id));
    clearTimeout(w.timer);
    this.watches.delete(w.id);
    this.tell(w.pin);
    if (w.timer) this.kick(); // a settled() waiting on this debounce must not hang
  }

  watchCounts(): Record<string, number> {
    const r: Record<string, number> = {};
    for (const w of this.watches.values()) r[w.pin] = (r[w.pin] ?? 0) + 1;
    return r;
  }

  watchCallbacks(): unknown[] {
    return [...this.watches.values()].map((w) => w.fn);
  }

  watchesOn(pin: string): number {
    let n = 0;
    for (const w of this.watches.values()) if (w.pin === pin) n++;
    return n;
  }

  private changed(pin: string, before: Level): void {
    const after = this.level(pin);
    if (after === before) return;
    const t = now();
    for (const w of this.watches.values()) {
      if (w.pin !== pin) continue;
      if (!w.debounce) {
        this.report(w, after, t);
        continue;
      }
      // Debounce: the level must hold for `debounce` ms; the event carries the edge's time.
      clearTimeout(w.timer);
      w.pendingTime = t;
      w.timer = setTimeout(() => {
        w.timer = undefined;
        if (this.watches.get(w.id) === w) this.report(w, this.level(pin), w.pendingTime);
        this.kick();
      }, w.debounce);
    }
  }

  private report(w: Watch, state: Level, t: number): void {
    if (state === w.state) return;
    w.state = state;
    if (w.edge !== 0 && (w.edge === 1) !== (state === 1)) return;
    const e: WatchEvent = { state: state === 1, time: t, lastTime: w.lastTime };
    w.lastTime = t;
    if (w.data !== undefined) e.data = this.level(w.data) === 1;
    if (!w.repeat) {
      this.watches.delete(w.id);
      this.tell(w.pin);
    }
    this.queue.push(() => this.run(w.fn, [this.makeEvent(e)]));
    this.kick();
  }

  private kick(): void {
    if (this.draining) return;
    this.draining = true;
    setImmediate(() => {
      this.draining = false;
      const q = this.queue;
      this.queue = [];
      for (const job of q) job();
      if (this.queue.length) return this.kick();
      if (this.idle()) for (const r of this.idleWaiters.splice(0)) r();
    });
  }

  // No watch event queued and no debounce timer waiting.
  idle(): boolean {
    if (this.queue.length || this.draining) return false;
    for (const w of this.watches.values()) if (w.timer) return false;
    return true;
  }

  // Resolves once every edge so far has been delivered (or dropped by debounce).
  settled(): Promise<void> {
    if (this.idle()) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  // Reboot: the firmware's view goes back to power-on; the outside world stays as it is.
  reset(): void {
    this.clearWatch();
    this.queue = [];
    for (const [name, s] of this.pins) {
      const was = s.mode !== undefined || s.out !== undefined || s.pwm || s.pulse;
      s.mode = undefined;
      s.forced = false;
      s.out = undefined;
      s.pwm = undefined;
      s.pulse = undefined;
      if (was) this.tell(name);
    }
    for (const r of this.idleWaiters.splice(0)) r();
  }
}
