// The chip, on the board thread: power-on and the boot files, load()/reset()/save()/E.reboot(),
// the console's REPL, and what the host asks of it. Everything it reports goes to the host as
// a message (protocol.ts); it holds nothing of the host's but that channel.
import { formatValue } from "./format";
import { NetClient } from "./netclient";
import { PinBank } from "./pins";
import { PROFILES, type BoardProfile } from "./profile";
import type { BoardState, FromBoard, ToBoard, WorkerInit } from "./protocol";
import { WD_KICK, WD_TIMEOUT, WD_WAITING } from "./protocol";
import { Repl } from "./repl";
import { Firmware, type Action, type Hardware } from "./runtime";
import { DiskStorage } from "./storage";
import { TimerTable } from "./timers";
import { WifiSim } from "./wifi";

const BOOT_FILES = [".boot0", ".boot1", ".boot2", ".boot3", ".bootcde", ".bootrst"];
const BANNER =
  " ____                 _ \r\n|  __|___ ___ ___ _ _|_|___ ___ \r\n|  __|_ -| . |  _| | | |   | . |\r\n|____|___|  _|_| |___|_|_|_|___|\r\n         |_| espruino.com\r\n 2v29 (c) 2025 G.Williams\r\n\r\n";
// The idle loop's watchdog kick (and the chip's own watchdog feed) runs this often.
const IDLE_KICK_MS = 50;

export class BoardCore {
  readonly profile: BoardProfile;
  readonly storage: DiskStorage;
  readonly pins: PinBank;
  readonly timers: TimerTable;
  readonly net: NetClient;
  readonly wifi: WifiSim;
  private fw?: Firmware;
  private repl: Repl;
  private pending?: Action;
  private pendingTick = false;
  private performing?: Action["kind"];
  private ramLog: string[] = [];
  private booting = false;
  private wd: Int32Array;
  private epoch: number;
  private autoKick = true;
  private idle?: NodeJS.Timeout;

  private terminal = "";
  private post: (m: FromBoard) => void;

  constructor(
    private init: WorkerInit,
    private srcDir: string,
    send: (m: FromBoard) => void,
  ) {
    // What the console shows goes out in runs (a result and its prompt together, as a UART
    // would deliver them), always before anything else the board says after it.
    this.post = (m) => {
      if (m.ev === "terminal") {
        if (!this.terminal) queueMicrotask(() => this.flushTerminal(send));
        this.terminal += m.text;
        return;
      }
      this.flushTerminal(send);
      send(m);
    };
    const post = this.post;
    this.profile = init.pool ? { ...PROFILES[init.board], pool: PROFILES[init.pool].pool } : PROFILES[init.board];
    this.storage = new DiskStorage(init.storageDir, init.storageBytes);
    const run = (fn: unknown, args: unknown[]) => this.call(() => this.fw?.run(fn, args));
    this.timers = new TimerTable(run);
    const names = [...Array(this.profile.pinCount).keys()].map((i) => "D" + i).concat(Object.keys(this.profile.aliases));
    this.pins = new PinBank(names, run, (e) => this.fw!.obj(e));
    this.pins.observe = (name, state) => this.post({ ev: "pin", name, state });
    this.wd = new Int32Array(init.watchdog);
    this.epoch = init.epoch;
    this.net = new NetClient(post, init.connectTimeoutMs, (blocked) => {
      // Waiting for the host to connect a socket is the simulation's time, not the chip's.
      Atomics.store(this.wd, WD_WAITING, blocked ? 1 : 0);
      if (!blocked) this.kickNow();
    });
    this.wifi = new WifiSim(init.wifi);
    this.repl = new Repl({
      exec: (code) => this.consoleExec(code),
      write: (t) => this.post({ ev: "terminal", text: t }),
    });
    this.kickNow();
    if (this.profile.watchdog.chipMs) this.arm(this.profile.watchdog.chipMs);
  }

  private flushTerminal(send: (m: FromBoard) => void): void {
    if (!this.terminal) return;
    const text = this.terminal;
    this.terminal = "";
    send({ ev: "terminal", text });
  }

  // ---- watchdog (the host's watchdog.ts resets the thread when the kicks stop)
  private kickNow(): void {
    Atomics.store(this.wd, WD_KICK, Date.now() - this.epoch);
  }

