// One firmware lifetime: a fresh vm context with Espruino's API and quirks, from power-on
// (or reset()) to the next reset. The hardware that outlives it (pins, Storage, sockets'
// worker, console) belongs to the VirtualBoard and is reached through `Hardware`.
import { readFileSync } from "node:fs";
import vm from "node:vm";
import { crc32 } from "./crc32";
import { formatArgs, uncaughtText } from "./format";
import { bytesOf, cryptoModule, heatshrinkModule, storageModule } from "./modules";
import { staticVars, VarCounter } from "./memory";
import { ConnectError, type NetBridge, type SocketEvent } from "./netbridge";
import { now, type Level, type PinBank } from "./pins";
import { NODEMCU, type BoardProfile } from "./profile";
import type { DiskStorage } from "./storage";
import { checkSource, EspruinoSyntaxError } from "./syntax";
import type { TimerTable } from "./timers";
import type { WifiSim } from "./wifi";

const PRELUDE = readFileSync(new URL("./prelude.js", import.meta.url), "utf8");

export type Action = { kind: "reset"; clearFlash: boolean } | { kind: "load"; file?: string } | { kind: "reboot" } | { kind: "save" };

export interface Hardware {
  profile: BoardProfile;
  storage: DiskStorage;
  pins: PinBank;
  timers: TimerTable;
  net: NetBridge;
  wifi: WifiSim;
  syntaxGate: boolean;
  output(text: string): void;
  request(a: Action): void; // performed once the current JS execution returns
  setEcho(on: boolean): void;
  uncaught(e: unknown): void;
}

interface Helpers {
  obj(json: string): any;
  Error: ErrorConstructor;
  TypeError: TypeErrorConstructor;
  SyntaxError: SyntaxErrorConstructor;
  Uint8Array: Uint8ArrayConstructor;
  ArrayBuffer: ArrayBufferConstructor;
  Promise: PromiseConstructor;
  wifi: any;
  E: any;
  snapshot(): string[];
}

const DEFAULT_PWM_HZ = 1000;

const latin1 = (b: number[] | Buffer): string => Buffer.from(b).toString("latin1");

export class Firmware {
  readonly context: vm.Context;
  private h!: Helpers;
  private pinObjects = new WeakMap<object, string>();
  private builtinGlobals = new Set<string>();
  private sockets = new Map<number, any>();
  private hostTimers = new Set<NodeJS.Timeout>();
  private codeVars = 0;
  dead = false;

  constructor(private hw: Hardware) {
    this.context = vm.createContext({}, { name: "vboard-" + hw.profile.name, codeGeneration: { strings: true, wasm: false } });
    const init = vm.runInContext(PRELUDE, this.context, { filename: "vboard-prelude.js" });
    this.h = init(this.bridge());
    for (const k of this.h.snapshot()) this.builtinGlobals.add(k);
  }

  // ---- running code
  err(msg: string, type: "Error" | "TypeError" = "Error"): Error {
    return new this.h[type](msg);
  }

  // Runs board code; `inRam` when it came as text (console, eval) rather than from Storage.
  exec(code: string, filename: string, inRam: boolean): unknown {
    let facts;
    try {
      facts = checkSource(code, this.hw.syntaxGate);
    } catch (e) {
      throw new this.h.SyntaxError(e instanceof EspruinoSyntaxError ? e.message : String((e as Error).message));
    }
    this.codeVars += staticVars(facts, inRam, this.hw.profile.blockSize);
    return vm.runInContext(facts.code, this.context, { filename });
  }

  // Calls a board callback; an error escaping it is printed and the board carries on.
  run(fn: unknown, args: unknown[] = []): void {
    if (this.dead) return;
    try {
      if (typeof fn === "function") fn.apply(undefined, args);
      else if (typeof fn === "string") vm.runInContext(fn, this.context);
    } catch (e) {
      this.printUncaught(e);
    }
  }

