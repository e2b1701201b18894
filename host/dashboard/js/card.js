// One device on the dashboard: its gateway socket (/ws/<id>) and the card showing and
// steering it, built from the board's catalogue (the socket's first message): a section per
// message with the widgets its display hints ask for, one chart for every charted report,
// and the board's info, OTA status and log. A board without a catalogue gets status, info
// and its raw state bytes.
import { MessageTable, displayName } from "../lib/catalogue.js";
import { ReconnectingSocket } from "./socket.js";
import { LiveChart, seriesColor } from "./chart.js";
import { h, valueText, widgetsFor } from "./widgets.js";

const TICK_MS = 1000; // uptime and "forget?" confirmation refresh
const LOG_SHOWN = 20;

function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}

function duration(s) {
  if (s < 60) return Math.floor(s) + " s";
  if (s < 3600) return Math.floor(s / 60) + " min";
  if (s < 86400) return Math.floor(s / 3600) + " h " + Math.floor((s % 3600) / 60) + " min";
  return Math.floor(s / 86400) + " d " + Math.floor((s % 86400) / 3600) + " h";
}

export class DeviceCard {
  constructor(snap, { wsUrl, onLink, onForget }) {
    this.id = snap.id;
    this.status = "unknown";
    this.snap = snap; // the latest snapshot, from either channel: status and info
    this.dev = null; // the latest from the device's own socket: the body is built from it
    this.onLink = onLink;
    this.onForget = onForget;
    this.hash = undefined; // the catalogue the body was built for (null: none)
    this.table = null;
    this.values = new Map();
    this.watchers = new Map();
    this.controls = [];
    this.chart = null;
    this.build();
    this.update(snap);
    this.sock = new ReconnectingSocket(wsUrl("ws/" + encodeURIComponent(this.id)), {
      binary: true,
      onmessage: (data) => this.onFrame(data),
      onstate: (s) => {
        this.root.dataset.link = s;
        this.refresh();
        this.onLink();
      },
    });
    this.sock.connect();
    this.ticker = setInterval(() => this.tick(), TICK_MS);
  }

  build() {
    const id = this.id;
    this.statusText = h("span", { class: "status" });
    this.appChip = h("span", { class: "app" });
    this.forgetBtn = h("button", { type: "button", class: "forget", text: "Forget", title: "Remove this offline board from the list (and its Home Assistant entities)" });
    this.forgetBtn.addEventListener("click", () => this.forgetClicked());
    const header = h("header", {}, h("span", { class: "dot", "aria-hidden": "true" }), h("h2", { text: id }), this.appChip, this.statusText, this.forgetBtn);
    this.body = h("div", { class: "body" });
    this.outs = {};
    const row = (label, key) => h("div", {}, h("dt", { text: label }), h("dd", {}, (this.outs[key] = h("output", { class: key, text: "–" }))));
    const info = h(
      "dl",
      { class: "info" },
      row("App", "app-version"),
      row("Script", "script"),
      row("Board", "board"),
      row("Runtime", "runtime"),
      row("IP", "ip"),
      row("Uptime", "uptime"),
      row("RSSI", "rssi"),
      row("Free memory", "mem"),
      h("div", { class: "wide" }, h("dt", { text: "Update" }), h("dd", {}, (this.outs.ota = h("output", { class: "ota", text: "–" })))),
    );
    this.logList = h("ol", { class: "lines" });
    this.logCount = h("span", { class: "count", text: "0" });
    this.logBox = h("details", { class: "log" }, h("summary", {}, "Log ", this.logCount), this.logList);
    this.root = h("article", { class: "card", id: "dev-" + id, "data-device": id }, header, this.body, info, this.logBox);
    this.listItem = h("li", { "data-device": id }, h("a", { href: "#dev-" + id }, h("span", { class: "dot", "aria-hidden": "true" }), h("span", { class: "name", text: id })), h("span", { class: "status" }));
  }

  mount(list, cards) {
    list.append(this.listItem);
    cards.append(this.root);
    this.mounted = true;
    this.rebuild();
  }

  // --- the body, from the catalogue ---

  // The card as the widgets see it.
  get ctx() {
    return {
      id: this.id,
      table: this.table,
      watch: (name, fn) => {
        if (!this.watchers.has(name)) this.watchers.set(name, []);
        this.watchers.get(name).push(fn);
        if (this.values.has(name)) fn(this.values.get(name));
      },
      value: (name) => this.values.get(name),
      send: (spec, value) => this.command(spec, value),
      control: (el, extra) => this.controls.push({ el, extra }),
      refresh: () => this.refresh(),
    };
  }

