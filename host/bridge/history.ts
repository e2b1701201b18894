// Recent values of a device's charted reports (int32 reports with a `chart` display hint),
// so a page opened later draws the last minutes instead of an empty chart. Memory is bounded:
// at most one point per second per series (the last value of that second) over WINDOW_MS,
// plus the point in force when the window starts. Only what this bridge saw since it started.
import type { MessageTable } from "../../shared/catalogue";

export const WINDOW_MS = 5 * 60 * 1000;
const BUCKET_MS = 1000;

interface Series {
  t: number[]; // ms since the epoch
  v: number[];
}

// { MESSAGE_NAME: [[ms, value], ...] } in time order.
export type HistoryJson = Record<string, [number, number][]>;

export class History {
  private series = new Map<number, Series>();

  add(code: number, value: number, now: number): void {
    let s = this.series.get(code);
    if (!s) this.series.set(code, (s = { t: [], v: [] }));
    const n = s.t.length;
    if (n && Math.floor(s.t[n - 1] / BUCKET_MS) === Math.floor(now / BUCKET_MS)) {
      s.t[n - 1] = now;
      s.v[n - 1] = value;
    } else {
      s.t.push(now);
      s.v.push(value);
    }
    // Keep one point older than the window: the value in force when it starts.
    let drop = 0;
    while (drop + 1 < s.t.length && s.t[drop + 1] < now - WINDOW_MS) drop++;
    if (drop) {
      s.t.splice(0, drop);
      s.v.splice(0, drop);
    }
  }

  clear(): void {
    this.series.clear();
  }

  toJSON(table: MessageTable | null): HistoryJson {
    const out: HistoryJson = {};
    if (!table) return out;
    for (const [code, s] of this.series) {
      const spec = table.byCode.get(code);
      if (spec) out[spec.name] = s.t.map((t, i) => [t, s.v[i]]);
    }
    return out;
  }
}

// Whether a message's values are kept: an int32 report with a chart widget.
export function charted(spec: { dir: string; payload: string; ui?: { widget: string }[] }): boolean {
  return spec.dir !== "command" && spec.payload === "int32" && !!spec.ui && spec.ui.some((u) => u.widget === "chart");
}
