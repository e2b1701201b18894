// A radial servo gauge in SVG: a half dial from 0° (left) through 90° (up) to 180° (right),
// a filled arc up to the angle and a needle. `set(null)` shows an unknown angle.
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

// The point on the dial at a servo angle, at radius r.
function at(angle, r) {
  const phi = Math.PI * (1 - angle / 180);
  return [CX + r * Math.cos(phi), CY - r * Math.sin(phi)];
}

const fmt = (n) => n.toFixed(2);

export class Gauge {
  constructor(label) {
    this.svg = el("svg", { viewBox: "0 0 200 138", class: "gauge", role: "meter", "aria-label": label, "aria-valuemin": "0", "aria-valuemax": "180" });
    el("path", { d: `M ${CX - R} ${CY} A ${R} ${R} 0 0 1 ${CX + R} ${CY}`, class: "gauge-track" }, this.svg);
    this.arc = el("path", { d: "", class: "gauge-value" }, this.svg);
    for (const a of [0, 45, 90, 135, 180]) {
      const [x1, y1] = at(a, R - 14);
      const [x2, y2] = at(a, R - 6);
      el("line", { x1: fmt(x1), y1: fmt(y1), x2: fmt(x2), y2: fmt(y2), class: "gauge-tick" }, this.svg);
    }
    this.needle = el("g", { class: "gauge-needle" }, this.svg);
    el("line", { x1: CX, y1: CY, x2: CX - R + 18, y2: CY }, this.needle);
    el("circle", { cx: CX, cy: CY, r: 6 }, this.svg);
    this.text = el("text", { x: CX, y: CY + 32, class: "gauge-text", "text-anchor": "middle" }, this.svg);
    this.angle = undefined;
    this.set(null);
  }

  set(angle) {
    if (angle === this.angle) return;
    this.angle = angle;
    const known = angle !== null;
    this.svg.classList.toggle("unknown", !known);
    this.svg.dataset.angle = known ? String(angle) : "";
    if (known) this.svg.setAttribute("aria-valuenow", String(angle));
    else this.svg.removeAttribute("aria-valuenow");
    this.text.textContent = known ? angle + "°" : "–";
    const a = known ? angle : 0;
    const [x, y] = at(a, R);
    this.arc.setAttribute("d", known && a > 0 ? `M ${CX - R} ${CY} A ${R} ${R} 0 0 1 ${fmt(x)} ${fmt(y)}` : "");
    // The needle is drawn pointing at 0° (left); rotation is clockwise on screen. A CSS
    // transform (not the SVG attribute) so the stylesheet's transition animates it.
    this.needle.style.transform = `rotate(${a}deg)`;
  }
}
