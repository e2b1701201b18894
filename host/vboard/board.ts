// The virtual board: the same dist/device/<board>/app.js a chip runs, executed on its own
// thread (worker.ts) in a vm context that offers only Espruino 2v29's API (runtime.ts,
// prelude.js), with the world around the chip on the host's thread: the wiring (pins as the
// board drives them, peripherals driving its inputs), Storage on disk, real sockets, the
// watchdog and the console on TCP for the Espruino CLI.
//
// Board code cannot reach the host: its realm holds nothing of the host's (prelude.js), its
// thread has an empty environment, and the only way out is the message channel (protocol.ts).
import { EventEmitter } from "node:events";
import { Worker } from "node:worker_threads";
import { ConsoleServer } from "./console-server";
import { Encoder } from "./encoder";
import { NetHost } from "./nethost";
import { PinView } from "./pinview";
import { PROFILES, type BoardName, type BoardProfile } from "./profile";
import type { BoardState, FromBoard, ToBoard, WorkerInit } from "./protocol";
import { DiskStorage } from "./storage";
import { WatchdogMonitor } from "./watchdog";
import { srcDir, workerFile } from "./worker-file";
import type { WifiOptions } from "./wifi";

export interface VirtualBoardOptions {
  board?: BoardName; // default "esp8266"
  storageDir: string; // Storage lives here, one file per Storage name
  console?: (text: string) => void; // every byte the board prints ("\r\n" line ends)
  consolePort?: number; // serve the REPL on TCP (0 = a free port); omitted = no server
  consoleHost?: string; // default 127.0.0.1
  wifi?: WifiOptions;
  syntaxGate?: boolean; // reject syntax Espruino 2v29 cannot parse (default true)
  connectTimeoutMs?: number; // how long a socket connect may block (default 10000)
  pool?: BoardName; // the JsVar pool of another board's build (default: the board's own)
  storageBytes?: number; // Storage capacity (default: the board's; an ESP8266 with 512 KB of flash has 16 KiB)
}

export interface Memory {
  free: number;
  usage: number;
  total: number;
  blocksize: number;
}

const OUTPUT_CAP = 1 << 20;
// The board thread's heap: far more than any board has, little enough that runaway board
// code ends its own thread rather than the host.
const THREAD_HEAP_MB = 192;
const STOP_GRACE_MS = 1000;

type Waiter = { resolve: (v: unknown) => void; reject: (e: Error) => void };

export class VirtualBoard extends EventEmitter {
  readonly profile: BoardProfile;
  readonly storage: DiskStorage;
  readonly pins: PinView;
  readonly encoder = new Encoder(this);
  private worker?: Worker;
  private waiters = new Map<number, Waiter>();
  private nextId = 1;
  private net: NetHost;
  private out = "";
  private server?: ConsoleServer;
  private port?: number;
  private monitor?: WatchdogMonitor;
  private resetReason = "power on";
  // The timeout of the watchdog the board runs (the chip's own, or E.enableWatchdog's), if any.
  watchdogMs?: number;
  private stopped = false;
  private resetting?: Promise<void>;

  constructor(readonly options: VirtualBoardOptions) {
    super();
    this.profile = PROFILES[options.board ?? "esp8266"];
    if (!this.profile) throw new Error("unknown board " + options.board);
    this.storage = new DiskStorage(options.storageDir, options.storageBytes ?? this.profile.storageBytes);
    const names = [...Array(this.profile.pinCount).keys()].map((i) => "D" + i).concat(Object.keys(this.profile.aliases));
    this.pins = new PinView(names, (m) => this.send(m), () => this.ask({ op: "settled", id: 0 }) as Promise<void>);
    this.net = new NetHost((id, ev) => this.send({ op: "sock", id, ev }));
  }

  // ---- the board thread
  private start(): Worker {
    if (this.worker) return this.worker;
    const watchdog = new SharedArrayBuffer(12);
    const epoch = Date.now();
    const init: WorkerInit = {
      board: this.profile.name,
      pool: this.options.pool,
      storageDir: this.options.storageDir,
      storageBytes: this.storage.capacity,
      wifi: this.options.wifi,
      syntaxGate: this.options.syntaxGate !== false,
      connectTimeoutMs: this.options.connectTimeoutMs ?? 10000,
      watchdog,
      epoch,
      resetReason: this.resetReason,
    };
    const w = new Worker(workerFile(), { workerData: { init, srcDir }, env: {}, resourceLimits: { maxOldGenerationSizeMb: THREAD_HEAP_MB } });
    w.on("message", (m: FromBoard) => this.onMessage(m));
    w.on("error", (e) => this.died("the board thread failed: " + e.message));
    w.on("exit", () => {
      if (this.worker === w) this.died("the board thread ended");
    });
    this.monitor = new WatchdogMonitor(watchdog, epoch, () => void this.watchdogReset());
    this.worker = w;
    this.pins.replay();
    return w;
  }

