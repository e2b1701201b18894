// Fan-out benchmark, like for like: one paced MQTT publisher (the same client for every
// target, QoS 0, 8-byte messages carrying a sequence number) and N identical minimal
// subscribers in worker threads (bench/bridge-subscribers.ts), per cell of
// N = 1, 100 subscribers x 1,000, 10,000 msg/s:
//   (a) MQTT subscribers over TCP: pinwire's embedded broker (`pinwire bridge`, its own
//       process) vs Debian mosquitto (its own process), topic bench/load;
//   (b) WebSocket subscribers through the same WebSocket client (shared/ws/client.ts): the
//       gateway's binary viewers on /ws/<id> (publisher -> embedded broker -> bridge ->
//       gateway) vs mosquitto's WebSocket listener carrying MQTT over WebSocket.
// Each cell: subscribers connect, 1 s warm-up at the cell's rate (not counted), then
// BENCH_SECONDS (default 5) measured, then up to 5 s for the last deliveries. Per side:
// delivered / lost / duplicated / out of order (per subscriber, against the sequence
// numbers), latency p50/p99 (publisher's write to the subscriber's read, one monotonic clock
// for all threads) and the server process's CPU over the measured seconds. BENCH_ROUNDS=n
// runs each cell n times, the sides alternating, and prints medians. mosquitto runs with
// set_tcp_nodelay true (pinwire sets TCP_NODELAY too). Everything shares this machine's
// cores: the subscribers read every segment a server sends, so a server that sends each
// message to each subscriber as its own segment (mosquitto) costs them more reads than one
// that batches (pinwire); on a quiet many-core machine that matters less.
// Last line:
//   bridge: broker p99 <a> ms vs mosquitto <b> ms (100 subs x 1k/s, delivered <d>% vs <e>%); gateway p99 <c> ms vs mosquitto-ws <f> ms (100 x 10k/s, delivered <g>% vs <h>%)
import { cpus, loadavg } from "node:os";
import { Worker } from "node:worker_threads";
import { clock, cpuSeconds, Publisher, startMosquittoServer, startPinwire, type Server } from "./bridge-peers";
import { HIST_BINS, mergeHist, quantile } from "./bridge-stats";
import type { SubscriberJob, SubscriberReport } from "./bridge-subscribers";

const MEASURE_S = Number(process.env.BENCH_SECONDS ?? 5);
const WARM_S = 1;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const SUBS = [1, 100];
const RATES = [1000, 10000];
const WORKERS = Number(process.env.BENCH_WORKERS ?? 4); // threads for 100 subscribers (25 each)
const ID = "bench1";

interface Side {
  name: string; // as printed
  server: Server;
  kind: SubscriberJob["kind"];
  port: number;
  path: string;
  topic: string;
}

interface Result {
  expected: number;
  delivered: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  p50: number;
  p99: number;
  cpu: number; // % of one core over the measured seconds
  idleCpu: number; // the same for the other server, which should be idle meanwhile
  rate: number; // achieved publish rate
}

const la = () => loadavg().map((x) => x.toFixed(2)).join(" ");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const servers: Server[] = [];

const WORKER_URL = new URL("./bridge-subscribers.ts", import.meta.url).href;
// Worker threads do not inherit tsx's hooks for .ts entries: register them first.
const BOOT = `import("tsx/esm/api").then((t) => { t.register(); return import(${JSON.stringify(WORKER_URL)}); })`;

class SubscriberThread {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  private waiting: ((r: SubscriberReport) => void)[] = [];
  constructor(job: SubscriberJob) {
    this.worker = new Worker(BOOT, { eval: true, workerData: job });
    this.ready = new Promise((resolve, reject) => {
      this.worker.on("message", (m: { type: string; report?: SubscriberReport; error?: string }) => {
        if (m.type === "ready") resolve();
        else if (m.type === "failed") reject(new Error(m.error));
        else if (m.type === "report") this.waiting.shift()!(m.report!);
      });
      this.worker.once("error", reject);
    });
  }
  window(from: number, to: number): void {
    this.worker.postMessage({ type: "window", from, to });
  }
  report(): Promise<SubscriberReport> {
    return new Promise((r) => {
      this.waiting.push(r);
      this.worker.postMessage({ type: "report" });
    });
  }
}