  printUncaught(e: unknown): void {
    this.hw.output(uncaughtText(e) + "\r\n");
    this.hw.uncaught(e);
  }

  // A copy of plain data made in the board's realm.
  obj(v: unknown): unknown {
    return this.h.obj(JSON.stringify(v));
  }

  get Promise(): PromiseConstructor {
    return this.h.Promise;
  }

  emitE(event: string): void {
    this.run(() => this.h.E.emit(event));
  }

  private later(fn: () => void, ms = 0): void {
    const t = setTimeout(() => {
      this.hostTimers.delete(t);
      if (!this.dead) fn();
    }, ms);
    this.hostTimers.add(t);
  }

  dispose(): void {
    this.run(() => this.h.E.emit("kill"));
    this.dead = true;
    for (const t of this.hostTimers) clearTimeout(t);
    this.hostTimers.clear();
    for (const id of this.sockets.keys()) this.hw.net.destroy(id);
    this.sockets.clear();
  }

  // ---- memory
  usage(): number {
    const c = new VarCounter(this.hw.profile.blockSize);
    let n = this.hw.profile.bootUsage + this.codeVars;
    const g = this.context as Record<string, unknown>;
    for (const k of Object.getOwnPropertyNames(g)) if (!this.builtinGlobals.has(k)) n += 1 + c.count(g[k]);
    for (const fn of [...this.hw.timers.callbacks(), ...this.hw.pins.watchCallbacks()]) n += 1 + c.count(fn);
    n += 4 * this.sockets.size;
    return Math.min(n, this.hw.profile.jsVars);
  }

  memory(): { free: number; usage: number; total: number; history: number; gc: number; gctime: number; blocksize: number } {
    const total = this.hw.profile.jsVars;
    const usage = this.usage();
    return { free: total - usage, usage, total, history: 0, gc: 0, gctime: 0, blocksize: this.hw.profile.blockSize };
  }

  // ---- pins
  pinName(v: unknown): string | undefined {
    if (v && typeof v === "object") return this.pinObjects.get(v);
    if (typeof v === "number" && Number.isInteger(v)) {
      if (v >= 0 && v < this.hw.profile.pinCount) return "D" + v;
      if (this.hw.profile.aliases.A0 && v === 17) return "A0";
      return undefined;
    }
    if (typeof v === "string" && this.hw.pins.has(v)) return v;
    return undefined;
  }

  private pin(v: unknown): string {
    const n = this.pinName(v);
    if (n === undefined) throw this.err("Invalid pin: " + String(v));
    return n;
  }

  pinObject(name: string): unknown {
    return (this.context as Record<string, unknown>)[name];
  }