  private arm(ms: number): void {
    Atomics.store(this.wd, WD_TIMEOUT, ms);
    this.kickNow();
    this.post({ ev: "watchdog", timeoutMs: ms });
    if (!this.idle) {
      // The idle loop: runs only when no board code is running.
      this.idle = setInterval(() => {
        if (this.autoKick || this.profile.watchdog.chipMs) this.kickNow();
      }, IDLE_KICK_MS);
      this.idle.unref();
    }
  }

  private enableWatchdog(timeoutS: number, auto: boolean): void {
    const w = this.profile.watchdog;
    if (w.enable === "none") return;
    this.autoKick = auto;
    this.arm(Math.max(1, Math.round(timeoutS)) * 1000);
  }

  // ---- messages from the host
  handle(m: ToBoard): void {
    switch (m.op) {
      case "boot":
        return this.reply(m.id, () => this.powerOn(m.script));
      case "eval":
        return this.reply(m.id, () => this.evalCode(m.code));
      case "console":
        this.firmware();
        this.repl.feed(m.data);
        return this.post({ ev: "reply", id: m.id });
      case "query":
        return this.reply(m.id, () => {
          if (m.what === "memory") return this.firmware().memory();
          if (m.what === "detail") {
            const d: Record<string, number> = {};
            this.firmware().usage(d);
            return d;
          }
          return this.state();
        });
      case "drive":
        return this.pins.drive(m.pin, m.level);
      case "analog":
        return this.pins.setAnalog(m.pin, m.value);
      case "settled":
        void this.pins.settled().then(() => this.post({ ev: "reply", id: m.id }));
        return;
      case "wifi":
        if (m.up) this.wifiReconnect();
        else this.fw?.wifiDrop(m.reason ?? "beacon_timeout");
        return;
      case "sock":
        return this.net.deliver(m.id, m.ev);
      case "stop":
        this.pending = undefined;
        this.shutdown();
        return this.post({ ev: "reply", id: m.id });
    }
  }

  private reply(id: number, f: () => unknown): void {
    let value: unknown;
    try {
      value = f();
    } catch (e) {
      const err = e as { name?: unknown; message?: unknown };
      this.post({ ev: "reply", id, error: { name: String(err?.name ?? "Error"), message: String(err?.message ?? e) } });
      return;
    }
    this.post({ ev: "reply", id, value: toHost(value) });
  }

  private state(): BoardState {
    return { timers: this.timers.count, watches: this.pins.watchCounts(), wifi: this.wifi.status };
  }

  private wifiReconnect(): void {
    if (!this.fw || this.wifi.up) return;
    this.wifi.status = "connected";
    this.wifi.ssid ||= this.wifi.o.ssid ?? "vboard";
    this.fw.wifiUp();
  }

  // ---- lifecycle
  private shutdown(): void {
    this.fw?.dispose();
    this.fw = undefined;
    this.timers.clearAll();
    this.pins.reset();
    this.net.destroyAll();
    this.repl.clear();
    this.ramLog = [];
  }

  private fresh(): Firmware {
    this.shutdown();
    const hw: Hardware = {
      profile: this.profile,
      storage: this.storage,
      pins: this.pins,
      timers: this.timers,
      net: this.net,
      wifi: this.wifi,
      syntaxGate: this.init.syntaxGate,
      srcDir: this.srcDir,
      resetReason: this.init.resetReason,
      output: (t) => this.output(t),
      request: (a) => this.request(a),
      setEcho: (on) => (this.repl.echo = on),
      uncaught: (e) => {
        const x = e as { name?: unknown; message?: unknown };
        this.post({ ev: "uncaught", name: String(x?.name ?? "Error"), message: String(x?.message ?? formatValue(e, false)) });
      },
      stored: (name, offset, size) => this.post({ ev: "storage", name, offset, size }),
      watchdog: (t, auto) => this.enableWatchdog(t, auto),
      kick: () => this.kickNow(),
    };
    this.fw = new Firmware(hw);
    return this.fw;
  }

