// Fleet benchmark: FLEET_DEVICES (default 10,000) raw MQTT devices against `pinwire bridge`
// (embedded broker + bridge + gateway + HA discovery, its own process), each device as a
// servo-light board behaves (bench/fleet-devices.ts): subscribed to its cmd topic (QoS 1),
// retained info, catalogue, snapshot and status, a state report every 5 s. The devices run in
// FLEET_WORKERS worker threads (default 4) of this process, out of the server's.
//
// Phases:
//   1. connect: every device connects, at most FLEET_INFLIGHT (default 64) connecting at once,
//      while the ones already connected report their state; connect rate per 1,000 devices
//      (a device counts when its SUBACK and the PUBACKs of its announcement are in);
//   2. the bridge must list every device online (GET /api/devices);
//   3. commands: each worker's commander publishes SERVO_ROTATE (QoS 1) to its devices at
//      FLEET_CMD_RATE/s in total (default 200), 3 s warm-up, FLEET_SECONDS (default 30)
//      measured, 3 s for the last deliveries; latency from the commander's write to the
//      device's read. The bridge follows every cmd topic too (set-points).
// The server's RSS and CPU, and the load average, are printed beside each figure.
//
// The same fleet then runs against Debian mosquitto with `pinwire bridge --broker` on it (the
// same bridge and devices, another broker: the named peer), unless FLEET_PEER=none.
//
// File descriptors: the server and this process each hold one socket per device; both are
// started with their soft limit raised to the hard one (`ulimit -n`, 20,000 on the reference
// machine). N devices need a hard limit above N + 100 for each.
//
// Last line:
//   fleet: <N> devices, p99 <x> ms, connect <r>/s at N vs <s>/s at 1k
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect as netConnect } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { loadApp } from "../host/app/declaration";
import { bridgeReady, cpuSeconds } from "./bridge-peers";
import { HIST_BINS, mergeHist, quantile, sharedClock } from "./bridge-stats";
import type { FleetJob, FleetReport } from "./fleet-devices";
import { freePort } from "../test/host-helpers";

const N = Number(process.env.FLEET_DEVICES ?? 10000);
const WORKERS = Number(process.env.FLEET_WORKERS ?? 4);
const INFLIGHT = Number(process.env.FLEET_INFLIGHT ?? 64);
const CMD_RATE = Number(process.env.FLEET_CMD_RATE ?? 200);
const STEADY_S = Number(process.env.FLEET_SECONDS ?? 30);
const PERIOD_MS = 5000;
const PEER = process.env.FLEET_PEER ?? "mosquitto";

const clock = sharedClock();
const la = () => loadavg().map((x) => x.toFixed(2)).join(" ");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync("/proc/" + pid + "/status", "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

// A command line run with the soft file-descriptor limit raised to the hard one.
function spawnUnlimited(cmd: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn("sh", ["-c", 'ulimit -n "$(ulimit -Hn)" && exec "$0" "$@"', cmd, ...args], { stdio: ["ignore", "pipe", "inherit"], env });
}

interface Target {
  name: string;
  pid: number; // the process whose RSS and CPU are shown (the one with the broker)
  bridgePid: number;
  mqttPort: number;
  httpUrl: string;
  alive(): boolean;
  stop(): Promise<void>;
}

async function stopProc(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const done = new Promise((r) => p.once("exit", r));
  p.kill("SIGINT");
  await done;
}

// `pinwire bridge` in its own process; with `broker`, against that broker instead of its own.
async function startBridge(home: string, broker?: string): Promise<{ proc: ChildProcess; http: string; mqtt: string }> {
  // FLEET_NODE_FLAGS: more node flags for the server (--trace-gc lines then go to stderr).
  const flags = process.env.FLEET_NODE_FLAGS ? process.env.FLEET_NODE_FLAGS.split(" ") : [];
  const args = [...flags, "--import", "tsx", "host/cli.ts", "bridge", "--port", "0", "--mqtt-port", "0", "--credentials", join(home, "c.json")];
  if (broker) args.push("--broker", broker);
  const proc = spawnUnlimited(process.execPath, args, { ...process.env, PINWIRE_LOG: "json" });
  const ready = await bridgeReady(proc);
  // Its log lines are read and dropped (a crash still shows on stderr), but for --trace-gc's.
  if (flags.some((f) => f.startsWith("--trace-gc")))
    proc.stdout!.on("data", (d: Buffer) => {
      for (const l of d.toString().split("\n")) if (l && l[0] !== "{" && !/gc=s /.test(l)) process.stderr.write(l + "\n");
    });
  else proc.stdout!.resume();
  return { proc, ...ready };
}

async function startPinwireTarget(): Promise<Target> {
  const home = mkdtempSync(join(tmpdir(), "pinwire-fleet-"));
  const b = await startBridge(home);
  return {
    name: "pinwire",
    pid: b.proc.pid!,
    bridgePid: b.proc.pid!,
    mqttPort: Number(new URL(b.mqtt).port),
    httpUrl: b.http,
    alive: () => b.proc.exitCode === null && b.proc.signalCode === null,
    async stop() {
      await stopProc(b.proc);
      rmSync(home, { recursive: true, force: true });
    },
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = netConnect({ host: "127.0.0.1", port }, () => (s.destroy(), resolve(true)));
    s.on("error", () => resolve(false));
  });
}

