// `pinwire bridge` as a real process for the suites whose defect took the whole process
// down (or needs its memory): on free ports, its JSON log lines parsed and kept, waits for a
// log event, its exit (code, signal, stderr) and its RSS from /proc.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../host-helpers";

export interface HostLine {
  event?: string;
  msg?: string;
  [k: string]: unknown;
}

export class HostProcess {
  readonly proc: ChildProcess;
  readonly lines: HostLine[] = [];
  stderr = "";
  mqttPort = 0;
  httpUrl = "";
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private waiters: (() => void)[] = [];
  private tmp = tempDir("pinwire-host-");

  // args go after `pinwire bridge --port 0 --mqtt-port 0`; nodeArgs before the script.
  constructor(args: string[] = [], o: { nodeArgs?: string[]; env?: NodeJS.ProcessEnv; credentials?: string } = {}) {
    const cli = ["--import", "tsx", ...(o.nodeArgs ?? []), join("host", "cli.ts"), "bridge", "--port", "0", "--mqtt-port", "0", "--no-discovery"];
    cli.push("--credentials", o.credentials ?? join(this.tmp.dir, "credentials.json"), ...args);
    this.proc = spawn(process.execPath, cli, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, PINWIRE_HOME: this.tmp.dir, PINWIRE_LOG: "json", ...o.env } });
    let buf = "";
    this.proc.stdout!.on("data", (d: Buffer) => {
      buf += d;
      let i: number;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        try {
          this.lines.push(JSON.parse(line));
        } catch {
          this.lines.push({ msg: line });
        }
      }
      this.wake();
    });
    this.proc.stderr!.on("data", (d: Buffer) => {
      this.stderr += d;
      this.wake();
    });
    this.exited = new Promise((r) =>
      this.proc.once("exit", (code, signal) => {
        r({ code, signal });
        this.wake();
      }),
    );
  }

  get running(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  // The first log line (kept or to come) matching pred; rejects if the process exits first.
  async line(pred: (l: HostLine) => boolean, from = 0): Promise<HostLine> {
    for (;;) {
      for (let i = from; i < this.lines.length; i++) if (pred(this.lines[i])) return this.lines[i];
      if (!this.running) throw new Error("pinwire exited (" + this.proc.exitCode + ", " + this.proc.signalCode + "): " + this.stderr.slice(-2000));
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  async ready(): Promise<this> {
    const l = await this.line((l) => l.event === "ready");
    this.mqttPort = Number(new URL(String(l.mqtt)).port);
    this.httpUrl = String(l.http);
    return this;
  }

  // p, unless the process exits first: then an error with the end of its stderr. When p fails
  // (a connection closed), the exit that may have caused it gets 2 s to show (error text only).
  async alive<T>(p: Promise<T>): Promise<T> {
    const died = () => new Error("pinwire exited (" + this.proc.exitCode + ", " + this.proc.signalCode + "): " + this.stderr.slice(-1500));
    const exit = this.exited.then(() => {
      throw died();
    });
    try {
      return await Promise.race([p, exit]);
    } catch (e) {
      let t: NodeJS.Timeout | undefined;
      const late = await Promise.race([this.exited.then(() => true), new Promise<boolean>((r) => (t = setTimeout(() => r(false), 2000)))]);
      clearTimeout(t);
      throw late ? died() : e;
    }
  }

  rssMb(): number {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync("/proc/" + this.proc.pid + "/status", "utf8"));
    return m ? Number(m[1]) / 1024 : NaN;
  }

  async stop(): Promise<void> {
    if (this.running) {
      this.proc.kill("SIGTERM");
      await this.exited;
    }
    this.tmp.cleanup();
  }
}
