// Shared pieces of the host suites: a Debian mosquitto on free loopback ports, the host
// service on port 0, WebSocket clients that collect frames, and event waits (no sleeps).
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type AddressInfo } from "node:net";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import { silentLogger } from "../host/log";
import { CredentialStore } from "../host/auth/credentials";
import { startService, type Service, type ServiceOptions } from "../host/bridge/service";

export function tempDir(prefix = "pinwire-test-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const p = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

export interface Mosquitto {
  port: number; // MQTT
  wsPort: number; // MQTT over WebSocket
  proc: ChildProcess;
  stop(): Promise<void>;
}

// Mosquitto cannot listen on port 0, so ports are picked free first; the broker is ready
// when it logs "running".
export async function startMosquitto(extraConf = "", ports?: { port: number; wsPort: number }): Promise<Mosquitto> {
  const { dir, cleanup } = tempDir("pinwire-mosq-");
  const port = ports?.port ?? (await freePort());
  const wsPort = ports?.wsPort ?? (await freePort());
  const conf = join(dir, "mosquitto.conf");
  writeFileSync(
    conf,
    [
      "per_listener_settings false",
      "allow_anonymous true",
      "log_dest stderr",
      "log_type error",
      "log_type warning",
      "log_type notice",
      "log_type information",
      `listener ${port} 127.0.0.1`,
      "socket_domain ipv4",
      `listener ${wsPort} 127.0.0.1`,
      "socket_domain ipv4",
      "protocol websockets",
      extraConf,
    ].join("\n") + "\n",
  );
  const proc = spawn("/usr/sbin/mosquitto", ["-c", conf], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  await new Promise<void>((resolve, reject) => {
    proc.stderr!.on("data", (d) => {
      log += d;
      if (log.includes(" running")) resolve();
    });
    proc.once("exit", (code) => reject(new Error("mosquitto exited " + code + ": " + log)));
  });
  return {
    port,
    wsPort,
    proc,
    stop: async () => {
      // Still running (a process killed by a signal has signalCode set, exitCode null).
      if (proc.exitCode === null && proc.signalCode === null) {
        const done = new Promise((r) => proc.once("exit", r));
        proc.kill("SIGTERM");
        await done;
      }
      cleanup();
    },
  };
}

export async function startTestService(over: Partial<ServiceOptions> = {}): Promise<Service> {
  return startService({
    log: silentLogger(),
    host: "127.0.0.1",
    port: 0,
    mqttPort: 0,
    credentials: new CredentialStore(null),
    ...over,
  });
}

export function wsUrl(svc: Service, path: string): string {
  return svc.httpUrl.replace(/^http/, "ws") + path;
}

// A WebSocket client that records every message and lets a test wait for one.
export class Collector {
  ws: WebSocket;
  messages: (Buffer | string)[] = [];
  closed: Promise<{ code: number; reason: string }>;
  private waiters: { pred: (m: Buffer | string) => boolean; resolve: (m: Buffer | string) => void }[] = [];

  constructor(url: string, opts?: WebSocket.ClientOptions) {
    this.ws = new WebSocket(url, opts);
    this.ws.on("message", (data, isBinary) => {
      const m = isBinary ? (data as Buffer) : data.toString();
      this.messages.push(m);
      this.waiters = this.waiters.filter((w) => (w.pred(m) ? (w.resolve(m), false) : true));
    });
    this.closed = new Promise((resolve) => this.ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })));
    this.ws.on("error", () => {});
  }

  open(): Promise<this> {
    return new Promise((resolve, reject) => {
      if (this.ws.readyState === WebSocket.OPEN) return resolve(this);
      this.ws.once("open", () => resolve(this));
      this.ws.once("unexpected-response", (_req, res) => reject(new Error("HTTP " + res.statusCode)));
      this.ws.once("error", reject);
    });
  }

  // Resolves with the first message (already received or future) matching pred.
  next(pred: (m: Buffer | string) => boolean = () => true, from = 0): Promise<Buffer | string> {
    for (let i = from; i < this.messages.length; i++) if (pred(this.messages[i])) return Promise.resolve(this.messages[i]);
    return new Promise((resolve) => this.waiters.push({ pred, resolve }));
  }

  binary(): Buffer[] {
    return this.messages.filter((m): m is Buffer => typeof m !== "string");
  }

  json(): any[] {
    return this.messages.filter((m): m is string => typeof m === "string").map((s) => JSON.parse(s));
  }

  close(): Promise<unknown> {
    this.ws.close();
    return this.closed;
  }
}

// A binary frame holding one int32 message (8 bytes) as a predicate: code and (optionally) value.
export function isMsg(code: number, value?: number) {
  return (m: Buffer | string) => typeof m !== "string" && m.length === 8 && m[0] === code && (value === undefined || m.readInt32LE(4) === value);
}

// A JSON text frame of the given type (and matching `pred`, when given).
export function isJson(type: string, pred: (o: any) => boolean = () => true) {
  return (m: Buffer | string) => {
    if (typeof m !== "string") return false;
    const o = JSON.parse(m);
    return o.type === type && pred(o);
  };
}

// Runs a command and resolves with its exit code and output.
export function run(cmd: string, args: string[], opts: { timeoutMs?: number; input?: Buffer; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"], env: opts.env ?? process.env, cwd: opts.cwd });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    const t = setTimeout(() => p.kill("SIGKILL"), opts.timeoutMs ?? 10000);
    p.on("close", (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
    p.stdin.end(opts.input);
  });
}

// Resolves once the bridge's view of a device satisfies pred (checked now and on each change/report).
export function waitDevice(svc: Service, id: string, pred: (d: import("../host/bridge/registry").DeviceSnapshot) => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      const d = svc.bridge.device(id);
      if (d && pred(d)) {
        off();
        resolve();
        return true;
      }
      return false;
    };
    const off = svc.bridge.addListener({ device: () => void check(), report: (rec) => void (rec.id === id && check()), raw: (rec) => void (rec.id === id && check()) });
    check();
  });
}

// A long-running command whose output can be awaited as it arrives (mosquitto_sub).
export class Proc {
  out = "";
  err = "";
  done: Promise<number | null>;
  private p: ReturnType<typeof spawn>;
  private waiters: { s: string; r: () => void }[] = [];
  constructor(cmd: string, args: string[]) {
    this.p = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    this.p.stdout!.on("data", (d) => {
      this.out += d;
      this.waiters = this.waiters.filter((w) => (this.out.includes(w.s) ? (w.r(), false) : true));
    });
    this.p.stderr!.on("data", (d) => (this.err += d));
    this.done = new Promise((r) => this.p.on("close", (code) => r(code)));
  }
  waitFor(s: string): Promise<void> {
    if (this.out.includes(s)) return Promise.resolve();
    return new Promise((r) => this.waiters.push({ s, r }));
  }
  kill(): Promise<number | null> {
    this.p.kill("SIGTERM");
    return this.done;
  }
}
