// The virtual board: the same dist/device/<board>/app.js a chip runs, executed in a Node vm
// context that offers only Espruino 2v29's API (see runtime.ts / prelude.js), with the
// hardware around it simulated: GPIO and the peripherals wired to it, Storage on disk,
// real sockets, simulated WiFi and the console on TCP for the Espruino CLI.
import { EventEmitter } from "node:events";
import { ConsoleServer } from "./console-server";
import { Encoder } from "./encoder";
import { NetBridge } from "./netbridge";
import { PinBank } from "./pins";
import { PROFILES, type BoardName, type BoardProfile, type PinMap } from "./profile";
import { trackRejections, untrackRejections } from "./rejections";
import { Repl } from "./repl";
import { Firmware, type Action, type Hardware } from "./runtime";
import { DiskStorage } from "./storage";
import { TimerTable } from "./timers";
import { WifiSim, type WifiOptions } from "./wifi";

export interface VirtualBoardOptions {
  board?: BoardName; // default "esp8266"
  storageDir: string; // Storage lives here, one file per Storage name
  console?: (text: string) => void; // every byte the board prints ("\r\n" line ends)
  consolePort?: number; // serve the REPL on TCP (0 = a free port); omitted = no server
  consoleHost?: string; // default 127.0.0.1
  wifi?: WifiOptions;
  pins?: PinMap; // wiring; default: pinwire.json "pins" in Storage, then the board's defaults
  syntaxGate?: boolean; // reject syntax Espruino 2v29 cannot parse (default true)
  connectTimeoutMs?: number; // how long a socket connect may block (default 10000)
}

const BOOT_FILES = [".boot0", ".boot1", ".boot2", ".boot3", ".bootcde", ".bootrst"];
const OUTPUT_CAP = 1 << 20;
const BANNER =
  " ____                 _ \r\n|  __|___ ___ ___ _ _|_|___ ___ \r\n|  __|_ -| . |  _| | | |   | . |\r\n|____|___|  _|_| |___|_|_|_|___|\r\n         |_| espruino.com\r\n 2v29 (c) 2025 G.Williams\r\n\r\n";

export class VirtualBoard extends EventEmitter {
  readonly profile: BoardProfile;
  readonly storage: DiskStorage;
  readonly pins: PinBank;
  readonly timers: TimerTable;
  readonly net: NetBridge;
  readonly wifi: WifiSim;
  readonly encoder = new Encoder(this);
  private fw?: Firmware;
  private out = "";
  private repl: Repl;
  private server?: ConsoleServer;
  private port?: number;
  private pending?: Action;
  private pendingTick = false;
  private ramLog: string[] = [];
  private booting = false;
  private stopped = false;
  private owner = {
    owns: (p: Promise<unknown>) => !!this.fw && p instanceof this.fw.Promise,
    printUncaught: (e: unknown) => this.fw?.printUncaught(e),
  };

  constructor(readonly options: VirtualBoardOptions) {
    super();
    this.profile = PROFILES[options.board ?? "esp8266"];
    if (!this.profile) throw new Error("unknown board " + options.board);
    this.storage = new DiskStorage(options.storageDir, this.profile.storageBytes);
    const run = (fn: unknown, args: unknown[]) => this.call(() => this.fw?.run(fn, args));
    this.timers = new TimerTable(run);
    const names = [...Array(this.profile.pinCount).keys()].map((i) => "D" + i).concat(Object.keys(this.profile.aliases));
    this.pins = new PinBank(names, run, (e) => this.fw!.obj(e));
    this.net = new NetBridge(options.connectTimeoutMs);
    this.wifi = new WifiSim(options.wifi);
    this.repl = new Repl({
      exec: (code) => this.consoleExec(code),
      write: (t) => {
        this.server?.write(t);
        this.emit("terminal", t);
      },
    });
  }

  // ---- lifecycle
  // Opens the console server (when consolePort is set) and powers on: runs the saved state
  // and boot files from Storage (.boot0-3, .bootcde), or `script` as if it were .bootcde.
  // Resolves false when a top-level error stopped a script (it was printed as "Uncaught").
  async boot(script?: string | Buffer): Promise<boolean> {
    this.stopped = false;
    await this.startConsole();
    trackRejections(this.owner);
    return this.powerOn(script);
  }

  // Hardware reset: the context, timers, watches and sockets go; boots from Storage again.
  async reboot(): Promise<boolean> {
    return this.boot();
  }

  reset(): Promise<boolean> {
    return this.reboot();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.pending = undefined;
    this.shutdown();
    untrackRejections(this.owner);
    await this.net.close();
    if (this.server) await this.server.close();
    this.server = undefined;
  }

  get consolePort(): number | undefined {
    return this.port;
  }

