// Espruino's timers: numeric ids from 1, setTimeout/setInterval/changeInterval, and a
// clear-all on reset. Each callback runs through `run`, which prints uncaught errors.
export type Runner = (fn: unknown, args: unknown[]) => void;

interface Timer {
  fn: unknown;
  args: unknown[];
  ms: number;
  repeat: boolean;
  handle: NodeJS.Timeout;
}

export class TimerTable {
  private timers = new Map<number, Timer>();
  private nextId = 1;

  constructor(private run: Runner) {}

  get count(): number {
    return this.timers.size;
  }

  add(fn: unknown, ms: unknown, args: unknown[], repeat: boolean): number {
    if (typeof fn !== "function" && typeof fn !== "string") throw new TypeError("Function or String not supplied!");
    const id = this.nextId++;
    const t: Timer = { fn, args, ms: clampMs(ms), repeat, handle: undefined as unknown as NodeJS.Timeout };
    this.timers.set(id, t);
    this.arm(id, t);
    return id;
  }

  private arm(id: number, t: Timer): void {
    const fire = () => {
      if (this.timers.get(id) !== t) return;
      if (!t.repeat) this.timers.delete(id);
      this.run(t.fn, t.args);
    };
    t.handle = t.repeat ? setInterval(fire, t.ms) : setTimeout(fire, t.ms);
  }

  // Espruino's clearTimeout()/clearInterval() with no argument clears every timer.
  clear(id?: unknown): void {
    if (id === undefined) return this.clearAll();
    const t = this.timers.get(Number(id));
    if (!t) return;
    clearTimeout(t.handle);
    this.timers.delete(Number(id));
  }

  change(id: unknown, ms: unknown): void {
    const t = this.timers.get(Number(id));
    if (!t) throw new Error("Unknown Interval");
    clearTimeout(t.handle);
    t.ms = clampMs(ms);
    this.arm(Number(id), t);
  }

  clearAll(): void {
    for (const t of this.timers.values()) clearTimeout(t.handle);
    this.timers.clear();
  }

  // Callbacks still held, for the memory estimate.
  callbacks(): unknown[] {
    return [...this.timers.values()].map((t) => t.fn);
  }
}

function clampMs(ms: unknown): number {
  const n = Number(ms);
  return Number.isFinite(n) && n > 0 ? Math.min(n, 0x7fffffff) : 0;
}
