// The board's pins as the world around it sees them, on the host's thread: what the firmware
// drives (reported by the board thread as it happens, in order with everything else it says)
// and what the outside drives (peripherals, tests), which goes to the board thread.
import type { PinState, ToBoard } from "./protocol";

export type Level = 0 | 1;

interface Seen extends PinState {
  drive?: Level;
  analog?: number;
}

export class PinView {
  private pins = new Map<string, Seen>();

  constructor(
    readonly names: string[],
    private send: (m: ToBoard) => void,
    private whenSettled: () => Promise<void>,
  ) {
    for (const n of names) this.pins.set(n, { watches: 0 });
  }

  has(name: string): boolean {
    return this.pins.has(name);
  }

  private st(name: string): Seen {
    const s = this.pins.get(name);
    if (!s) throw new Error("Invalid pin " + name);
    return s;
  }

  update(name: string, state: PinState): void {
    const s = this.st(name);
    Object.assign(s, { mode: state.mode, out: state.out, pwm: state.pwm, pulse: state.pulse, watches: state.watches });
  }

  // Power off (the thread ended): the firmware drives nothing; the outside stays as it is.
  powerOff(): void {
    for (const s of this.pins.values()) Object.assign(s, { mode: undefined, out: undefined, pwm: undefined, pulse: undefined, watches: 0 });
  }

  // The level the pin shows: its own output when driving, else the outside world, else pulls.
  level(name: string): Level {
    const s = this.st(name);
    if ((s.mode === "output" || s.mode === "opendrain" || s.mode === "af_output") && s.out !== undefined) return s.out;
    if (s.drive !== undefined) return s.drive;
    return s.mode === "input_pullup" ? 1 : 0;
  }

  drive(name: string, v: Level | undefined): void {
    this.st(name).drive = v;
    this.send({ op: "drive", pin: name, level: v });
  }

  isDriven(name: string): boolean {
    return this.st(name).drive !== undefined;
  }

  setAnalog(name: string, v: number): void {
    const value = Math.min(1, Math.max(0, v));
    this.st(name).analog = value;
    this.send({ op: "analog", pin: name, value });
  }

  // A new board thread (after a watchdog reset) starts with the outside world as it is.
  replay(): void {
    for (const [name, s] of this.pins) {
      if (s.drive !== undefined) this.send({ op: "drive", pin: name, level: s.drive });
      if (s.analog !== undefined) this.send({ op: "analog", pin: name, value: s.analog });
    }
  }

  pwm(name: string): { duty: number; freq: number } | undefined {
    return this.st(name).pwm;
  }

  lastPulse(name: string): { value: Level; ms: number } | undefined {
    return this.st(name).pulse;
  }

  output(name: string): Level | undefined {
    return this.st(name).out;
  }

  getMode(name: string): string {
    return this.st(name).mode ?? "input";
  }

  watchesOn(name: string): number {
    return this.st(name).watches;
  }

  // Resolves once every edge driven so far has been delivered to the board's watches (or
  // dropped by their debounce).
  settled(): Promise<void> {
    return this.whenSettled();
  }
}