  // Power-on: the saved state and boot files from Storage (.boot0-3, .bootcde), or `script`
  // as if it were .bootcde, or (load(file)) that file. False if a top-level error stopped one.
  private powerOn(script?: string, file?: string): boolean {
    const fw = this.fresh();
    if (this.profile.modules.includes("Wifi")) {
      this.wifi.powerOn();
      if (this.wifi.up) fw.wifiUp();
    }
    let ok = true;
    this.booting = true;
    const runFile = (name: string, code: string, inRam: boolean) => {
      try {
        fw.exec(code, name, inRam);
      } catch (e) {
        fw.printUncaught(e);
        ok = false;
      }
    };
    if (script !== undefined) runFile(".bootcde", script, false);
    else if (file !== undefined) {
      const b = this.storage.read(file);
      if (b) runFile(file, b.toString("latin1"), false);
    } else {
      const img = this.storage.read(".varimg");
      if (img) runFile(".varimg", img.toString("latin1"), true);
      for (const f of BOOT_FILES) {
        const b = this.storage.read(f);
        if (b) runFile(f, b.toString("latin1"), false);
      }
    }
    if (this.fw === fw) fw.emitE("init");
    this.booting = false;
    if (this.pending?.kind === "save") this.pending = undefined;
    this.post({ ev: "booted", ok });
    this.performPending();
    return ok;
  }

  // reset()/load()/save()/E.reboot() from board code take effect once the code returns. As in
  // Espruino's idle loop (jsinteractive.c), the flag of the action being carried out is
  // cleared after it: a load() made by boot code that a load() started is dropped, as is a
  // reset() made while reset() runs .bootrst.
  private request(a: Action): void {
    if (this.performing && this.performing === a.kind && a.kind !== "reboot") return;
    this.pending = a;
    if (this.pendingTick) return;
    this.pendingTick = true;
    setImmediate(() => {
      this.pendingTick = false;
      this.performPending();
    });
  }

  private performPending(): void {
    const a = this.pending;
    if (!a) return;
    this.pending = undefined;
    this.performing = a.kind;
    try {
      switch (a.kind) {
        case "save":
          if (this.booting) return; // a replayed save() must not overwrite the image being loaded
          this.storage.write(".varimg", Buffer.from(this.ramLog.join("\n"), "latin1"));
          return;
        case "reset":
          if (a.clearFlash) this.storage.eraseAll();
          this.fresh();
          this.output(BANNER);
          this.runResetFile();
          this.post({ ev: "reset" });
          return;
        case "load":
          this.powerOn(undefined, a.file);
          return;
        case "reboot":
          this.powerOn();
          return;
      }
    } finally {
      this.performing = undefined;
    }
  }

  // .bootrst (the CLI's "save to flash, persistent") runs after reset() as well as at boot.
  private runResetFile(): void {
    const b = this.storage.read(".bootrst");
    if (!b || !this.fw) return;
    try {
      this.fw.exec(b.toString("latin1"), ".bootrst", false);
    } catch (e) {
      this.fw.printUncaught(e);
    }
  }

  private call(f: () => void): void {
    f();
    this.performPending();
  }

  // What the board prints: to the host's log, and to the console (redrawing the prompt).
  private output(text: string): void {
    this.post({ ev: "output", text });
    this.repl.output(text);
  }

  // ---- code
  // Code typed at the console (text in RAM); returns its value, throws what it throws.
  private evalCode(code: string): unknown {
    const fw = this.firmware();
    this.ramLog.push(code);
    try {
      return fw.exec(code, "eval", true);
    } finally {
      this.performPending();
    }
  }

  private consoleExec(code: string): { ok: boolean; value?: unknown } {
    const fw = this.firmware();
    this.ramLog.push(code);
    try {
      return { ok: true, value: fw.exec(code, "console", true) };
    } catch (e) {
      fw.printUncaught(e);
      return { ok: false };
    } finally {
      this.performPending();
    }
  }

  private firmware(): Firmware {
    if (!this.fw) this.fresh();
    return this.fw!;
  }

  // A board promise nobody handled: printed as the board does, the board carries on.
  rejected(reason: unknown, p: Promise<unknown>): boolean {
    if (!this.fw || !(p instanceof this.fw.Promise)) return false;
    this.fw.printUncaught(reason);
    return true;
  }
}

// A board value as plain host data (what eval() hands the host): primitives, arrays, plain
// objects and typed arrays are copied; functions and other host-unsafe things become undefined.
export function toHost(v: unknown, depth = 0, seen = new Set<unknown>()): unknown {
  if (v === null || typeof v !== "object") return typeof v === "function" || typeof v === "symbol" ? undefined : v;
  if (seen.has(v) || depth > 32) return undefined;
  seen.add(v);
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
  if (Object.prototype.toString.call(v) === "[object ArrayBuffer]") return new Uint8Array((v as ArrayBuffer).slice(0));
  if (Array.isArray(v)) return v.map((x) => toHost(x, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const d = Object.getOwnPropertyDescriptor(v, k);
    if (d && "value" in d) out[k] = toHost(d.value, depth + 1, seen);
  }
  return out;
}
