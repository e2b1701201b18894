// A radial gauge in SVG for an int32 report with a range: a half dial from the range's low
// end (left) to its high end (right), a filled arc up to the value and a needle.
// `set(null)` shows an unknown value.
const NS = "http://www.w3.org/2000/svg";
const CX = 100;
const CY = 100;
const R = 80;

function el(name, attrs, parent) {
  const e = document.createElementNS(NS, name);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  if (parent) parent.appendChild(e);
  return e;
}

// The point on the dial at fraction f (0 left, 1 right) of the range, at radius r.
function at(f, r) {
  const phi = Math.PI * (1 - f);
  return [CX + r * Math.cos(phi), CY - r * Math.sin(phi)];
}

const fmt = (n) => n.toFixed(2);

export class Gauge {
  constructor(label, min, max, unit) {
    this.min = min;
    this.max = max;
    this.unit = unit === "deg" ? "°" : unit ? " " + unit : "";
    this.svg = el("svg", { viewBox: "0 0 200 138", class: "gauge", role: "meter", "aria-label": label, "aria-valuemin": String(min), "aria-valuemax": String(max) });
    el("path", { d: `M ${CX - R} ${CY} A ${R} ${R} 0 0 1 ${CX + R} ${CY}`, class: "gauge-track" }, this.svg);
    this.arc = el("path", { d: "", class: "gauge-value" }, this.svg);
    for (const f of [0, 0.25, 0.5, 0.75, 1]) {
      const [x1, y1] = at(f, R - 14);
      const [x2, y2] = at(f, R - 6);
      el("line", { x1: fmt(x1), y1: fmt(y1), x2: fmt(x2), y2: fmt(y2), class: "gauge-tick" }, this.svg);
    }
    this.needle = el("g", { class: "gauge-needle" }, this.svg);
    el("line", { x1: CX, y1: CY, x2: CX - R + 18, y2: CY }, this.needle);
    el("circle", { cx: CX, cy: CY, r: 6 }, this.svg);
    this.text = el("text", { x: CX, y: CY + 32, class: "gauge-text", "text-anchor": "middle" }, this.svg);
    this.value = undefined;
    this.set(null);
  }

  set(value) {
    if (value === this.value) return;
    this.value = value;
    const known = value !== null;
    this.svg.classList.toggle("unknown", !known);
    this.svg.dataset.value = known ? String(value) : "";
    if (known) this.svg.setAttribute("aria-valuenow", String(value));
    else this.svg.removeAttribute("aria-valuenow");
    this.text.textContent = known ? value + this.unit : "–";
    const span = this.max - this.min || 1;
    const f = known ? Math.min(1, Math.max(0, (value - this.min) / span)) : 0;
    const [x, y] = at(f, R);
    this.arc.setAttribute("d", known && f > 0 ? `M ${CX - R} ${CY} A ${R} ${R} 0 0 1 ${fmt(x)} ${fmt(y)}` : "");
    // The needle is drawn pointing at the low end (left); rotation is clockwise on screen. A
    // CSS transform (not the SVG attribute) so the stylesheet's transition animates it.
    this.needle.style.transform = `rotate(${f * 180}deg)`;
  }
}