async function reports(threads: SubscriberThread[]): Promise<SubscriberReport[]> {
  return Promise.all(threads.map((t) => t.report()));
}

async function cell(side: Side, subs: number, rate: number, publisherPort: number, seconds = MEASURE_S): Promise<Result> {
  const other = side.server === servers[0] ? servers[1] : servers[0];
  const warm = rate * WARM_S;
  const measured = rate * seconds;
  const last = warm + measured;
  const sentAtBuf = new SharedArrayBuffer((last + 1) * 8);
  const sentAt = new Float64Array(sentAtBuf);
  const nThreads = Math.min(subs, WORKERS);
  const threads: SubscriberThread[] = [];
  for (let w = 0; w < nThreads; w++) {
    const count = Math.floor(subs / nThreads) + (w < subs % nThreads ? 1 : 0);
    threads.push(
      new SubscriberThread({
        kind: side.kind,
        host: "127.0.0.1",
        port: side.port,
        path: side.path,
        topic: side.topic,
        count,
        name: "bench-sub-" + w,
        sentAt: sentAtBuf,
        maxSeq: last,
      }),
    );
  }
  try {
    await Promise.all(threads.map((t) => t.ready));
    for (const t of threads) t.window(warm + 1, last);
    const pub = await Publisher.open(publisherPort, "bench-pub-" + process.pid);
    await pub.run(side.topic, rate, 1, warm, sentAt);
    const c0 = cpuSeconds(side.server.pid);
    const o0 = cpuSeconds(other.pid);
    const t0 = clock();
    const achieved = await pub.run(side.topic, rate, warm + 1, last, sentAt);
    const cpu = ((cpuSeconds(side.server.pid) - c0) * 100000) / (clock() - t0);
    const idleCpu = ((cpuSeconds(other.pid) - o0) * 100000) / (clock() - t0);
    // The last deliveries: until everything is in, or nothing more came for 500 ms (5 s at most).
    const expected = measured * subs;
    let got = -1;
    for (let quiet = 0, waited = 0; waited < 5000 && quiet < 500; waited += 100) {
      const rs = await reports(threads);
      const n = rs.reduce((s, r) => s + r.delivered, 0);
      if (n >= expected) break;
      const all = n + rs.reduce((s, r) => s + r.duplicated + r.outside, 0);
      quiet = all === got ? quiet + 100 : 0;
      got = all;
      await sleep(100);
    }
    const rs = await reports(threads);
    await pub.close();
    const hist = new Uint32Array(HIST_BINS);
    for (const r of rs) mergeHist(hist, r.hist);
    const delivered = rs.reduce((s, r) => s + r.delivered, 0);
    return {
      expected,
      delivered,
      lost: expected - delivered,
      duplicated: rs.reduce((s, r) => s + r.duplicated, 0),
      outOfOrder: rs.reduce((s, r) => s + r.outOfOrder, 0),
      p50: quantile(hist, 0.5),
      p99: quantile(hist, 0.99),
      cpu,
      idleCpu,
      rate: achieved,
    };
  } finally {
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }
}

// Each figure's median over the rounds (BENCH_ROUNDS; the counts are those of the round with
// the median delivery).
function medianResult(rs: Result[]): Result {
  const med = (f: (r: Result) => number) => rs.map(f).sort((a, b) => a - b)[rs.length >> 1];
  const byDelivery = rs.slice().sort((a, b) => a.delivered - b.delivered)[rs.length >> 1];
  return { ...byDelivery, p50: med((r) => r.p50), p99: med((r) => r.p99), cpu: med((r) => r.cpu), idleCpu: med((r) => r.idleCpu), rate: med((r) => r.rate) };
}

const ratio = (x: number) => (x !== x ? "-" : x < 0.1 ? x.toPrecision(2) : x.toFixed(2));
const pct = (r: Result) => (100 * r.delivered) / r.expected;
const ms = (x: number) => (x !== x ? "-" : x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0));

function line(name: string, r: Result): string {
  return (
    name.padEnd(16) +
    `${pct(r).toFixed(1).padStart(6)}% delivered (lost ${r.lost}, dup ${r.duplicated}, out of order ${r.outOfOrder})`.padEnd(62) +
    `p50 ${ms(r.p50).padStart(6)} ms  p99 ${ms(r.p99).padStart(6)} ms  server CPU ${r.cpu.toFixed(0).padStart(3)}% (the other ${r.idleCpu.toFixed(0)}%)  (published ${Math.round(r.rate)}/s)`
  );
}