  // ---- the bridge the prelude captures
  private bridge(): Record<string, unknown> {
    const hw = this.hw;
    const p = hw.profile;
    const pins = hw.pins;
    const names = [...Array(p.pinCount).keys()].map((i) => "D" + i).concat(Object.keys(p.aliases));
    const guard =
      <A extends unknown[], R>(f: (...a: A) => R) =>
      (...a: A): R => {
        try {
          return f(...a);
        } catch (e) {
          if (e && typeof e === "object" && !(e instanceof Error)) throw e; // already a context error
          throw this.err((e as Error).message);
        }
      };
    const digitalWrite = guard((pin: unknown, v: unknown) => {
      if (Array.isArray(pin)) {
        const n = Number(v);
        pin.forEach((q, i) => pins.digitalWrite(this.pin(q), ((n >> (pin.length - 1 - i)) & 1) as Level));
      } else pins.digitalWrite(this.pin(pin), (v ? 1 : 0) as Level);
    });
    const digitalRead = guard((pin: unknown): number => {
      if (Array.isArray(pin)) return pin.reduce((acc: number, q) => (acc << 1) | pins.digitalRead(this.pin(q)), 0);
      return pins.digitalRead(this.pin(pin));
    });
    const timer = (repeat: boolean) =>
      guard((fn: unknown, ms?: unknown, ...args: unknown[]) => hw.timers.add(fn, ms, args, repeat));
    let timeOffset = 0;
    const globals = {
      pinMode: guard((pin: unknown, mode?: unknown, automatic?: unknown) => {
        const m = mode === undefined || mode === "auto" ? undefined : String(mode);
        pins.setMode(this.pin(pin), m, m !== undefined && automatic !== true);
      }),
      getPinMode: guard((pin: unknown) => pins.getMode(this.pin(pin))),
      digitalRead,
      digitalWrite,
      digitalPulse: guard((pin: unknown, value: unknown, time: unknown) => {
        const ms = Array.isArray(time) ? Number(time[0]) : Number(time);
        pins.pulse(this.pin(pin), (value ? 1 : 0) as Level, ms);
      }),
      analogRead: guard((pin: unknown) => {
        const n = this.pin(pin);
        // The Linux build has no ADC and only prints an error; the chips throw.
        if (!p.analogPins.length) {
          hw.output("ERROR: analogRead not implemented on " + p.name + "\r\n");
          return 0;
        }
        if (!p.analogPins.includes(n)) throw new Error("Pin " + n + " is not an ADC pin");
        return pins.analogRead(n);
      }),
      analogWrite: guard((pin: unknown, value: unknown, opts?: { freq?: unknown }) => {
        const d = Math.min(1, Math.max(0, Number(value) || 0));
        const f = opts && opts.freq !== undefined ? Number(opts.freq) : DEFAULT_PWM_HZ;
        pins.analogWrite(this.pin(pin), d, f);
      }),
      setWatch: guard((fn: unknown, pin: unknown, opts?: unknown) => {
        const o: { edge?: unknown; repeat?: unknown; debounce?: unknown; data?: unknown } =
          typeof opts === "object" && opts !== null ? opts : { repeat: !!opts };
        return pins.addWatch(fn, this.pin(pin), {
          edge: o.edge,
          repeat: !!o.repeat,
          debounce: Number(o.debounce) || 0,
          data: o.data !== undefined ? this.pin(o.data) : undefined,
        });
      }),
      clearWatch: guard((id?: unknown) => pins.clearWatch(id)),
      setTimeout: timer(false),
      setInterval: timer(true),
      clearTimeout: guard((id?: unknown) => hw.timers.clear(id)),
      clearInterval: guard((id?: unknown) => hw.timers.clear(id)),
      changeInterval: guard((id: unknown, ms: unknown) => hw.timers.change(id, ms)),
      getTime: () => now() + timeOffset,
      setTime: (t: unknown) => {
        timeOffset = Number(t) - now();
      },
      print: (...args: unknown[]) => hw.output(formatArgs(args) + "\r\n"),
      trace: () => hw.output("(trace)\r\n"),
      load: (file?: unknown) => hw.request({ kind: "load", file: file === undefined ? undefined : String(file) }),
      save: () => hw.request({ kind: "save" }),
      reset: (clearFlash?: unknown) => hw.request({ kind: "reset", clearFlash: !!clearFlash }),
      echo: (on: unknown) => hw.setEcho(!!on),
      btoa: guard((s: unknown) => {
        const str = String(s);
        for (let i = 0; i < str.length; i++) if (str.charCodeAt(i) > 255) throw new Error("btoa: character out of range");
        return Buffer.from(str, "latin1").toString("base64");
      }),
      atob: guard((s: unknown) => Buffer.from(String(s), "base64").toString("latin1")),
      getSerial: () => "vboard-" + p.name,
      setDeepSleep: () => {},
      setSleepIndicator: () => {},
      setBusyIndicator: () => {},
      memory: () => this.h.obj(JSON.stringify(this.memory())),
    };
    const E = {
      toString: (...args: unknown[]) => latin1(bytesOf(args)),
      toUint8Array: (...args: unknown[]) => new this.h.Uint8Array(bytesOf(args)),
      toArrayBuffer: (s: unknown) => new this.h.Uint8Array(bytesOf([String(s)])).buffer,
      CRC32: (d: unknown) => crc32(bytesOf([d])),
      getSizeOf: (v: unknown) => Math.max(1, new VarCounter(p.blockSize).count(v)),
      reboot: () => hw.request({ kind: "reboot" }),
      // Pre-1v96 upload path of the CLI (SAVE_ON_SEND without a known firmware version).
      setBootCode: guard((code: unknown) => {
        hw.storage.write(".bootcde", Buffer.from(bytesOf([String(code ?? "")])));
      }),
      hwRand: () => (Math.random() * 0x100000000) | 0,
      getTemperature: () => 25,
      getAnalogVRef: () => 3.3,
      clip: (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x)),
      setFlags: () => {},
      getFlags: () => this.h.obj("{}"),
      getErrorFlags: () => this.h.obj("[]"),
      setTimeZone: () => {},
      setClock: () => 80000000,
      defrag: () => {},
      kickWatchdog: () => {},
      enableWatchdog: () => {},
    };
    const storage = hw.storage;
    const realm = { obj: (v: unknown) => this.obj(v), bytes: (b: ArrayLike<number>) => new this.h.Uint8Array(b) };
    const Storage = storageModule(storage, realm, guard);
    const crypto = cryptoModule(p.sha256, realm);
    const chip = {
      getState: () => this.h.obj(JSON.stringify({ sdkVersion: "vboard", cpuFrequency: 80, freeHeap: 20000, maxCon: 10, flashMap: "4MB:1024/1024" })),
      getResetInfo: () => this.h.obj(JSON.stringify({ code: 0, reason: "power on" })),
      reboot: () => hw.request({ kind: "reboot" }),
      deepSleep: () => {},
      setLog: () => {},
      printLog: () => {},
      setCPUFreq: () => {},
      logDebug: () => {},
    };
    const wifi = hw.wifi;
    const wifiBridge = {
      connect: (ssid: string, opts: { password?: unknown }, cb?: unknown) => {
        wifi.status = "connecting";
        const err = wifi.attempt(ssid, opts.password === undefined ? undefined : String(opts.password));
        this.later(() => {
          wifi.status = err ? (err as "wrong_password") : "connected";
          wifi.ssid = ssid;
          if (cb) this.run(cb, [err]);
          if (!err) this.run(() => this.h.wifi.emit("connected", this.h.obj(JSON.stringify(wifi.info()))));
        }, wifi.o.delayMs ?? 0);
      },
      disconnect: (cb?: unknown) => {
        this.wifiDrop("assoc_leave");
        if (cb) this.later(() => this.run(cb, []));
      },
      ip: () => this.h.obj(JSON.stringify(wifi.info())),
      status: () => this.h.obj(JSON.stringify({ station: wifi.status, ap: "disabled", mode: "sta", phy: "11n", powersave: "none", savedMode: "off" })),
      details: () => this.h.obj(JSON.stringify({ status: wifi.status, ssid: wifi.ssid, rssi: -50, password: "" })),
      scan: () => this.h.obj(JSON.stringify(wifi.o.ssid ? [{ ssid: wifi.o.ssid, authMode: "wpa2", rssi: -50, channel: 6, isHidden: false }] : [])),
      later: (cb: unknown, args: unknown[]) => this.later(() => this.run(cb, args)),
    };
    return {
      pinNames: names,
      nodemcu: p.name === "esp8266" ? NODEMCU : null,
      pinName: (v: unknown) => this.pinName(v),
      pinNum: (v: unknown) => {
        const n = this.pinName(v);
        return n === "A0" ? 17 : Number(n?.slice(1));
      },
      pinOut: (v: unknown) => pins.level(this.pin(v)),
      registerPin: (o: object, n: string) => this.pinObjects.set(o, n),
      globals,
      E,
      env: JSON.stringify(p.env),
      Storage,
      crypto,
      heatshrink: p.modules.includes("heatshrink") ? heatshrinkModule(realm) : null,
      chip,
      has: { tls: p.modules.includes("tls"), Wifi: p.modules.includes("Wifi"), ESP8266: p.name === "esp8266", ESP32: p.name === "esp32" },
      wifi: wifiBridge,
      storageModule: (name: string) => {
        const b = storage.read(name);
        if (!b) return undefined;
        const src = b.toString("latin1");
        // A module required from Storage defines its functions as any script run from there
        // does (bodies stay in flash): count them, or lazily loaded modules would look free.
        this.codeVars += staticVars(checkSource(src, hw.syntaxGate), false, hw.profile.blockSize);
        return src;
      },
      sockConnect: (opts: Record<string, unknown>, tls: boolean, sock: any) => this.connect(opts, tls, sock),
      sockWrite: (id: number, data: string) => hw.net.write(id, data),
      sockEnd: (id: number) => hw.net.end(id),
      sockDestroy: (id: number) => {
        const s = this.sockets.get(id);
        hw.net.destroy(id);
        if (!s) return;
        this.sockets.delete(id);
        this.later(() => this.run(() => s.emit("close", false)));
      },
    };
  }

  wifiDrop(reason: string): void {
    const was = this.hw.wifi.status;
    this.hw.wifi.status = "off";
    if (was !== "connected") return;
    this.later(() => this.run(() => this.h.wifi.emit("disconnected", this.h.obj(JSON.stringify({ ssid: this.hw.wifi.ssid, reason })))));
    // The link is gone: every socket closes.
    for (const [id, s] of [...this.sockets]) {
      this.hw.net.destroy(id);
      this.sockets.delete(id);
      this.later(() => this.run(() => s.emit("close", true)));
    }
  }

  // "connected" for handlers registered by then (power-on with saved WiFi, host reconnect).
  wifiUp(): void {
    this.later(() => this.run(() => this.h.wifi.emit("connected", this.h.obj(JSON.stringify(this.hw.wifi.info())))));
  }

  private connect(opts: Record<string, unknown>, tls: boolean, sock: any): number {
    const host = String(opts.host ?? "localhost");
    const port = Number(opts.port ?? (tls ? 443 : 80));
    if (this.hw.profile.modules.includes("Wifi") && !this.hw.wifi.up) throw this.err("Unable to connect: WiFi is not connected");
    let id: number;
    try {
      id = this.hw.net.connect(
        {
          host,
          port,
          tls,
          servername: host,
          ca: opts.ca === undefined ? undefined : String(opts.ca),
          cert: opts.cert === undefined ? undefined : String(opts.cert),
          key: opts.key === undefined ? undefined : String(opts.key),
          rejectUnauthorized: opts.ca !== undefined,
        },
        (e: SocketEvent) => this.socketEvent(id, sock, e),
      );
    } catch (e) {
      throw this.err(e instanceof ConnectError ? e.message : String(e));
    }
    this.sockets.set(id, sock);
    return id;
  }

  private socketEvent(id: number, sock: any, e: SocketEvent): void {
    if (this.dead || this.sockets.get(id) !== sock) return;
    switch (e.ev) {
      case "connect":
        return this.run(() => sock.emit("connect"));
      case "data":
        return this.run(() => sock.emit("data", e.data));
      case "end":
        return this.run(() => sock.emit("end"));
      case "error":
        return this.run(() => sock.emit("error", this.h.obj(JSON.stringify({ code: e.code, message: e.message }))));
      case "close":
        this.sockets.delete(id);
        return this.run(() => sock.emit("close", false));
    }
  }

  get openSockets(): number {
    return this.sockets.size;
  }
}
