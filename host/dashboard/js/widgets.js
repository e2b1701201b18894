// The widgets a card is built from, one per display hint of the board's catalogue
// (docs/catalogue.md, "Display hints"): gauge, value, slider, buttons, switch, table, and a
// form for commands with no hint. Each takes the message's spec, its hint and the card
// (`ctx`): ctx.watch(name, fn) calls fn with each new value of a report, ctx.value(name) is
// the latest, ctx.send(spec, value) sends a command, ctx.control(el, extra) lets the card
// enable a control only while commands can reach the board (and `extra()` holds).
import { layoutOf } from "../lib/catalogue.js";
import { Gauge } from "./gauge.js";

const SEND_EVERY_MS = 60; // slider drags send at most this often (and the final value)

export function h(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const k in attrs) {
    if (k === "class") e.className = attrs[k];
    else if (k === "text") e.textContent = attrs[k];
    else if (attrs[k] !== undefined && attrs[k] !== null) e.setAttribute(k, attrs[k]);
  }
  for (const c of children) e.append(c);
  return e;
}

export function unitText(unit) {
  return !unit ? "" : unit === "deg" ? "°" : unit === "%" ? "%" : " " + unit;
}

export function valueText(v, unit) {
  if (v === undefined || v === null) return "–";
  if (typeof v === "number") return (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)))) + unitText(unit);
  return typeof v === "string" ? v : JSON.stringify(v);
}

// The report whose value a command's controls show: the message itself when the board
// reports it back, else the report it names.
function shownBy(spec, ctx) {
  return spec.dir !== "command" ? spec.name : spec.reports && ctx.table.byName.get(spec.reports) ? spec.reports : null;
}

const attrs = (spec, widget) => ({ "data-message": spec.name, "data-widget": widget });

function range(spec) {
  return spec.range || [0, 100];
}

function gauge(spec, hint, ctx) {
  const [min, max] = range(spec);
  const g = new Gauge(spec.name + " of " + ctx.id, min, max, spec.unit);
  for (const k of ["data-message", "data-widget"]) g.svg.setAttribute(k, attrs(spec, "gauge")[k]);
  ctx.watch(spec.name, (v) => g.set(v));
  return g.svg;
}

function value(spec, hint, ctx) {
  const out = h("output", { ...attrs(spec, "value"), class: "value", text: "–" });
  ctx.watch(spec.name, (v) => {
    out.textContent = valueText(v, spec.unit);
    out.dataset.value = typeof v === "number" ? String(v) : JSON.stringify(v);
  });
  return out;
}

// The two positions of a switch, and whether a value is ON.
function switchOf(spec) {
  const w = (spec.ui || []).find((u) => u.widget === "switch");
  return w ? { on: w.on ?? 1, off: w.off ?? 0 } : null;
}

// Sends a slider's value while it is dragged, throttled, and always its final value.
// `busy` is true from the first input until the release, so reports do not move the thumb
// under the user's finger.
class SliderSender {
  constructor(input, send) {
    this.input = input;
    this.busy = false;
    this.last = 0;
    this.timer = 0;
    this.sent = null;
    const fire = () => {
      clearTimeout(this.timer);
      this.timer = 0;
      this.last = performance.now();
      const v = Number(input.value);
      // The release repeats the last value sent while dragging: once is enough.
      if (v !== this.sent) send(v);
      this.sent = v;
    };
    input.addEventListener("input", () => {
      this.busy = true;
      const due = this.last + SEND_EVERY_MS - performance.now();
      if (due <= 0) fire();
      else if (!this.timer) this.timer = setTimeout(fire, due);
    });
    input.addEventListener("change", () => {
      this.busy = false;
      fire();
    });
  }

  show(value) {
    if (this.busy) return;
    this.input.value = String(value);
    this.sent = null; // the board moved: the same value again is a new command
  }
}

// A slider for an int32 command. When the message also has a switch whose ON value is an end
// of the range ("automatic" at -1, say), the slider covers the rest of the range and works
// while the switch is OFF.
function slider(spec, hint, ctx) {
  let [min, max] = range(spec);
  const step = hint.step || 1;
  const sw = switchOf(spec);
  if (sw && sw.on === min) min += step;
  if (sw && sw.on === max) max -= step;
  const input = h("input", { ...attrs(spec, "slider"), type: "range", min: String(min), max: String(max), step: String(step), value: String(min), "aria-label": "Set " + spec.name + " of " + ctx.id });
  const sender = new SliderSender(input, (v) => ctx.send(spec, v));
  // It follows what the board reports: the report it names, else its own (ignoring the
  // switch's ON value, which is not a position).
  const from = spec.reports && ctx.table.byName.get(spec.reports) ? spec.reports : spec.dir !== "command" ? spec.name : null;
  if (from) ctx.watch(from, (v) => typeof v === "number" && v >= min && v <= max && sender.show(v));
  ctx.control(input, sw ? () => ctx.value(spec.name) !== sw.on : undefined);
  if (sw) ctx.watch(spec.name, () => ctx.refresh());
  return input;
}