  // The body follows the device's own socket only: its catalogue changes arrive there in
  // order with the frames decoded by it (the device list channel is another socket).
  rebuild() {
    if (!this.mounted || !this.dev) return;
    const c = this.dev.catalogue || null;
    const hash = c ? c.hash : null;
    if (hash === this.hash) return;
    this.hash = hash;
    if (this.chart) this.chart.destroy();
    this.chart = null;
    this.table = c ? new MessageTable(c) : null;
    this.values.clear();
    this.watchers.clear();
    this.controls = [];
    this.body.replaceChildren();
    this.root.dataset.app = c ? c.app : "";
    if (!c) return this.buildRaw();
    const ctx = this.ctx;
    // A command that `reports` another message sits with it: a command's slider under the
    // gauge of the report that shows its effect.
    const groups = new Map();
    for (const m of c.messages) {
      const home = m.dir === "command" && m.reports && this.table.byName.get(m.reports) ? m.reports : m.name;
      if (!groups.has(home)) groups.set(home, []);
      groups.get(home).push(m);
    }
    for (const [home, ms] of groups) {
      const widgets = ms.flatMap((m) => widgetsFor(m, ctx));
      if (!widgets.length) continue;
      this.body.append(h("section", { class: "msg", "data-group": home }, h("h3", { text: displayName(this.table.byName.get(home)) }), ...widgets));
    }
    const charted = c.messages.filter((m) => m.dir !== "command" && m.payload === "int32" && (m.ui || []).some((u) => u.widget === "chart"));
    if (charted.length) {
      const series = charted.map((m) => ({ name: m.name, label: (m.ui.find((u) => u.widget === "chart").series || displayName(m)) }));
      const legend = h("div", { class: "legend" });
      series.forEach((s, i) => {
        const sw = h("span", { class: "swatch" });
        sw.style.background = seriesColor(i);
        const out = h("output", { "data-series": s.name, text: "–" });
        this.ctx.watch(s.name, (v) => (out.textContent = valueText(v, this.table.byName.get(s.name).unit)));
        legend.append(h("span", { class: "series" }, sw, s.label + " ", out));
      });
      const plot = h("div", { class: "plot" });
      this.body.append(h("section", { class: "chart" }, h("h3", { text: "Chart" }), legend, plot));
      this.chart = new LiveChart(plot, series);
      if (this.history) this.chart.setHistory(this.history);
    }
    // What the bridge knew when the snapshot was taken; the socket's state frame follows.
    const now = Date.now();
    for (const [name, v] of Object.entries(this.dev.values || {})) {
      const spec = this.table.byName.get(name);
      if (spec) this.setValue(spec, v, now);
    }
    this.refresh();
  }

  buildRaw() {
    this.rawOut = h("code", { class: "raw-state", text: "–" });
    this.body.append(
      h(
        "section",
        { class: "raw" },
        h("h3", { text: "No catalogue" }),
        h("p", { class: "note", text: this.dev.catalogueNote || "This board does not describe its messages." }),
        h("div", {}, h("span", { class: "topic", text: "pinwire/" + this.id + "/state " }), this.rawOut),
      ),
    );
    if (this.dev.raw) this.rawOut.textContent = this.dev.raw.state.replace(/(..)(?=.)/g, "$1 ");
  }

  // --- what arrives ---

  // A snapshot from the dashboard channel or the device's own socket.
  update(snap) {
    this.snap = { ...this.snap, ...snap };
    this.setStatus(snap.status);
    const info = snap.info && typeof snap.info === "object" ? snap.info : null;
    const c = snap.catalogue;
    const o = this.outs;
    this.appChip.textContent = c ? c.app + " " + c.version : "no catalogue";
    this.appChip.dataset.app = c ? c.app : "";
    o["app-version"].textContent = c ? c.app + " " + c.version : "–";
    // The running script's version: what the board says it runs, else its last boot report.
    const script = (info && info.script) || (snap.ota && snap.ota.running) || (info && !c && info.version);
    o.script.textContent = script ? "v" + String(script).replace(/^v/, "") : "–";
    o.board.textContent = info && info.board != null ? String(info.board) : "–";
    o.runtime.textContent = info && info.runtime != null ? String(info.runtime) : "–";
    o.ip.textContent = info && info.ip ? String(info.ip) : "–";
    o.rssi.textContent = info && typeof info.rssi === "number" ? info.rssi + " dBm" : "–";
    const m = info && info.memory;
    if (m && typeof m.free === "number") {
      const bytes = typeof m.blocksize === "number" ? " (" + Math.round((m.free * m.blocksize) / 1024) + " KB)" : "";
      o.mem.textContent = m.free + (typeof m.total === "number" ? " / " + m.total : "") + " vars" + bytes;
      o.mem.dataset.free = String(m.free);
    }
    if (snap.ota) this.showOta(snap.ota);
    if (snap.log) this.showLog(snap.log, true);
    this.tick();
  }

