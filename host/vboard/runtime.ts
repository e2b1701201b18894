// One firmware lifetime: a fresh vm context with Espruino's API and quirks, from power-on
// (or reset()) to the next reset. Runs on the board thread (worker.ts). The hardware that
// outlives it (pins, Storage, the socket client, the console) belongs to the BoardCore and is
// reached through `Hardware`.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import vm from "node:vm";
import { crc32 } from "../../shared/crc32";
import { formatArgs, setFunctionText, uncaughtText } from "./format";
import { COSTS, geometry, type Realm, Walker } from "./memory";
import { bytesOf, cryptoModule, heatshrinkModule, storageModule } from "./modules";
import { ConnectError, type NetClient } from "./netclient";
import { now, type Level, type PinBank } from "./pins";
import { NODEMCU, type BoardProfile } from "./profile";
import type { SocketEvent } from "./protocol";
import { compile, type FnMeta, parseScript } from "./scoping";
import type { DiskStorage } from "./storage";
import { checkSyntax, EspruinoSyntaxError } from "./syntax";
import type { TimerTable } from "./timers";
import type { WifiSim } from "./wifi";

export type Action = { kind: "reset"; clearFlash: boolean } | { kind: "load"; file?: string } | { kind: "reboot" } | { kind: "save" };

export interface Hardware {
  profile: BoardProfile;
  storage: DiskStorage;
  pins: PinBank;
  timers: TimerTable;
  net: NetClient;
  wifi: WifiSim;
  syntaxGate: boolean;
  srcDir: string; // host/vboard, for the prelude
  resetReason: string;
  output(text: string): void;
  request(a: Action): void; // performed once the current JS execution returns
  setEcho(on: boolean): void;
  uncaught(e: unknown): void;
  stored(name: string, offset?: number, size?: number): void; // board code wrote to Storage
  watchdog(timeoutS: number, auto: boolean): void;
  kick(): void;
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
  fnInfo(f: Function): [number, object | null] | undefined;
  builtin(o: object): boolean;
  builtinKeys(o: object): Record<string, true> | undefined;
  listeners(o: object): Record<string, unknown[]> | undefined;
  isPin(o: object): boolean;
  U: object;
  objectProto: object;
  cached(): Record<string, unknown>;
  required(): string[];
  fromContext(e: unknown): boolean;
}

const DEFAULT_PWM_HZ = 1000;
const latin1 = (b: number[] | Buffer): string => Buffer.from(b).toString("latin1");
let prelude: string | undefined;

// Compiled code is kept across reboots (the same .bootcde runs again and again); the metadata
// of every function it makes lives as long as the thread.
const METAS: FnMeta[] = [];
interface Compiledish {
  code: string;
  globals: string[];
  constructs: string[];
  methods: string[];
}
const compiled = new Map<string, Compiledish>();
const COMPILED_MAX = 32;

function compileCached(src: string, flash: boolean, chain: string[][] | null, gate: boolean): Compiledish {
  const key = (flash ? "f" : "r") + (gate ? "g" : "-") + (chain ? JSON.stringify(chain) : "") + "\u0000" + src;
  const hit = compiled.get(key);
  if (hit) {
    compiled.delete(key);
    compiled.set(key, hit);
    return hit;
  }
  const ast = parseScript(src);
  if (gate) checkSyntax(ast, src);
  const c = compile(src, { flash, chain: chain ?? undefined }, METAS.length, ast);
  METAS.push(...c.metas);
  const r = { code: c.code, globals: c.globals, constructs: c.constructs, methods: c.methods };
  if (compiled.size >= COMPILED_MAX) compiled.delete(compiled.keys().next().value!);
  compiled.set(key, r);
  return r;
}

// Built-ins Espruino creates in the root when first named; these already exist at boot.
const PRESENT_AT_BOOT = new Set(["Object", "Function", "process", "global", "E", "Pin"]);
// A built-in class whose instances code makes, or whose methods it calls, is made in the root
// with its prototype the first time (measured: 8 JsVars each; 9 more for typed arrays' own
// methods). The methods that tell which class code uses:
const CLASS_METHODS: Record<string, string[]> = {
  Array: "push pop shift unshift splice join reverse sort forEach map filter reduce reduceRight some every find findIndex concat indexOf lastIndexOf includes".split(" "),
  String: "charAt charCodeAt substr substring split replace toUpperCase toLowerCase trim startsWith endsWith padStart repeat".split(" "),
  ArrayBufferView: "set subarray".split(" "),
};
// require() of a built-in module: the module object, and what some modules add.
const MODULE_EXTRA: Record<string, number> = { Wifi: 6 };

