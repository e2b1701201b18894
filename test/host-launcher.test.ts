// The installed `pinwire` command as a real process (host/bin/pinwire.mjs): killed with -9 it
// leaves nothing behind holding the ports, and no log line carries the dashboard token.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { createLogger } from "../host/log";
import { loadOrCreateToken } from "../host/auth/token";
import { logReady } from "../host/cli";
import { freePort, tempDir } from "./host-helpers";

const LAUNCHER = join("host", "bin", "pinwire.mjs");

let tmp: ReturnType<typeof tempDir>;
const started: ChildProcess[] = [];
// Every process a launcher had under it, to clean up if one outlived it.
const descendants = new Set<number>();

beforeAll(() => {
  tmp = tempDir("pinwire-launcher-");
});
afterAll(() => {
  for (const p of started) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
  for (const pid of descendants) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone: the expected case
    }
  }
  tmp.cleanup();
});

interface Launched {
  proc: ChildProcess;
  out: () => string;
  ready: Promise<void>;
  exited: Promise<void>;
}

function launch(args: string[]): Launched {
  const proc = spawn(process.execPath, [LAUNCHER, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, PINWIRE_HOME: tmp.dir, PINWIRE_LOG: "json" } });
  started.push(proc);
  let text = "";
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      text += d;
      if (/"event":"ready"/.test(text)) resolve();
    };
    proc.stdout!.on("data", onData);
    proc.stderr!.on("data", onData);
    proc.once("exit", (code) => reject(new Error("pinwire exited " + code + " before ready: " + text)));
  });
  const exited = new Promise<void>((r) => proc.once("exit", () => r()));
  return { proc, out: () => text, ready, exited };
}

function childrenOf(pid: number): number[] {
  try {
    const out = execFileSync("ps", ["-o", "pid=", "--ppid", String(pid)], { encoding: "utf8" });
    return out.split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return []; // ps exits 1 when there are none
  }
}

// Every process below pid.
function tree(pid: number): number[] {
  return childrenOf(pid).flatMap((c) => [c, ...tree(c)]);
}

function canListen(port: number): Promise<boolean> {
  const s = createServer();
  return new Promise((resolve) => {
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

describe("the pinwire launcher", () => {
  it("is the server: kill -9 of the pid it started frees the HTTP and MQTT ports", async () => {
    const port = await freePort();
    const mqttPort = await freePort();
    const p = launch(["bridge", "--port", String(port), "--mqtt-port", String(mqttPort), "--credentials", join(tmp.dir, "none.json")]);
    await p.ready;
    for (const c of tree(p.proc.pid!)) descendants.add(c);
    expect(await canListen(port)).toBe(false);
    p.proc.kill("SIGKILL");
    await p.exited;
    // Helpers it started (tsx's esbuild service) go when their pipe to it closes; nothing may
    // stay behind (the old launcher's server child did, with the ports).
    expect(await gone([...descendants], 5000)).toEqual([]);
    expect(await canListen(port)).toBe(true);
    expect(await canListen(mqttPort)).toBe(true);
  });

  it("never writes a --token into its output, and still needs it", async () => {
    const token = "tok-" + Math.random().toString(36).slice(2) + "-secret";
    const p = launch(["bridge", "--port", "0", "--mqtt-port", "0", "--credentials", join(tmp.dir, "none.json"), "--token", token]);
    await p.ready;
    const url = /"http":"(http:\/\/[^"]+)"/.exec(p.out())![1];
    expect((await fetch(url + "/api/devices")).status).toBe(401);
    expect((await fetch(url + "/api/devices", { headers: { authorization: "Bearer " + token } })).status).toBe(200);
    p.proc.kill("SIGTERM");
    await p.exited;
    expect(p.out()).toContain("the token is the one given with --token");
    expect(p.out()).not.toContain(token);
  });
});

// The pids still alive once all have exited or limitMs has passed (other processes' exits
// raise no event here, so /proc is polled).
async function gone(pids: number[], limitMs: number): Promise<number[]> {
  const end = Date.now() + limitMs;
  let alive = pids.filter(isAlive);
  while (alive.length && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 50));
    alive = alive.filter(isAlive);
  }
  return alive;
}

function isAlive(pid: number): boolean {
  try {
    // A zombie (state Z) has exited and holds nothing; it only waits for its reaper.
    return !/^\d+ \(.*\) Z/.test(readFileSync("/proc/" + pid + "/stat", "utf8"));
  } catch {
    return false;
  }
}

describe("a generated dashboard token", () => {
  it("is kept in a 0600 file, reused at the next start, and only the file is named in the ready line", async () => {
    const file = join(tmp.dir, "sub", "token");
    const a = loadOrCreateToken(file, () => "generated-token-value-1234");
    expect(a).toEqual({ token: "generated-token-value-1234", created: true });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, "utf8").trim()).toBe(a.token);
    expect(loadOrCreateToken(file, () => "another")).toEqual({ token: a.token, created: false });

    let lines = "";
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines += chunk;
        cb();
      },
    });
    const log = createLogger({ destination: sink });
    logReady(log, { httpUrl: "http://192.0.2.1:8080", mqttUrl: "mqtt://192.0.2.1:1883", broker: null, token: a.token }, file);
    expect(lines).toContain("the token is in " + file);
    expect(lines).not.toContain(a.token);
  });
});