  private async startConsole(): Promise<void> {
    if (this.server || this.options.consolePort === undefined) return;
    this.server = new ConsoleServer((d) => this.repl.feed(d));
    this.port = await this.server.listen(this.options.consolePort, this.options.consoleHost);
  }

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
      syntaxGate: this.options.syntaxGate !== false,
      output: (t) => this.output(t),
      request: (a) => this.request(a),
      setEcho: (on) => (this.repl.echo = on),
      uncaught: (e) => this.emit("uncaught", e),
    };
    this.fw = new Firmware(hw);
    return this.fw;
  }

  private powerOn(script?: string | Buffer, file?: string): boolean {
    const fw = this.fresh();
    this.encoder.rest();
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
    if (script !== undefined) runFile(".bootcde", typeof script === "string" ? utf8AsBytes(script) : script.toString("latin1"), false);
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
    this.emit("boot");
    this.performPending();
    return ok;
  }

  // reset()/load()/save()/E.reboot() from board code take effect once the code returns.
  private request(a: Action): void {
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
    if (!a || this.stopped) return;
    this.pending = undefined;
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
        this.emit("reset");
        return;
      case "load":
        this.powerOn(undefined, a.file);
        return;
      case "reboot":
        this.powerOn();
        return;
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

  // ---- code
  // Writes code to Storage (default .bootcde), as the CLI's "save on send" would; it runs
  // on the next boot()/reboot().
  flash(code: string | Buffer, name = ".bootcde"): void {
    this.storage.write(name, typeof code === "string" ? Buffer.from(utf8AsBytes(code), "latin1") : code);
  }

  // Runs code typed at the console (text in RAM); returns its value, throws what it throws.
  // A JS string is sent as UTF-8, so a non-ASCII character arrives as several chars.
  eval(code: string): unknown {
    const fw = this.firmware();
    this.ramLog.push(utf8AsBytes(code));
    try {
      return fw.exec(utf8AsBytes(code), "eval", true);
    } finally {
      this.performPending();
    }
  }

  // Bytes typed at the console (as latin1 chars), e.g. from process.stdin; the reply (echo,
  // prompt, results and board output) comes as "terminal" events and to TCP clients.
  consoleInput(data: string): void {
    this.firmware();
    this.repl.feed(data);
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

  // ---- console
  private output(text: string): void {
    this.out += text;
    if (this.out.length > OUTPUT_CAP) this.out = this.out.slice(this.out.length - OUTPUT_CAP / 2);
    this.options.console?.(text);
    this.repl.output(text);
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

  // ---- peripherals
  // Wiring: options.pins, else "pins" of pinwire.json in Storage, else the board's defaults.
  pinMap(): PinMap {
    let cfg: PinMap = {};
    try {
      const b = this.storage.read("pinwire.json");
      const pins = b ? JSON.parse(b.toString("latin1")).pins : undefined;
      if (pins && typeof pins === "object") for (const k of Object.keys(pins)) (cfg as Record<string, string>)[k] = typeof pins[k] === "number" ? "D" + pins[k] : pins[k];
    } catch {
      cfg = {};
    }
    return { ...this.profile.pins, ...cfg, ...this.options.pins };
  }

  private need(pin: string | undefined, what: keyof PinMap): string {
    const p = pin ?? this.pinMap()[what];
    if (!p || !this.pins.has(p)) throw new Error("no " + what + " pin (" + String(p) + ")");
    return p;
  }

  // Servo angle from the last 50 Hz analogWrite (pulse = duty / freq: 0.5..2.5 ms -> 0..180),
  // or from the last digitalPulse; undefined when the pin was never driven that way.
  servoAngle(pin?: string): number | undefined {
    const p = this.need(pin, "servo");
    const pwm = this.pins.pwm(p);
    const pulse = this.pins.lastPulse(p);
    const ms = pwm ? (pwm.duty / pwm.freq) * 1000 : pulse && pulse.value === 1 ? pulse.ms : undefined;
    return ms === undefined ? undefined : ((ms - 0.5) / 2) * 180;
  }

  // What analogRead returns on the light sensor's ADC pin: a fraction 0..1, {percent}, or
  // {raw} on the chip's ADC scale (0..1023 on the ESP8266, 0..4095 on the ESP32).
  setLight(level: number | { percent: number } | { raw: number }, pin?: string): void {
    const p = this.need(pin, "light");
    const v = typeof level === "number" ? level : "percent" in level ? level.percent / 100 : level.raw / this.profile.adcMax;
    this.pins.setAnalog(p, v);
  }

  // The LED pin's last analogWrite duty (0..1), or 0/1 after digitalWrite; undefined if never set.
  ledDuty(pin?: string): number | undefined {
    const p = this.need(pin, "led");
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
    this.fw?.wifiDrop(reason);
  }

  // The access point is back and the board rejoins it (as the SDK's auto-reconnect would).
  wifiReconnect(): void {
    if (!this.fw || this.wifi.up) return;
    this.wifi.status = "connected";
    this.wifi.ssid ||= this.wifi.o.ssid ?? "vboard";
    this.fw.wifiUp();
  }

  // process.memory() as the board would report it (estimated; see memory.ts).
  memory(): { free: number; usage: number; total: number; blocksize: number } {
    const m = this.firmware().memory();
    return { free: m.free, usage: m.usage, total: m.total, blocksize: m.blocksize };
  }

  get openSockets(): number {
    return this.fw?.openSockets ?? 0;
  }
}

// Bytes as Espruino sees them when text is uploaded: each UTF-8 byte becomes one char.
function utf8AsBytes(s: string): string {
  return Buffer.from(s, "utf8").toString("latin1");
}
