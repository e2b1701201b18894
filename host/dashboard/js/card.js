// One device on the dashboard: its binary gateway socket (/ws/<id>) and the card showing
// and steering it — servo gauge, slider and presets, light/LED chart, LED mode, info.
import { encodeMessage, decodeMessages, SERVO_ANGLE, SERVO_ROTATE, LIGHT_LEVEL, LED_DUTY, LED_SET, STATUS } from "./messages.js";
import { ReconnectingSocket } from "./socket.js";
import { Gauge } from "./gauge.js";
import { LiveChart } from "./chart.js";

const PRESETS = [0, 45, 90, 135, 180];
const SEND_EVERY_MS = 60; // slider drags send at most this often (and the final value)
const SAMPLE_EVERY_MS = 1000; // the chart scrolls even when nothing changes

function h(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const k in attrs) {
    if (k === "class") e.className = attrs[k];
    else if (k === "text") e.textContent = attrs[k];
    else e.setAttribute(k, attrs[k]);
  }
  for (const c of children) e.append(c);
  return e;
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
    const fire = () => {
      clearTimeout(this.timer);
      this.timer = 0;
      this.last = performance.now();
      send(Number(input.value));
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
    if (!this.busy) this.input.value = String(value);
  }
}

export class DeviceCard {
  constructor(snap, { wsUrl, onLink }) {
    this.id = snap.id;
    this.status = "unknown";
    this.servo = null;
    this.light = null;
    this.led = null;
    // The board reports its LED mode (LED_SET on state): "auto", or "manual" at a duty. Until a
    // report arrives (or from a board too old to send one) the card assumes the boot mode.
    this.mode = "auto";
    this.modeKnown = false;
    this.onLink = onLink;
    this.build();
    this.update(snap);
    this.sock = new ReconnectingSocket(wsUrl("ws/" + encodeURIComponent(this.id)), {
      binary: true,
      onmessage: (data) => this.onFrame(data),
      onstate: (s) => {
        this.root.dataset.link = s;
        this.refreshEnabled();
        this.onLink();
      },
    });
    this.sock.connect();
    this.sampler = setInterval(() => this.sample(), SAMPLE_EVERY_MS);
  }

  build() {
    const id = this.id;
    this.statusText = h("span", { class: "status" });
    this.meta = h("span", { class: "meta" });
    const header = h("header", {}, h("span", { class: "dot", "aria-hidden": "true" }), h("h2", { text: id }), this.statusText);

    this.gauge = new Gauge("Servo angle of " + id);
    this.servoSlider = h("input", { type: "range", min: "0", max: "180", step: "1", value: "90", class: "servo-slider", "aria-label": "Set servo angle of " + id });
    this.servoSender = new SliderSender(this.servoSlider, (v) => this.command(SERVO_ROTATE, v));
    const presets = h("div", { class: "presets", role: "group", "aria-label": "Servo presets" });
    this.presetButtons = PRESETS.map((a) => {
      const b = h("button", { type: "button", "data-angle": String(a), text: a + "°" });
      b.addEventListener("click", () => {
        this.servoSlider.value = String(a);
        this.command(SERVO_ROTATE, a);
      });
      presets.append(b);
      return b;
    });
    const servo = h("section", { class: "servo" }, h("h3", { text: "Servo" }), this.gauge.svg, this.servoSlider, presets);

    this.lightOut = h("output", { class: "light-value", text: "–" });
    this.ledOut = h("output", { class: "led-value", text: "–" });
    const readouts = h(
      "div",
      { class: "readouts" },
      h("span", { class: "swatch light" }),
      "Light ",
      this.lightOut,
      h("span", { class: "swatch led" }),
      "LED ",
      this.ledOut,
    );
    this.plotBox = h("div", { class: "plot" });
    const chart = h("section", { class: "chart" }, h("h3", { text: "Light and LED" }), readouts, this.plotBox);

    this.autoBtn = h("button", { type: "button", "data-mode": "auto", text: "Auto" });
    this.manualBtn = h("button", { type: "button", "data-mode": "manual", text: "Manual" });
    this.autoBtn.addEventListener("click", () => this.setMode("auto"));
    this.manualBtn.addEventListener("click", () => this.setMode("manual"));
    this.ledSlider = h("input", { type: "range", min: "0", max: "100", step: "1", value: "50", class: "led-slider", "aria-label": "Set LED duty of " + id });
    this.ledSender = new SliderSender(this.ledSlider, (v) => {
      if (this.mode === "manual") this.command(LED_SET, v);
    });
    const led = h(
      "section",
      { class: "led" },
      h("h3", { text: "LED" }),
      h("div", { class: "seg", role: "group", "aria-label": "LED mode" }, this.autoBtn, this.manualBtn),
      this.ledSlider,
    );

    this.memOut = h("output", { class: "mem", text: "–" });
    this.versionOut = h("output", { class: "version", text: "–" });
    this.boardOut = h("output", { class: "board", text: "–" });
    const info = h(
      "dl",
      { class: "info" },
      h("div", {}, h("dt", { text: "Free memory" }), h("dd", {}, this.memOut)),
      h("div", {}, h("dt", { text: "Script" }), h("dd", {}, this.versionOut)),
      h("div", {}, h("dt", { text: "Board" }), h("dd", {}, this.boardOut)),
    );

    this.root = h("article", { class: "card", id: "dev-" + id, "data-device": id }, header, servo, chart, led, info);
    this.listItem = h("li", { "data-device": id }, h("a", { href: "#dev-" + id }, h("span", { class: "dot", "aria-hidden": "true" }), h("span", { class: "name", text: id })), h("span", { class: "status" }));
    this.showMode();
  }