async function startMosquittoTarget(): Promise<Target> {
  const home = mkdtempSync(join(tmpdir(), "pinwire-fleet-mosq-"));
  const port = await freePort();
  writeFileSync(join(home, "m.conf"), ["allow_anonymous true", "log_dest none", "set_tcp_nodelay true", "listener " + port + " 127.0.0.1", "max_keepalive 65535", ""].join("\n"));
  const mosq = spawnUnlimited("/usr/sbin/mosquitto", ["-c", join(home, "m.conf")], process.env);
  mosq.stdout!.resume();
  // mosquitto logs nothing here (log_dest none): ready when the port takes a connection.
  for (let i = 0; !(await accepts(port)); i++) {
    if (i > 100 || mosq.exitCode !== null) throw new Error("mosquitto did not start");
    await sleep(50);
  }
  const b = await startBridge(home, "mqtt://127.0.0.1:" + port);
  return {
    name: "mosquitto + pinwire bridge --broker",
    pid: mosq.pid!,
    bridgePid: b.proc.pid!,
    mqttPort: port,
    httpUrl: b.http,
    alive: () => mosq.exitCode === null && b.proc.exitCode === null && b.proc.signalCode === null,
    async stop() {
      await stopProc(b.proc);
      await stopProc(mosq);
      rmSync(home, { recursive: true, force: true });
    },
  };
}

const WORKER_URL = new URL("./fleet-devices.ts", import.meta.url).href;
// Worker threads do not inherit tsx's hooks for .ts entries: register them first.
const BOOT = `import("tsx/esm/api").then((t) => { t.register(); return import(${JSON.stringify(WORKER_URL)}); })`;

class DeviceThread {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  readonly connected: Promise<void>;
  private waiting: ((r: FleetReport) => void)[] = [];
  constructor(job: FleetJob, onTimes: (t: number[]) => void, onError: (e: Error) => void) {
    this.worker = new Worker(BOOT, { eval: true, workerData: job });
    let allConnected!: () => void;
    this.connected = new Promise((r) => (allConnected = r));
    this.ready = new Promise((resolve, reject) => {
      this.worker.on("message", (m: { type: string; times?: number[]; report?: FleetReport; error?: string }) => {
        if (m.type === "ready") resolve();
        else if (m.type === "connected") onTimes(m.times!);
        else if (m.type === "all-connected") allConnected();
        else if (m.type === "failed") onError(new Error(m.error));
        else if (m.type === "report") this.waiting.shift()!(m.report!);
      });
      this.worker.once("error", reject);
    });
  }
  send(m: object): void {
    this.worker.postMessage(m);
  }
  report(): Promise<FleetReport> {
    return new Promise((r) => {
      this.waiting.push(r);
      this.worker.postMessage({ type: "report" });
    });
  }
}

interface RunResult {
  rate1k: number;
  rateN: number;
  p50: number;
  p99: number;
  max: number;
  sent: number;
  delivered: number;
  pending: number;
  duplicated: number;
  dropped: number;
  rss1k: number;
  rssN: number;
  rssEnd: number;
  cpu: number;
  bridgeCpu: number;
}