async function main(): Promise<void> {
  console.log(`${cpus().length} cores, load average ${la()} at start; ${MEASURE_S} s measured per cell after ${WARM_S} s warm-up; ${ROUNDS > 1 ? "medians of " + ROUNDS + " rounds" : "one round (BENCH_ROUNDS=3 for medians)"}`);
  const only = process.env.BENCH_ONLY; // "a" or "b"
  const cells = process.env.BENCH_CELLS?.split(","); // e.g. "100x1000,1x10000"
  const pinwire = await startPinwire();
  const mosquitto = await startMosquittoServer();
  servers.push(pinwire, mosquitto);
  const results: Record<string, Result> = {};
  try {
    const modes: { key: "a" | "b"; title: string; sides: [Side, Side] }[] = [
      {
        key: "a",
        title: "(a) MQTT subscribers over TCP",
        sides: [
          { name: "pinwire broker", server: pinwire, kind: "mqtt", port: pinwire.mqttPort, path: "", topic: "bench/load" },
          { name: "mosquitto", server: mosquitto, kind: "mqtt", port: mosquitto.mqttPort, path: "", topic: "bench/load" },
        ],
      },
      {
        key: "b",
        title: "(b) WebSocket subscribers, one WebSocket client (shared/ws/client.ts)",
        sides: [
          { name: "pinwire gateway", server: pinwire, kind: "gateway", port: pinwire.wsPort, path: "/ws/" + ID, topic: "pinwire/" + ID + "/state" },
          { name: "mosquitto-ws", server: mosquitto, kind: "mqtt-ws", port: mosquitto.wsPort, path: "/mqtt", topic: "pinwire/" + ID + "/state" },
        ],
      },
    ];
    // A fresh Node process spends its first seconds compiling (about 10 % CPU at 1,000 msg/s
    // then, 4 % after): every path is run once, unmeasured, before the cells.
    console.log("warming up every path (100 subscribers x 1000 msg/s, 3 s each, not counted)");
    for (const mode of modes) for (const side of mode.sides) if (!only || only === mode.key) await cell(side, 100, 1000, side.server.mqttPort, 3);
    for (const mode of modes) {
      if (only && only !== mode.key) continue;
      console.log(mode.title);
      for (const subs of SUBS) {
        for (const rate of RATES) {
          if (cells && !cells.includes(subs + "x" + rate)) continue;
          console.log(`  ${subs} subscriber${subs > 1 ? "s" : ""} x ${rate} msg/s (load average ${la()})`);
          // The sides take turns, and which goes first alternates by round, so drift in the
          // machine's load hits both alike.
          const runs: Result[][] = [[], []];
          for (let round = 0; round < ROUNDS; round++) {
            for (const k of round % 2 ? [1, 0] : [0, 1]) runs[k].push(await cell(mode.sides[k], subs, rate, mode.sides[k].server.mqttPort));
          }
          const pair = runs.map(medianResult);
          pair.forEach((r, k) => {
            results[mode.key + mode.sides[k].name + subs + "x" + rate] = r;
            console.log("    " + line(mode.sides[k].name, r));
          });
          console.log(`    p99 ${ratio(pair[0].p99 / pair[1].p99)}x ${mode.sides[1].name}'s, CPU ${ratio(pair[0].cpu / pair[1].cpu)}x`);
        }
      }
    }
  } finally {
    await pinwire.stop();
    await mosquitto.stop();
  }
  console.log(`(load average ${la()} at end)`);
  if (only || cells) return;
  const a = results["apinwire broker100x1000"];
  const b = results["amosquitto100x1000"];
  const g = results["bpinwire gateway100x10000"];
  const h = results["bmosquitto-ws100x10000"];
  console.log(
    `bridge: broker p99 ${ms(a.p99)} ms vs mosquitto ${ms(b.p99)} ms (100 subs x 1k/s, delivered ${pct(a).toFixed(1)}% vs ${pct(b).toFixed(1)}%); ` +
      `gateway p99 ${ms(g.p99)} ms vs mosquitto-ws ${ms(h.p99)} ms (100 x 10k/s, delivered ${pct(g).toFixed(1)}% vs ${pct(h).toFixed(1)}%)`,
  );
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