  // The board thread is gone (or going): the chip is off, what waited on it fails.
  private detach(why: string): Worker | undefined {
    const w = this.worker;
    if (!w) return undefined;
    this.worker = undefined;
    this.watchdogMs = undefined;
    this.monitor?.stop();
    this.net.destroyAll();
    this.pins.powerOff();
    for (const [, x] of this.waiters) x.reject(new Error("virtual board: " + why));
    this.waiters.clear();
    return w;
  }

  private died(why: string): void {
    if (this.detach(why) && !this.stopped) this.output("\r\nvboard: " + why + "\r\n");
  }

  private async end(): Promise<void> {
    await this.detach("reset")?.terminate();
  }

  private send(m: ToBoard): void {
    this.worker?.postMessage(m);
  }

  private ask(m: ToBoard & { id: number }): Promise<unknown> {
    const w = this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiters.set(id, { resolve, reject });
      w.postMessage({ ...m, id });
    });
  }

  private onMessage(m: FromBoard): void {
    switch (m.ev) {
      case "output":
        return this.output(m.text);
      case "terminal":
        this.server?.write(m.text);
        this.emit("terminal", m.text);
        return;
      case "uncaught": {
        const e = new Error(m.message);
        e.name = m.name;
        this.emit("uncaught", e);
        return;
      }
      case "booted":
        this.emit("boot");
        return;
      case "reset":
        this.emit("reset");
        return;
      case "reply": {
        const x = this.waiters.get(m.id);
        if (!x) return;
        this.waiters.delete(m.id);
        if (m.error) {
          const e = new Error(m.error.message);
          e.name = m.error.name;
          x.reject(e);
        } else x.resolve(m.value);
        return;
      }
      case "pin":
        return this.pins.update(m.name, m.state);
      case "storage":
        this.emit("storage", m.name, m.offset, m.size);
        return;
      case "connect":
        return this.net.connect(m.id, m.req, m.flag);
      case "sock":
        if (m.op === "write") this.net.write(m.id, m.data ?? "");
        else if (m.op === "end") this.net.end(m.id);
        else this.net.destroy(m.id);
        return;
      case "watchdog":
        this.watchdogMs = m.timeoutMs;
        this.monitor?.armed();
        return;
    }
  }

  // The watchdog fired: the chip resets (the stuck thread is ended) and boots from Storage.
  private async watchdogReset(): Promise<void> {
    const reason = this.profile.watchdog.chipMs ? this.profile.watchdog.chipReason! : this.profile.watchdog.reason;
    const done = (async () => {
      await this.end();
      this.resetReason = reason;
      this.emit("watchdog", reason);
      if (this.stopped) return;
      await this.ask({ op: "boot", id: 0 }).catch(() => undefined);
    })();
    this.resetting = done;
    await done;
    if (this.resetting === done) this.resetting = undefined;
  }

  // ---- lifecycle
  // Opens the console server (when consolePort is set) and powers on: runs the saved state
  // and boot files from Storage (.boot0-3, .bootcde), or `script` as if it were .bootcde.
  // Resolves false when a top-level error stopped a script (it was printed as "Uncaught"),
  // or when the watchdog reset the board before the script finished.
  async boot(script?: string | Buffer): Promise<boolean> {
    this.stopped = false;
    if (this.resetting) await this.resetting;
    await this.startConsole();
    this.start();
    const code = script === undefined ? undefined : typeof script === "string" ? utf8AsBytes(script) : script.toString("latin1");
    try {
      return (await this.ask({ op: "boot", id: 0, script: code })) as boolean;
    } catch (e) {
      if (this.resetting || !this.worker) return false;
      throw e;
    }
  }

  // Hardware reset: the context, timers, watches and sockets go; boots from Storage again.
  async reboot(): Promise<boolean> {
    return this.boot();
  }

  reset(): Promise<boolean> {
    return this.reboot();
  }

  // Power off. The firmware is asked to shut down (E.on("kill"), sockets closed), but a board
  // stuck in a loop is switched off all the same.
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.resetting) await this.resetting;
    if (this.worker) {
      let t: NodeJS.Timeout | undefined;
      await Promise.race([this.ask({ op: "stop", id: 0 }).catch(() => undefined), new Promise((r) => (t = setTimeout(r, STOP_GRACE_MS)))]);
      clearTimeout(t);
    }
    await this.end();
    if (this.server) await this.server.close();
    this.server = undefined;
  }

  get consolePort(): number | undefined {
    return this.port;
  }

  private async startConsole(): Promise<void> {
    if (this.server || this.options.consolePort === undefined) return;
    this.server = new ConsoleServer((d) => this.send({ op: "console", id: 0, data: d }));
    this.port = await this.server.listen(this.options.consolePort, this.options.consoleHost);
  }

  // ---- code
  // Writes code to Storage (default .bootcde), as the CLI's "save on send" would; it runs
  // on the next boot()/reboot().
  flash(code: string | Buffer, name = ".bootcde"): void {
    this.storage.write(name, typeof code === "string" ? Buffer.from(utf8AsBytes(code), "latin1") : code);
  }

  // Runs code typed at the console (text in RAM); resolves with its value as plain data
  // (functions come back undefined), rejects with the board's error (same name and message).
  // A JS string is sent as UTF-8, so a non-ASCII character arrives as several chars.
  eval(code: string): Promise<unknown> {
    return this.ask({ op: "eval", id: 0, code: utf8AsBytes(code) });
  }

  // Bytes typed at the console (as latin1 chars), e.g. from process.stdin; the reply (echo,
  // prompt, results and board output) comes as "terminal" events and to TCP clients, all of
  // it before the promise resolves.
  async consoleInput(data: string): Promise<void> {
    await this.ask({ op: "console", id: 0, data });
  }

  // ---- console
  private output(text: string): void {
    this.out += text;
    if (this.out.length > OUTPUT_CAP) this.out = this.out.slice(this.out.length - OUTPUT_CAP / 2);
    this.options.console?.(text);
    this.emit("output", text);
  }

  // Everything printed since power-on of the simulator (the newest 0.5-1 MB).
  get consoleOutput(): string {
    return this.out;
  }

  // Resolves with the console text once `pattern` appears in it after index `since`.
  waitForOutput(pattern: string | RegExp, since = 0, timeoutMs = 10000): Promise<string> {
    const test = () => {
      const s = this.out.slice(since);
      return typeof pattern === "string" ? s.includes(pattern) : pattern.test(s);
    };
    if (test()) return Promise.resolve(this.out.slice(since));
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.off("output", on);
        reject(new Error("timed out waiting for " + String(pattern) + "; output: " + JSON.stringify(this.out.slice(since).slice(-500))));
      }, timeoutMs);
      const on = () => {
        if (!test()) return;
        clearTimeout(t);
        this.off("output", on);
        resolve(this.out.slice(since));
      };
      this.on("output", on);
    });
  }

  // ---- peripherals (the pins are the app's: its declaration, or pinwire.json "pins")
  private need(pin: string): string {
    if (!this.pins.has(pin)) throw new Error("no pin " + pin + " on this " + this.profile.name);
    return pin;
  }

  // A hobby servo's angle from the pin's last 50 Hz analogWrite (pulse = duty / freq: 0.5..2.5
  // ms -> 0..180), or from its last digitalPulse; undefined when it was never driven that way.
  servoAngle(pin: string): number | undefined {
    const p = this.need(pin);
    const pwm = this.pins.pwm(p);
    const pulse = this.pins.lastPulse(p);
    const ms = pwm ? (pwm.duty / pwm.freq) * 1000 : pulse && pulse.value === 1 ? pulse.ms : undefined;
    return ms === undefined ? undefined : ((ms - 0.5) / 2) * 180;
  }

  // What analogRead returns on an ADC pin: a fraction 0..1, {percent}, or {raw} on the chip's
  // ADC scale (0..1023 on the ESP8266, 0..4095 on the ESP32).
  setAnalog(pin: string, level: number | { percent: number } | { raw: number }): void {
    const p = this.need(pin);
    const v = typeof level === "number" ? level : "percent" in level ? level.percent / 100 : level.raw / this.profile.adcMax;
    this.pins.setAnalog(p, v);
  }

  // The pin's last analogWrite duty (0..1), or 0/1 after digitalWrite; undefined if never set.
  duty(pin: string): number | undefined {
    const p = this.need(pin);
    return this.pins.pwm(p)?.duty ?? this.pins.output(p);
  }

  // Drives an input pin from outside (undefined lets it float back to its pull).
  setPin(pin: string, level: 0 | 1 | undefined): void {
    this.pins.drive(pin, level);
  }

  pinLevel(pin: string): 0 | 1 {
    return this.pins.level(pin);
  }

  // Drops the WiFi link: the board's Wifi emits "disconnected", its open sockets close and
  // new connects throw until the board connects again (Wifi.connect, or wifiReconnect()).
  wifiDisconnect(reason = "beacon_timeout"): void {
    this.send({ op: "wifi", up: false, reason });
  }

  // The access point is back and the board rejoins it (as the SDK's auto-reconnect would).
  wifiReconnect(): void {
    this.send({ op: "wifi", up: true });
  }

  // process.memory() as the board would report it (the JsVar model, memory.ts).
  async memory(): Promise<Memory> {
    const m = (await this.ask({ op: "query", id: 0, what: "memory" })) as Memory;
    return { free: m.free, usage: m.usage, total: m.total, blocksize: m.blocksize };
  }

  // Where the modelled JsVars are: per global name, timers, sockets, modules...
  memoryDetail(): Promise<Record<string, number>> {
    return this.ask({ op: "query", id: 0, what: "detail" }) as Promise<Record<string, number>>;
  }

  // What the firmware holds now: timers, watches per pin, the WiFi station's status.
  state(): Promise<BoardState> {
    return this.ask({ op: "query", id: 0, what: "state" }) as Promise<BoardState>;
  }

  get openSockets(): number {
    return this.net.openSockets;
  }
}

// Bytes as Espruino sees them when text is uploaded: each UTF-8 byte becomes one char.
function utf8AsBytes(s: string): string {
  return Buffer.from(s, "utf8").toString("latin1");
}