async function onlineCount(httpUrl: string): Promise<number> {
  const r = await fetch(httpUrl + "/api/devices");
  const list = (await r.json()) as { status: string }[];
  return list.filter((d) => d.status === "online").length;
}

async function run(t: Target, catalogue: string): Promise<RunResult> {
  const times: number[] = [];
  let failure: Error | null = null;
  let rss1k = NaN;
  const threads: DeviceThread[] = [];
  let first = 0;
  for (let w = 0; w < WORKERS; w++) {
    const count = Math.floor(N / WORKERS) + (w < N % WORKERS ? 1 : 0);
    threads.push(
      new DeviceThread(
        { port: t.mqttPort, first, count, catalogue, periodMs: PERIOD_MS, worker: w },
        (ts) => {
          const before = times.length;
          times.push(...ts);
          if (before < 1000 && times.length >= 1000) rss1k = rssMb(t.pid);
          if (Math.floor(before / 1000) !== Math.floor(times.length / 1000))
            console.log("  " + t.name + ": " + times.length + " connected, server RSS " + rssMb(t.pid).toFixed(0) + " MB, load " + la());
        },
        (e) => (failure = e),
      ),
    );
    first += count;
  }
  await Promise.all(threads.map((x) => x.ready));
  const t0 = clock();
  for (const th of threads) th.send({ type: "connect", inflight: Math.max(1, Math.round(INFLIGHT / WORKERS)) });
  const all = Promise.all(threads.map((x) => x.connected));
  while (!(await Promise.race([all.then(() => true), sleep(500).then(() => false)]))) {
    if (failure) throw failure;
    if (!t.alive()) throw new Error(t.name + " died during the connect phase (" + times.length + " devices connected)");
  }
  const rssN = rssMb(t.pid);
  times.sort((a, b) => a - b);
  const rate = (from: number, to: number) => (to - from) / ((times[to - 1] - (from === 0 ? t0 : times[from - 1])) / 1000);
  const per1k: string[] = [];
  for (let k = 0; k + 1000 <= N; k += 1000) per1k.push(rate(k, k + 1000).toFixed(0));
  console.log("  " + t.name + ": connect rate per 1,000 devices (/s): " + per1k.join(" ") + "; load " + la());
  const rate1k = rate(0, Math.min(1000, N));
  const rateN = rate(Math.max(0, N - 1000), N);

  // The bridge knows every device (it decodes their retained catalogue, info and state).
  let online = 0;
  for (let i = 0; i < 60 && online < N; i++) {
    online = await onlineCount(t.httpUrl);
    if (online < N) await sleep(2000);
  }
  console.log("  " + t.name + ": the bridge lists " + online + " of " + N + " devices online");

  for (const th of threads) th.send({ type: "commands", rate: CMD_RATE / WORKERS });
  await sleep(3000);
  for (const th of threads) th.send({ type: "window" });
  const wc0 = clock();
  const cpu0 = cpuSeconds(t.pid);
  const bcpu0 = cpuSeconds(t.bridgePid);
  const w0 = performance.now();
  let rssMax = 0;
  for (let s = 0; s < STEADY_S; s++) {
    await sleep(1000);
    if (!t.alive()) throw new Error(t.name + " died during the command phase");
    rssMax = Math.max(rssMax, rssMb(t.pid));
  }
  const secs = (performance.now() - w0) / 1000;
  const cpu = ((cpuSeconds(t.pid) - cpu0) / secs) * 100;
  const bridgeCpu = ((cpuSeconds(t.bridgePid) - bcpu0) / secs) * 100;
  for (const th of threads) th.send({ type: "close" });
  await sleep(3000);
  const reps = await Promise.all(threads.map((x) => x.report()));
  const hist = new Uint32Array(HIST_BINS);
  const sum = { sent: 0, delivered: 0, pending: 0, duplicated: 0, dropped: 0 };
  const slow: [number, number][] = [];
  for (const r of reps) {
    slow.push(...r.slow);
    mergeHist(hist, r.hist);
    sum.sent += r.sent;
    sum.delivered += r.delivered;
    sum.pending += r.pending;
    sum.duplicated += r.duplicated;
    sum.dropped += r.dropped;
  }
  // Every device leaves at once (the threads end): the server must survive that too (one
  // will and one unmatched $SYS message each), and answer afterwards.
  if (slow.length) {
    // When the slow commands were sent (s into the window), the worst first.
    const w = slow.sort((a, b) => b[1] - a[1]).slice(0, 12).map(([at, ms]) => ((at - wc0) / 1000).toFixed(1) + " s: " + ms + " ms");
    console.log("  " + t.name + ": " + slow.length + " commands over 50 ms; worst at " + w.join(", ") + "; device threads' longest event-loop delay " + reps.map((r) => r.loopMaxMs.toFixed(0)).join(", ") + " ms");
  }
  await Promise.all(threads.map((x) => x.worker.terminate()));
  for (let i = 0; i < 20 && t.alive(); i++) {
    const ok = await fetch(t.httpUrl + "/healthz").then((r) => r.ok, () => false);
    if (ok && i >= 4) break;
    await sleep(500);
  }
  if (!t.alive()) throw new Error(t.name + " died when the devices left");
  return {
    rate1k,
    rateN,
    p50: quantile(hist, 0.5),
    p99: quantile(hist, 0.99),
    max: quantile(hist, 1),
    ...sum,
    rss1k,
    rssN,
    rssEnd: rssMax,
    cpu,
    bridgeCpu,
  };
}