  setStatus(status) {
    this.status = status;
    const text = status === "online" ? "online" : status === "offline" ? "offline" : "unknown";
    this.root.dataset.status = text;
    this.listItem.dataset.status = text;
    this.statusText.textContent = text;
    this.listItem.querySelector(".status").textContent = text;
    this.forgetBtn.hidden = text === "online";
    this.refresh();
  }

  onFrame(data) {
    if (typeof data === "string") return this.onJson(data);
    const bytes = new Uint8Array(data);
    if (!this.table) {
      if (this.rawOut) this.rawOut.textContent = hex(bytes);
      return;
    }
    let msgs;
    try {
      msgs = this.table.split(bytes);
    } catch {
      return; // decoded with a catalogue the board no longer runs: the next snapshot fixes it
    }
    const now = Date.now();
    for (const { spec, value } of msgs) this.setValue(spec, value, now);
  }

  onJson(text) {
    let m;
    try {
      m = JSON.parse(text);
    } catch {
      return;
    }
    if (m.type === "hello" || m.type === "device") {
      if (m.type === "hello") {
        this.history = m.history || null;
        // Reconnected to a board that runs the same app: its chart starts from the bridge's history.
        if (this.chart && m.device.catalogue && m.device.catalogue.hash === this.hash) this.chart.setHistory(this.history);
      }
      this.dev = m.device;
      this.update(m.device);
      this.rebuild();
    }
    else if (m.type === "log") this.showLog([m.line], false);
    else if (m.type === "ota") this.showOta(m.ota);
  }

  setValue(spec, value, now) {
    this.values.set(spec.name, value);
    for (const fn of this.watchers.get(spec.name) || []) fn(value);
    if (this.chart && typeof value === "number") this.chart.set(spec.name, value, now);
  }

  showOta(ota) {
    const o = this.outs.ota;
    const p = ota.push;
    let text = ota.running ? "running v" + String(ota.running).replace(/^v/, "") : "";
    if (ota.state === "sending" && p) text = "sending v" + p.version + ": " + Math.floor((100 * p.done) / Math.max(1, p.size)) + "% of " + p.size + " B";
    else if (ota.state === "restarting" && p) text = "v" + p.version + " installed, restarting";
    if (ota.last) text += (text ? " · " : "") + "last: " + ota.last.text;
    o.textContent = text || "–";
    o.dataset.state = ota.state;
    o.dataset.last = ota.last ? (ota.last.ok ? "ok" : "failed") : "";
    if (ota.state === "sending" && p) o.dataset.progress = String(Math.floor((100 * p.done) / Math.max(1, p.size)));
    else delete o.dataset.progress;
  }

  showLog(lines, replace) {
    if (replace) this.logList.replaceChildren();
    for (const l of lines) {
      const t = new Date(l.at);
      this.logList.append(h("li", {}, h("time", { datetime: l.at, text: t.toLocaleTimeString() }), " ", l.text));
    }
    while (this.logList.children.length > LOG_SHOWN) this.logList.firstChild.remove();
    this.logCount.textContent = String(this.logList.children.length);
  }

  tick() {
    const up = this.snap.upSince && this.status === "online" ? (Date.now() - Date.parse(this.snap.upSince)) / 1000 : null;
    this.outs.uptime.textContent = up === null ? "–" : duration(Math.max(0, up));
    if (this.forgetArmed && Date.now() > this.forgetArmed) this.disarmForget();
  }

  // --- commands ---

  command(spec, value) {
    if (!this.table) return false;
    let b;
    try {
      b = this.table.encode(spec, value);
    } catch {
      return false; // the page must never put a message on the wire the gateway would refuse
    }
    return this.sock.send(b);
  }

  // Commands need the socket up and the board online (they are not queued for later).
  refresh() {
    if (!this.sock) return;
    const can = this.sock.state === "open" && this.status === "online";
    for (const c of this.controls) c.el.disabled = !can || (c.extra ? !c.extra() : false);
  }

  // Two clicks: the first asks, the second (within a few seconds) forgets.
  forgetClicked() {
    if (!this.forgetArmed) {
      this.forgetArmed = Date.now() + 4000;
      this.forgetBtn.textContent = "Forget? Click again";
      this.forgetBtn.dataset.armed = "true";
      return;
    }
    this.disarmForget();
    this.onForget(this.id);
  }

  disarmForget() {
    this.forgetArmed = 0;
    this.forgetBtn.textContent = "Forget";
    delete this.forgetBtn.dataset.armed;
  }

  destroy() {
    clearInterval(this.ticker);
    this.sock.close();
    if (this.chart) this.chart.destroy();
    this.root.remove();
    this.listItem.remove();
  }
}