export class Firmware {
  readonly context: vm.Context;
  private global: Record<string, unknown>; // the context's own global object (not the sandbox)
  private h!: Helpers;
  private pinObjects = new WeakMap<object, string>();
  private sockets = new Map<number, any>();
  private hostTimers = new Set<NodeJS.Timeout>();
  private named = new Set<string>(); // global names code read (built-ins made on first use)
  private classes = new Set<string>(); // built-in classes code constructs or calls methods of
  private flash = new Set<string>(); // strings that are Storage reads (flash, 1 var)
  private flat = new Set<string>(); // strings E.toString made (flat strings)
  private realm: Realm;
  dead = false;

  constructor(private hw: Hardware) {
    // The sandbox object backs the board's global object: a plain {} would give every global
    // lookup of Object.prototype's names (`this.constructor`, `toString`) the host's Object.
    this.context = vm.createContext(Object.create(null), { name: "vboard-" + hw.profile.name, codeGeneration: { strings: true, wasm: false } });
    prelude ??= readFileSync(join(hw.srcDir, "prelude.js"), "utf8");
    const init = vm.runInContext(prelude, this.context, { filename: "vboard-prelude.js" });
    this.h = init(this.bridge());
    this.global = vm.runInContext("globalThis", this.context);
    const h = this.h;
    this.realm = {
      fnInfo: (f) => {
        const i = h.fnInfo(f);
        return i ? [METAS[i[0]], i[1]] : undefined;
      },
      builtin: (o) => h.builtin(o),
      builtinKeys: (o) => {
        const k = h.builtinKeys(o);
        return k ? new Set(Object.keys(k)) : undefined;
      },
      listeners: (o) => h.listeners(o),
      isPin: (o) => h.isPin(o),
      notDeclared: h.U,
      objectProto: h.objectProto,
      flashStrings: this.flash,
      flatStrings: this.flat,
    };
    setFunctionText((f) => this.realm.fnInfo(f)?.[0]?.src);
  }

  // ---- running code
  err(msg: string, type: "Error" | "TypeError" = "Error"): Error {
    return new this.h[type](msg);
  }

  // Board code as V8 runs it (scoping.ts); a syntax error becomes the board's SyntaxError.
  compile(code: string, flash: boolean, chain: string[][] | null): string {
    try {
      const c = compileCached(code, flash, chain, this.hw.syntaxGate);
      for (const g of c.globals) this.named.add(g);
      for (const g of c.constructs) this.classes.add(g);
      for (const m of c.methods) for (const k in CLASS_METHODS) if (CLASS_METHODS[k].includes(m)) this.classes.add(k);
      return c.code;
    } catch (e) {
      throw new this.h.SyntaxError(e instanceof EspruinoSyntaxError ? e.message : String((e as Error).message));
    }
  }

  // Runs board code at the top level; `inRam` when it came as text (console, eval) rather
  // than from Storage.
  exec(code: string, filename: string, inRam: boolean): unknown {
    return vm.runInContext(this.compile(code, !inRam || this.flash.has(code), null), this.context, { filename });
  }