function describe(name: string, r: RunResult): void {
  console.log(
    name +
      ": connect " + r.rate1k.toFixed(0) + "/s over the first 1,000, " + r.rateN.toFixed(0) + "/s over the last 1,000 (" + N + "); " +
      "commands sent " + r.sent + ", delivered " + r.delivered + ", not delivered " + r.pending + ", republished " + r.duplicated +
      "; latency p50 " + r.p50.toFixed(2) + " ms, p99 " + r.p99.toFixed(2) + " ms, max " + r.max.toFixed(1) + " ms; " +
      "device connections dropped " + r.dropped + "; server RSS " + r.rss1k.toFixed(0) + " MB at 1,000, " + r.rssN.toFixed(0) + " MB at " + N +
      ", " + r.rssEnd.toFixed(0) + " MB max under commands; broker CPU " + r.cpu.toFixed(0) + " %" +
      (r.bridgeCpu !== r.cpu ? ", bridge CPU " + r.bridgeCpu.toFixed(0) + " %" : "") + "; load " + la(),
  );
}

async function main(): Promise<void> {
  try {
    execFileSync("sh", ["-c", "test $(ulimit -Hn) -gt " + (N + 100)]);
  } catch {
    throw new Error("the hard file-descriptor limit (ulimit -Hn) must be above " + (N + 100) + " for " + N + " devices");
  }
  const catalogue = JSON.stringify((await loadApp(join(import.meta.dirname, "..", "examples", "servo-light", "app.ts"))).catalogue);
  console.log("fleet: " + N + " devices in " + WORKERS + " threads, state every " + PERIOD_MS / 1000 + " s, commands " + CMD_RATE + "/s; load " + la());
  const results: [string, RunResult][] = [];
  const targets = [startPinwireTarget, ...(PEER === "none" ? [] : [startMosquittoTarget])];
  for (const start of targets) {
    const t = await start();
    try {
      const r = await run(t, catalogue);
      describe(t.name, r);
      results.push([t.name, r]);
    } finally {
      await t.stop();
    }
  }
  const [, p] = results[0];
  if (results.length > 1) {
    const [name, m] = results[1];
    console.log("ratios pinwire / " + name + ": p99 " + (p.p99 / m.p99).toFixed(2) + ", connect at " + N + " " + (p.rateN / m.rateN).toFixed(2) + ", at 1k " + (p.rate1k / m.rate1k).toFixed(2));
  }
  console.log("fleet: " + N + " devices, p99 " + p.p99.toFixed(1) + " ms, connect " + p.rateN.toFixed(0) + "/s at N vs " + p.rate1k.toFixed(0) + "/s at 1k");
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error("fleet: " + (e instanceof Error ? e.message : String(e)));
    process.exit(1);
  },
);