function buttons(spec, hint, ctx) {
  const box = h("div", { ...attrs(spec, "buttons"), class: "presets", role: "group", "aria-label": spec.name + " presets" });
  const presets = hint.presets || [];
  box.style.gridTemplateColumns = "repeat(" + Math.min(presets.length, 6) + ", 1fr)";
  const bs = presets.map((p, i) => {
    const b = h("button", { type: "button", "data-value": String(p), "aria-pressed": "false", text: (hint.labels && hint.labels[i]) || p + unitText(spec.unit) });
    b.addEventListener("click", () => ctx.send(spec, p));
    ctx.control(b);
    box.append(b);
    return b;
  });
  const from = shownBy(spec, ctx);
  if (from) ctx.watch(from, (v) => bs.forEach((b, i) => b.setAttribute("aria-pressed", String(presets[i] === v))));
  return box;
}

function toggle(spec, hint, ctx) {
  const on = hint.on ?? 1;
  const off = hint.off ?? 0;
  const b = h("button", { ...attrs(spec, "switch"), type: "button", role: "switch", "aria-checked": "false", class: "switch" }, h("span", { class: "knob" }), h("span", { class: "label", text: "OFF" }));
  const from = shownBy(spec, ctx);
  const isOn = () => from !== null && ctx.value(from) === on;
  const show = () => {
    b.setAttribute("aria-checked", String(isOn()));
    b.querySelector(".label").textContent = isOn() ? "ON" : "OFF";
  };
  if (from) ctx.watch(from, show);
  b.addEventListener("click", () => {
    // OFF sends its value, or the latest value of the report it names (hold where it is).
    const v = !isOn() ? on : typeof off === "number" ? off : ctx.value(off);
    if (typeof v === "number") ctx.send(spec, v);
  });
  ctx.control(b);
  const hintText = "ON sends " + on + ", OFF " + (typeof off === "number" ? "sends " + off : "holds " + off);
  return h("label", { class: "switch-row", title: hintText }, b, h("span", { class: "hint", text: hintText }));
}

// A struct: a row per member.
function table(spec, hint, ctx) {
  const fields = layoutOf(spec).fields.slice(1);
  const cells = new Map();
  const t = h(
    "table",
    { ...attrs(spec, "table"), class: "fields" },
    h(
      "tbody",
      {},
      ...fields.map((f) => {
        const td = h("td", { "data-field": f.name, text: "–" });
        cells.set(f.name, td);
        return h("tr", {}, h("th", { scope: "row", text: f.name }), td);
      }),
    ),
  );
  ctx.watch(spec.name, (v) => {
    for (const [k, td] of cells) td.textContent = v && v[k] !== undefined ? valueText(v[k]) : "–";
  });
  return t;
}

// A command with no hint: a number, or each member of a struct, and a Send button.
function form(spec, hint, ctx) {
  const inputs = [];
  const f = h("form", { ...attrs(spec, "form"), class: "command-form" });
  const fields = spec.payload === "int32" ? [{ name: "value", type: "int32" }] : layoutOf(spec).fields.slice(1);
  for (const fl of fields) {
    const text = fl.type === "char";
    const r = spec.range;
    const input = h("input", { name: fl.name, type: text ? "text" : "number", step: fl.type === "float32" ? "any" : "1", min: r ? r[0] : undefined, max: r ? r[1] : undefined, "aria-label": spec.name + " " + fl.name });
    inputs.push([fl, input]);
    ctx.control(input);
    f.append(h("label", {}, h("span", { text: fl.name }), input));
  }
  const send = h("button", { type: "submit", text: "Send" });
  ctx.control(send);
  f.append(send);
  f.addEventListener("submit", (e) => {
    e.preventDefault();
    if (spec.payload === "int32") return void ctx.send(spec, Number(inputs[0][1].value));
    const v = {};
    for (const [fl, input] of inputs) v[fl.name] = fl.type === "char" ? input.value : Number(input.value);
    ctx.send(spec, v);
  });
  return f;
}

export const WIDGETS = { gauge, value, slider, buttons, switch: toggle, table };

// The widgets of one message: its hints (the chart is the card's), or the default.
export function widgetsFor(spec, ctx) {
  const hints = (spec.ui || []).filter((u) => u.widget !== "chart" && WIDGETS[u.widget]);
  if (!hints.length && !(spec.ui || []).some((u) => u.widget === "chart")) {
    if (spec.dir === "command") return [form(spec, {}, ctx)];
    return [(spec.payload === "int32" ? value : table)(spec, {}, ctx)];
  }
  return hints.map((u) => WIDGETS[u.widget](spec, u, ctx));
}