  // The chart needs its container in the document to measure it.
  mount(list, cards) {
    list.append(this.listItem);
    cards.append(this.root);
    this.chart = new LiveChart(this.plotBox);
    this.sample();
  }

  // A snapshot from the dashboard channel (device list, status and info changes).
  update(snap) {
    this.setStatus(snap.status);
    const s = snap.state || {};
    if (this.servo === null && s.servo != null) this.setServo(s.servo);
    if (this.light === null && s.light != null) this.light = s.light;
    if (this.led === null && s.led != null) this.led = s.led;
    if (!this.modeKnown && typeof s.mode === "number") this.boardMode(s.mode);
    this.showLightLed();
    const info = snap.info && typeof snap.info === "object" ? snap.info : null;
    if (info) {
      const m = info.memory;
      if (m && typeof m.free === "number") {
        const bytes = typeof m.blocksize === "number" ? " (" + Math.round((m.free * m.blocksize) / 1024) + " KB)" : "";
        this.memOut.textContent = m.free + (typeof m.total === "number" ? " / " + m.total : "") + " vars" + bytes;
        this.memOut.dataset.free = String(m.free);
      }
      if (info.version != null) this.versionOut.textContent = "v" + info.version;
      if (info.board != null) this.boardOut.textContent = String(info.board);
    }
  }

  setStatus(status) {
    this.status = status;
    const text = status === "online" ? "online" : status === "offline" ? "offline" : "unknown";
    this.root.dataset.status = text;
    this.listItem.dataset.status = text;
    this.statusText.textContent = text;
    this.listItem.querySelector(".status").textContent = text;
    this.refreshEnabled();
  }

  setServo(angle) {
    this.servo = angle;
    this.gauge.set(angle);
    this.servoSender.show(angle);
  }

  showLightLed() {
    this.lightOut.textContent = this.light === null ? "–" : this.light + "%";
    this.ledOut.textContent = this.led === null ? "–" : this.led + "%";
    if (this.led !== null && this.mode === "auto") this.ledSender.show(this.led);
  }

  onFrame(data) {
    if (!(data instanceof ArrayBuffer)) return; // the viewer channel is binary only
    const msgs = decodeMessages(data);
    if (!msgs) return;
    let chart = false;
    for (const { cmd, value } of msgs) {
      if (cmd === SERVO_ANGLE) this.setServo(value);
      else if (cmd === LIGHT_LEVEL) (this.light = value), (chart = true);
      else if (cmd === LED_DUTY) (this.led = value), (chart = true);
      else if (cmd === LED_SET) this.boardMode(value);
      else if (cmd === STATUS) this.setStatus(value ? "online" : "offline");
    }
    if (chart) {
      this.showLightLed();
      this.sample();
    }
  }

  sample() {
    if (this.chart) this.chart.add(Date.now(), this.light, this.led);
  }

  command(cmd, value) {
    return this.sock.send(encodeMessage(cmd, value));
  }

  // A click: shown at once, then confirmed (or corrected) by the board's LED_SET report,
  // which every other page showing this device gets too.
  setMode(mode) {
    this.mode = mode;
    this.showMode();
    if (mode === "auto") this.command(LED_SET, -1);
    else this.command(LED_SET, Number(this.ledSlider.value));
  }

  // The mode the board reports: -1 automatic, 0..100 manual at that duty (the slider shows it).
  boardMode(value) {
    this.modeKnown = true;
    this.mode = value < 0 ? "auto" : "manual";
    if (value >= 0) this.ledSender.show(value);
    this.showMode();
  }

  showMode() {
    const manual = this.mode === "manual";
    this.root.dataset.ledMode = this.mode;
    this.autoBtn.setAttribute("aria-pressed", String(!manual));
    this.manualBtn.setAttribute("aria-pressed", String(manual));
    this.refreshEnabled();
  }

  // Commands need the socket up and the board online (they are not queued for later).
  refreshEnabled() {
    if (!this.sock) return;
    const can = this.sock.state === "open" && this.status === "online";
    this.servoSlider.disabled = !can;
    for (const b of this.presetButtons) b.disabled = !can;
    this.autoBtn.disabled = !can;
    this.manualBtn.disabled = !can;
    this.ledSlider.disabled = !can || this.mode !== "manual";
  }

  destroy() {
    clearInterval(this.sampler);
    this.sock.close();
    if (this.chart) this.chart.destroy();
    this.root.remove();
    this.listItem.remove();
  }
}
