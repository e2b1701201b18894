// One live chart per card for every report with a `chart` display hint (uPlot, served by the
// host from the installed package). Starts from the history the bridge keeps (the viewer's
// first message), keeps a rolling window of samples, redraws at most once per animation
// frame and follows the width of its container.
import uPlot from "../vendor/uplot/uPlot.esm.js";

const WINDOW_S = 300; // seconds of history kept
const HEIGHT = 150;
const MIN_SPAN_S = 60; // the x axis shows at least this much, so a fresh chart is not in ms
const COLORS = ["--s1", "--s2", "--s3", "--s4", "--s5", "--s6"];

// The colour of series i (a CSS custom property, so the theme decides).
export function seriesColor(i) {
  const css = getComputedStyle(document.documentElement);
  return css.getPropertyValue(COLORS[i % COLORS.length]).trim() || "#888";
}

// A tick label: the time of day (the window is minutes long, a date would only crowd it).
const clock = (t) => new Date(t * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });

export class LiveChart {
  // series: [{ name, label }] in legend order.
  constructor(container, series) {
    this.container = container;
    this.names = series.map((s) => s.name);
    this.t = [];
    this.cols = series.map(() => []);
    this.now = series.map(() => null); // the values in force
    this.pending = 0;
    const css = getComputedStyle(document.documentElement);
    const axisColor = css.getPropertyValue("--muted").trim() || "#666";
    const axis = { stroke: axisColor, grid: { stroke: "rgba(128,128,128,0.15)" }, ticks: { stroke: "rgba(128,128,128,0.3)" } };
    const stepped = uPlot.paths.stepped({ align: 1 });
    this.plot = new uPlot(
      {
        width: Math.max(container.clientWidth, 200),
        height: HEIGHT,
        cursor: { drag: { x: false, y: false } },
        legend: { show: false },
        scales: { x: { time: true, range: (u, min, max) => [Math.min(min, max - MIN_SPAN_S), max] } },
        axes: [{ ...axis, space: 70, values: (u, ts) => ts.map(clock) }, { ...axis, size: 48 }],
        series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: seriesColor(i), width: 2, paths: stepped, points: { show: false } }))],
      },
      [this.t, ...this.cols],
      container,
    );
    this.resizer = new ResizeObserver(() => {
      const w = container.clientWidth;
      if (w > 0 && w !== this.plot.width) this.plot.setSize({ width: w, height: HEIGHT });
    });
    this.resizer.observe(container);
    // Reports come only on change: carry the values in force forward once a second so a
    // steady level is drawn as a line up to now, not as one invisible point.
    this.ticker = setInterval(() => {
      if (this.t.length) this.sample(Date.now());
    }, 1000);
  }

  // The bridge's recent history: { NAME: [[ms, value], ...] }. Replaces what is drawn.
  setHistory(h) {
    const points = [];
    this.names.forEach((n, i) => {
      for (const [t, v] of (h && h[n]) || []) points.push([t, i, v]);
    });
    points.sort((a, b) => a[0] - b[0]);
    this.t.length = 0;
    for (const c of this.cols) c.length = 0;
    this.now = this.names.map(() => null);
    for (const [t, i, v] of points) {
      this.now[i] = v;
      this.sample(t, false);
    }
    this.container.dataset.history = String(points.length);
    this.draw();
  }

  // A charted report changed.
  set(name, value, nowMs = Date.now()) {
    const i = this.names.indexOf(name);
    if (i < 0) return;
    this.now[i] = value;
    this.sample(nowMs);
  }

  sample(nowMs, redraw = true) {
    const s = nowMs / 1000;
    const last = this.t.length - 1;
    // Several changes in one millisecond become one sample.
    if (last >= 0 && this.t[last] === s) this.cols.forEach((c, i) => (c[last] = this.now[i]));
    else {
      this.t.push(s);
      this.cols.forEach((c, i) => c.push(this.now[i]));
    }
    let drop = 0;
    while (drop < this.t.length - 1 && this.t[drop] < s - WINDOW_S) drop++;
    if (drop) {
      this.t.splice(0, drop);
      for (const c of this.cols) c.splice(0, drop);
    }
    this.container.dataset.samples = String(this.t.length);
    if (redraw && !this.pending) this.pending = requestAnimationFrame(() => this.draw());
  }

  draw() {
    this.pending = 0;
    this.plot.setData([this.t, ...this.cols]);
  }

  destroy() {
    clearInterval(this.ticker);
    cancelAnimationFrame(this.pending);
    this.resizer.disconnect();
    this.plot.destroy();
  }
}
