// Espruino's timers: numeric ids from 1, setTimeout/setInterval/changeInterval, a clear-all
// on reset. Like the firmware's timer list, the board's timers are one queue ordered by due
// time (ties in creation order) driven by a single host timeout, so a 1 ms timeout always
// runs before a 6 ms one set just earlier, however late the host loop comes round.
// Each callback runs through `run`, which prints uncaught errors.
export type Runner = (fn: unknown, args: unknown[]) => void;

interface Timer {
  id: number;
  fn: unknown;
  args: unknown[];
  ms: number;
  repeat: boolean;
  due: number; // performance.now() time
  seq: number; // creation / rescheduling order for ties
}

export class TimerTable {
  private timers = new Map<number, Timer>();
  private nextId = 1;
  private seq = 0;
  private handle?: NodeJS.Timeout;
  private armedFor = Infinity;

  constructor(private run: Runner) {}

  get count(): number {
    return this.timers.size;
  }

  add(fn: unknown, ms: unknown, args: unknown[], repeat: boolean): number {
    if (typeof fn !== "function" && typeof fn !== "string") throw new TypeError("Function or String not supplied!");
    const id = this.nextId++;
    const t: Timer = { id, fn, args, ms: clampMs(ms), repeat, due: 0, seq: 0 };
    t.due = performance.now() + t.ms;
    t.seq = this.seq++;
    this.timers.set(id, t);
    this.arm();
    return id;
  }

  private earliest(): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers.values()) if (!best || t.due < best.due || (t.due === best.due && t.seq < best.seq)) best = t;
    return best;
  }

  private arm(): void {
    const next = this.earliest();
    if (!next) {
      clearTimeout(this.handle);
      this.handle = undefined;
      this.armedFor = Infinity;
      return;
    }
    if (this.handle && this.armedFor <= next.due) return;
    clearTimeout(this.handle);
    this.armedFor = next.due;
    this.handle = setTimeout(() => this.fire(), Math.max(0, next.due - performance.now()));
  }

  private fire(): void {
    this.handle = undefined;
    this.armedFor = Infinity;
    const now = performance.now();
    // Run everything due now, in order; callbacks may add or clear timers as they go.
    for (;;) {
      const t = this.earliest();
      if (!t || t.due > now) break;
      if (t.repeat) {
        // Intervals keep their phase (no drift; a late loop catches up in due order) unless
        // more than a second behind, so a long stall does not replay a flood of calls.
        t.due += Math.max(t.ms, 1);
        if (t.due < now - 1000) t.due = now;
        t.seq = this.seq++;
      } else this.timers.delete(t.id);
      this.run(t.fn, t.args);
    }
    this.arm();
  }

  // Espruino's clearTimeout()/clearInterval() with no argument clears every timer.
  clear(id?: unknown): void {
    if (id === undefined) return this.clearAll();
    if (this.timers.delete(Number(id))) this.arm();
  }

  change(id: unknown, ms: unknown): void {
    const t = this.timers.get(Number(id));
    if (!t) throw new Error("Unknown Interval");
    t.ms = clampMs(ms);
    t.due = performance.now() + t.ms;
    this.arm();
  }

  clearAll(): void {
    this.timers.clear();
    this.arm();
  }

  // The timers still held, for the memory model.
  entries(): Array<{ fn: unknown; args: unknown[]; repeat: boolean }> {
    return [...this.timers.values()].map((t) => ({ fn: t.fn, args: t.args, repeat: t.repeat }));
  }
}

function clampMs(ms: unknown): number {
  const n = Number(ms);
  return Number.isFinite(n) && n > 0 ? Math.min(n, 0x7fffffff) : 0;
}
