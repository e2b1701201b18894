// bench:bridge's clock and latency histogram.
//
// The clock: ms on the monotonic clock, the same in every thread. performance.now() is cheap
// but counts from each thread's start; hrtime is common to all threads but allocates a BigInt.
// So each thread reads both once to learn its offset, keeping the pair of readings taken with
// the least time between them (a thread preempted between the two would be off by as long).
export function sharedClock(): () => number {
  let best = Infinity;
  let offset = 0;
  for (let i = 0; i < 200; i++) {
    const a = Number(process.hrtime.bigint()) / 1e6;
    const p = performance.now();
    const b = Number(process.hrtime.bigint()) / 1e6;
    if (b - a < best) {
      best = b - a;
      offset = (a + b) / 2 - p;
    }
  }
  return () => performance.now() + offset;
}

// The latency histogram: bins 1 % wide on a log scale from 1 us, so a worker keeps
// a fixed array whatever the message rate, and percentiles come out within 1 %.
export const HIST_BINS = 2000;
const MIN_MS = 0.001;
const STEP = Math.log(1.01);

export function histBin(ms: number): number {
  if (!(ms > MIN_MS)) return 0;
  return Math.min(HIST_BINS - 1, 1 + Math.floor(Math.log(ms / MIN_MS) / STEP));
}

// The middle of bin i, in ms.
function binValue(i: number): number {
  return i === 0 ? MIN_MS : MIN_MS * Math.exp((i - 0.5) * STEP);
}

export function mergeHist(into: Uint32Array, h: Uint32Array): void {
  for (let i = 0; i < into.length; i++) into[i] += h[i];
}

// The q-quantile (0..1) of the histogram's values, NaN when it is empty.
export function quantile(h: Uint32Array, q: number): number {
  let n = 0;
  for (let i = 0; i < h.length; i++) n += h[i];
  if (!n) return NaN;
  const rank = Math.ceil(q * n);
  let seen = 0;
  for (let i = 0; i < h.length; i++) {
    seen += h[i];
    if (seen >= rank) return binValue(i);
  }
  return binValue(h.length - 1);
}