  // Calls a board callback; an error escaping it is printed and the board carries on.
  run(fn: unknown, args: unknown[] = []): void {
    if (this.dead) return;
    try {
      if (typeof fn === "function") fn.apply(undefined, args);
      else if (typeof fn === "string") this.exec(fn, "callback", true);
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

  // A string Storage handed out: on the chip it stays in flash (1 JsVar, code run from it
  // keeps its functions' bodies there).
  private fromFlash(s: string): string {
    return this.remember(this.flash, s);
  }

  private remember(set: Set<string>, s: string): string {
    if (s.length > 8) {
      if (set.size > 256) set.delete(set.values().next().value!);
      set.add(s);
    }
    return s;
  }

  // ---- memory: the JsVar model (memory.ts)
  usage(detail?: Record<string, number>): number {
    const p = this.hw.profile;
    const w = new Walker(geometry(p.pool), this.realm);
    const g = this.global;
    let mark = 0;
    const part = (what: string) => {
      if (detail) detail[what] = (detail[what] ?? 0) + w.n - mark;
      mark = w.n;
    };
    w.add(p.pool.base);
    part("firmware");
    // the globals board code made (the global object's own names beyond the firmware's)
    const boot = this.realm.builtinKeys(g);
    for (const k of Object.keys(g)) {
      if (boot?.has(k)) continue;
      const d = Object.getOwnPropertyDescriptor(g, k);
      w.add(w.slot(k, d && "value" in d ? d.value : undefined));
      if (detail) part("global " + k);
    }
    part("globals");
    for (const name of this.classes) {
      const v = g[name];
      if (name === "ArrayBufferView") w.add(COSTS.viewClass);
      else if (typeof v === "function" && this.h.builtin(v) && !PRESENT_AT_BOOT.has(name)) w.add(COSTS.classUse);
      if (detail) part("class " + name);
    }
    for (const name of this.named) {
      if (PRESENT_AT_BOOT.has(name) || this.classes.has(name) || !Object.prototype.hasOwnProperty.call(g, name)) continue;
      const v = g[name];
      const builtin = v !== null && (typeof v === "object" || typeof v === "function") && this.h.builtin(v as object) && !this.h.isPin(v as object);
      if (builtin && (typeof v === "object" || /^[A-Z]/.test(name))) w.add(w.nameCost(name) + COSTS.builtinObject);
      if (detail) part("named " + name);
    }
    part("built-ins named");
    w.add(w.value(this.h.E));
    part("E");
    // timers, watches, sockets
    for (const t of this.hw.timers.entries()) {
      w.add(COSTS.timer + (t.repeat ? COSTS.interval : 0) + w.value(t.fn));
      if (t.args.length) w.add(COSTS.timerArgs + t.args.reduce<number>((n, a, i) => n + w.slot(i, a), 0));
    }
    part("timers");
    for (const fn of this.hw.pins.watchCallbacks()) w.add(COSTS.watch + w.value(fn));
    part("watches");
    for (const s of this.sockets.values()) w.add(COSTS.socket + w.value(s));
    part("sockets");
    // the module cache: built-in modules asked for, modules from Storage
    const required = this.h.required();
    const cached = this.h.cached();
    if (required.length || Object.keys(cached).length) w.add(COSTS.moduleCache);
    for (const m of required) w.add(w.nameCost(m) + 1 + (MODULE_EXTRA[m] ?? 0) + w.value((g.require as (n: string) => unknown)(m)));
    for (const m of Object.keys(cached)) w.add(w.slot(m, cached[m]));
    part("modules");
    w.finish();
    part("prototypes");
    return Math.min(w.n, p.pool.vars);
  }

  // JsVars a value takes on its own (E.getSizeOf).
  sizeOf(v: unknown): number {
    const w = new Walker(geometry(this.hw.profile.pool), this.realm);
    return Math.max(1, w.value(v));
  }

  memory(): { free: number; usage: number; total: number; history: number; gc: number; gctime: number; blocksize: number } {
    const total = this.hw.profile.pool.vars;
    const usage = this.usage();
    return { free: total - usage, usage, total, history: 0, gc: 0, gctime: 0, blocksize: this.hw.profile.pool.varBytes };
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

  // ---- the bridge the prelude captures (host functions: the prelude wraps every one)
  private bridge(): Record<string, unknown> {
    const hw = this.hw;
    const p = hw.profile;
    const pins = hw.pins;
    const names = [...Array(p.pinCount).keys()].map((i) => "D" + i).concat(Object.keys(p.aliases));
    const digitalWrite = (pin: unknown, v: unknown) => {
      if (Array.isArray(pin)) {
        const n = Number(v);
        pin.forEach((q, i) => pins.digitalWrite(this.pin(q), ((n >> (pin.length - 1 - i)) & 1) as Level));
      } else pins.digitalWrite(this.pin(pin), (v ? 1 : 0) as Level);
    };
    const digitalRead = (pin: unknown): number => {
      if (Array.isArray(pin)) return pin.reduce((acc: number, q) => (acc << 1) | pins.digitalRead(this.pin(q)), 0);
      return pins.digitalRead(this.pin(pin));
    };
    const timer = (repeat: boolean) => (fn: unknown, ms?: unknown, ...args: unknown[]) => hw.timers.add(fn, ms, args, repeat);
    let timeOffset = 0;
    const globals = {
      pinMode: (pin: unknown, mode?: unknown, automatic?: unknown) => {
        const m = mode === undefined || mode === "auto" ? undefined : String(mode);
        pins.setMode(this.pin(pin), m, m !== undefined && automatic !== true);
      },
      getPinMode: (pin: unknown) => pins.getMode(this.pin(pin)),
      digitalRead,
      digitalWrite,
      digitalPulse: (pin: unknown, value: unknown, time: unknown) => {
        const ms = Array.isArray(time) ? Number(time[0]) : Number(time);
        pins.pulse(this.pin(pin), (value ? 1 : 0) as Level, ms);
      },
      analogRead: (pin: unknown) => {
        const n = this.pin(pin);
        // The Linux build has no ADC and only prints an error; the chips throw.
        if (!p.analogPins.length) {
          hw.output("ERROR: analogRead not implemented on " + p.name + "\r\n");
          return 0;
        }
        if (!p.analogPins.includes(n)) throw new Error("Pin " + n + " is not an ADC pin");
        return pins.analogRead(n);
      },
      analogWrite: (pin: unknown, value: unknown, opts?: { freq?: unknown }) => {
        const d = Math.min(1, Math.max(0, Number(value) || 0));
        const f = opts && opts.freq !== undefined ? Number(opts.freq) : DEFAULT_PWM_HZ;
        pins.analogWrite(this.pin(pin), d, f);
      },
      setWatch: (fn: unknown, pin: unknown, opts?: unknown) => {
        const o: { edge?: unknown; repeat?: unknown; debounce?: unknown; data?: unknown } =
          typeof opts === "object" && opts !== null ? opts : { repeat: !!opts };
        return pins.addWatch(fn, this.pin(pin), {
          edge: o.edge,
          repeat: !!o.repeat,
          debounce: Number(o.debounce) || 0,
          data: o.data !== undefined ? this.pin(o.data) : undefined,
        });
      },
      clearWatch: (id?: unknown) => pins.clearWatch(id),
      setTimeout: timer(false),
      setInterval: timer(true),
      clearTimeout: (id?: unknown) => hw.timers.clear(id),
      clearInterval: (id?: unknown) => hw.timers.clear(id),
      changeInterval: (id: unknown, ms: unknown) => hw.timers.change(id, ms),
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
      btoa: (s: unknown) => {
        const str = String(s);
        for (let i = 0; i < str.length; i++) if (str.charCodeAt(i) > 255) throw new Error("btoa: character out of range");
        return Buffer.from(str, "latin1").toString("base64");
      },
      atob: (s: unknown) => Buffer.from(String(s), "base64").toString("latin1"),
      getSerial: () => "vboard-" + p.name,
      setDeepSleep: () => {},
      setSleepIndicator: () => {},
      setBusyIndicator: () => {},
      memory: () => this.h.obj(JSON.stringify(this.memory())),
    };
    const E = {
      toString: (...args: unknown[]) => this.remember(this.flat, latin1(bytesOf(args))),
      toUint8Array: (...args: unknown[]) => new this.h.Uint8Array(bytesOf(args)),
      toArrayBuffer: (s: unknown) => new this.h.Uint8Array(bytesOf([String(s)])).buffer,
      CRC32: (d: unknown) => crc32(Uint8Array.from(bytesOf([d]))),
      getSizeOf: (v: unknown) => this.sizeOf(v),
      reboot: () => hw.request({ kind: "reboot" }),
      // Pre-1v96 upload path of the CLI (SAVE_ON_SEND without a known firmware version).
      setBootCode: (code: unknown) => {
        hw.storage.write(".bootcde", Buffer.from(bytesOf([String(code ?? "")])));
        hw.stored(".bootcde");
      },
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
      // The watchdog (see watchdog.ts): timeout in seconds, kicked by the idle loop unless
      // isAuto is false, then only by E.kickWatchdog().
      enableWatchdog: (timeout: unknown, isAuto?: unknown) => {
        let t = Number(timeout);
        if (!(t >= 0)) t = 1;
        hw.watchdog(t, isAuto === undefined || !!isAuto);
      },
      kickWatchdog: () => hw.kick(),
    };
    const storage = hw.storage;
    const realm = { obj: (v: unknown) => this.obj(v), bytes: (b: ArrayLike<number>) => new this.h.Uint8Array(b) };
    const Storage = storageModule(storage, realm, (name, offset, size) => hw.stored(name, offset, size), (s) => this.fromFlash(s));
    const crypto = cryptoModule(p.sha256, realm);
    const chip = {
      getState: () => this.h.obj(JSON.stringify({ sdkVersion: "vboard", cpuFrequency: 80, freeHeap: 20000, maxCon: 10, flashMap: "4MB:1024/1024" })),
      getResetInfo: () => this.h.obj(JSON.stringify({ code: RESET_CODES[hw.resetReason] ?? 0, reason: hw.resetReason })),
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
      chip: p.name === "esp8266" || p.name === "esp32" ? chip : null,
      has: { tls: p.modules.includes("tls"), Wifi: p.modules.includes("Wifi"), ESP8266: p.name === "esp8266", ESP32: p.name === "esp32" },
      wifi: wifiBridge,
      // Code from a string: `chain` the names in each scope object of the caller (innermost
      // first), null at the top level.
      compile: (code: string, chain: string[][] | null) => this.compile(code, this.flash.has(code), chain),
      fnSource: (id: number) => METAS[id]?.src,
      storageModule: (name: string) => {
        const b = storage.read(name);
        return b ? this.fromFlash(b.toString("latin1")) : undefined;
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

  // Whether a value thrown out of board code belongs to the board's realm.
  fromContext(e: unknown): boolean {
    return this.h.fromContext(e);
  }
}

// ESP8266.getResetInfo().code for each reason (the SDK's rst_reason).
const RESET_CODES: Record<string, number> = { "power on": 0, "wdt reset": 1, exception: 2, "soft wdt": 3, restart: 4, "deep sleep": 5, "reset pin": 6 };
