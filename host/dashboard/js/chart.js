// The live chart of light level and LED duty (uPlot, served by the host from the installed
// package). Keeps a rolling window of samples; redraws at most once per animation frame and
// follows the width of its container.
import uPlot from "../vendor/uplot/uPlot.esm.js";

const WINDOW_S = 300; // seconds of history kept
const HEIGHT = 150;
const MIN_SPAN_S = 60; // the x axis shows at least this much, so a fresh chart is not in ms

export class LiveChart {
  constructor(container) {
    this.container = container;
    this.t = [];
    this.light = [];
    this.led = [];
    this.pending = 0;
    const css = getComputedStyle(document.documentElement);
    const lightColor = css.getPropertyValue("--light").trim() || "#d4a017";
    const ledColor = css.getPropertyValue("--led").trim() || "#3b82f6";
    const axisColor = css.getPropertyValue("--muted").trim() || "#666";
    const axis = { stroke: axisColor, grid: { stroke: "rgba(128,128,128,0.15)" }, ticks: { stroke: "rgba(128,128,128,0.3)" } };
    const stepped = uPlot.paths.stepped({ align: 1 });
    this.plot = new uPlot(
      {
        width: Math.max(container.clientWidth, 200),
        height: HEIGHT,
        cursor: { drag: { x: false, y: false } },
        legend: { show: true, live: false },
        scales: { x: { time: true, range: (u, min, max) => [Math.min(min, max - MIN_SPAN_S), max] }, y: { range: [0, 100] } },
        axes: [axis, { ...axis, size: 48, values: (u, v) => v.map((n) => n + "%") }],
        series: [
          {},
          { label: "Light", stroke: lightColor, width: 2, paths: stepped, points: { show: false } },
          { label: "LED", stroke: ledColor, width: 2, paths: stepped, points: { show: false } },
        ],
      },
      [this.t, this.light, this.led],
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
      const last = this.t.length - 1;
      if (last >= 0) this.add(Date.now(), this.light[last], this.led[last]);
    }, 1000);
  }

  // One sample: the values in force at time `nowMs` (null when not known yet).
  add(nowMs, light, led) {
    const s = nowMs / 1000;
    const last = this.t.length - 1;
    // Several reports in one millisecond become one sample.
    if (last >= 0 && this.t[last] === s) {
      this.light[last] = light;
      this.led[last] = led;
    } else {
      this.t.push(s);
      this.light.push(light);
      this.led.push(led);
    }
    let drop = 0;
    while (drop < this.t.length - 1 && this.t[drop] < s - WINDOW_S) drop++;
    if (drop) {
      this.t.splice(0, drop);
      this.light.splice(0, drop);
      this.led.splice(0, drop);
    }
    this.container.dataset.samples = String(this.t.length);
    if (!this.pending) this.pending = requestAnimationFrame(() => this.draw());
  }

  draw() {
    this.pending = 0;
    this.plot.setData([this.t, this.light, this.led]);
  }

  destroy() {
    clearInterval(this.ticker);
    cancelAnimationFrame(this.pending);
    this.resizer.disconnect();
    this.plot.destroy();
  }
}
