// Relay benchmark: a device's MQTT publish -> the browser-side WebSocket message.
//   pinwire: `pinwire bridge` (embedded Aedes + bridge + gateway) in its own process; the
//            device publishes 8-byte messages over MQTT, clients are `ws` sockets on /ws/<id>.
//   peer:    Debian mosquitto in its own process with a WebSocket listener; clients are `mqtt`
//            package clients over MQTT-over-WS subscribed to pinwire/<id>/state.
// Throughput: M messages published as fast as the publisher goes, to N clients; deliveries
// per second until every client has the last message. Latency: 1000 msg/s for 2 s to 100
// clients, per-delivery publish-to-receive times. Last line:
//   bridge: <T>x mosquitto throughput, p99 <L> ms at 1000 msg/s with 100 clients
// with T the throughput ratio at 100 clients and L the bridge's p99.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type AddressInfo } from "node:net";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir, loadavg, cpus } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import mqtt, { type MqttClient } from "mqtt";
import { encodeMessage, SERVO_ANGLE, LIGHT_LEVEL } from "../shared/messages";

const ID = "bench1";
const TOPIC = "pinwire/" + ID + "/state";
const CLIENT_COUNTS = [1, 100, 1000];
const LAT_CLIENTS = Number(process.env.BENCH_LAT_CLIENTS ?? 100);
const LAT_RATE = 1000;
const LAT_SECONDS = 2;

interface Target {
  name: string;
  publisherUrl: string;
  connectClients(n: number, onMsg: (client: number, b: Buffer) => void): Promise<() => Promise<void>>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const p = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

function stopProc(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null) return Promise.resolve();
  const done = new Promise<void>((r) => p.once("exit", () => r()));
  p.kill("SIGTERM");
  return done;
}

// Connects in batches so a thousand handshakes do not all land at once.
async function inBatches<T>(n: number, make: (i: number) => Promise<T>, batch = 50): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i += batch) out.push(...(await Promise.all(Array.from({ length: Math.min(batch, n - i) }, (_, k) => make(i + k)))));
  return out;
}

async function startPinwire(): Promise<Target> {
  const home = mkdtempSync(join(tmpdir(), "pinwire-bench-"));
  const proc = spawn(process.execPath, ["node_modules/tsx/dist/cli.mjs", "host/cli.ts", "bridge", "--port", "0", "--mqtt-port", "0", "--credentials", join(home, "c.json")], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const ready = await new Promise<{ http: string; mqtt: string }>((resolve, reject) => {
    let buf = "";
    proc.stdout!.on("data", (d) => {
      buf += d;
      for (const line of buf.split("\n")) if (line.includes('"event":"ready"')) resolve(JSON.parse(line));
    });
    proc.once("exit", (c) => reject(new Error("pinwire bridge exited " + c)));
  });
  proc.stdout!.resume();
  const wsBase = ready.http.replace(/^http/, "ws");
  return {
    name: "pinwire",
    publisherUrl: ready.mqtt,
    async connectClients(n, onMsg) {
      const clients = await inBatches(n, (i) => {
        const ws = new WebSocket(wsBase + "/ws/" + ID);
        ws.on("message", (d) => onMsg(i, d as Buffer));
        return new Promise<WebSocket>((r, j) => (ws.once("open", () => r(ws)), ws.once("error", j)));
      });
      return async () => {
        await Promise.all(clients.map((c) => new Promise<void>((r) => (c.once("close", () => r()), c.close()))));
      };
    },
    async stop() {
      await stopProc(proc);
      rmSync(home, { recursive: true, force: true });
    },
  };
}

async function startMosquitto(): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), "pinwire-bench-mosq-"));
  const port = await freePort();
  const wsPort = await freePort();
  const conf = join(dir, "m.conf");
  writeFileSync(conf, [`listener ${port} 127.0.0.1`, "socket_domain ipv4", `listener ${wsPort} 127.0.0.1`, "socket_domain ipv4", "protocol websockets", "allow_anonymous true", "log_dest stderr", "log_type error", "log_type notice", "log_type information"].join("\n") + "\n");
  const proc = spawn("/usr/sbin/mosquitto", ["-c", conf], { stdio: ["ignore", "ignore", "pipe"] });
  await new Promise<void>((resolve, reject) => {
    let log = "";
    proc.stderr!.on("data", (d) => ((log += d), log.includes(" running") && resolve()));
    proc.once("exit", (c) => reject(new Error("mosquitto exited " + c + " " + log)));
  });
  proc.stderr!.resume();
  return {
    name: "mosquitto",
    publisherUrl: "mqtt://127.0.0.1:" + port,
    async connectClients(n, onMsg) {
      const clients = await inBatches(n, async (i) => {
        const c = await mqtt.connectAsync("ws://127.0.0.1:" + wsPort + "/mqtt", { protocolVersion: 4, reconnectPeriod: 0 });
        c.on("message", (_t, p) => onMsg(i, p));
        await c.subscribeAsync(TOPIC);
        return c;
      });
      return async () => {
        await Promise.all(clients.map((c) => c.endAsync(true)));
      };
    },
    async stop() {
      await stopProc(proc);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// The device side. Nagle off, as the relays have it: each publish leaves at once.
async function publisher(url: string): Promise<MqttClient> {
  const c = await mqtt.connectAsync(url, { protocolVersion: 4, clientId: "bench-dev-" + Math.random().toString(16).slice(2, 8) });
  (c.stream as unknown as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
  return c;
}

// The end of a run: every client has seen the marker (SERVO_ANGLE 180). Both relays may
// drop under overload (pinwire by design: latest value per type), so the marker is
// re-published until all clients have it.
class Run {
  delivered = 0;
  private marker: number;
  private got: Uint8Array;
  private left: number;
  private resolve!: () => void;
  done = new Promise<void>((r) => (this.resolve = r));
  constructor(n: number, marker = 180) {
    this.got = new Uint8Array(n);
    this.left = n;
    this.marker = marker;
  }
  // Counts the payload messages and each client's first marker (not re-published markers).
  onMsg(i: number, b: Buffer): void {
    if (b[0] !== SERVO_ANGLE) this.delivered++;
    else if (b[4] === this.marker && !this.got[i]) {
      this.delivered++;
      this.got[i] = 1;
      if (--this.left === 0) this.resolve();
    }
  }
  async finish(pub: MqttClient): Promise<void> {
    const marker = Buffer.from(encodeMessage(SERVO_ANGLE, this.marker));
    pub.publish(TOPIC, marker);
    const again = setInterval(() => pub.publish(TOPIC, marker), 200);
    await this.done;
    clearInterval(again);
  }
}

async function throughput(t: Target, n: number): Promise<number> {
  const m = Math.min(20000, Math.max(100, Math.round(100000 / n)));
  // The warm-up uses another marker value: a late re-published warm-up marker must not end the run.
  let run = new Run(n, 179);
  const close = await t.connectClients(n, (i, b) => run.onMsg(i, b));
  const pub = await publisher(t.publisherUrl);
  await run.finish(pub); // warm-up: every client attached and served once
  run = new Run(n);
  const msgs = Array.from({ length: 101 }, (_, i) => Buffer.from(encodeMessage(LIGHT_LEVEL, i)));
  const t0 = performance.now();
  for (let i = 0; i < m; i++) {
    pub.publish(TOPIC, msgs[i % 101]);
    // Let the socket drain every so often rather than building one huge buffer.
    if (i % 500 === 499) await new Promise((r) => setImmediate(r));
  }
  await run.finish(pub);
  const secs = (performance.now() - t0) / 1000;
  const rate = run.delivered / secs;
  await pub.endAsync();
  await close();
  console.log(`${t.name.padEnd(9)} ${String(n).padStart(4)} clients: ${m} msgs in ${secs.toFixed(2)} s, ${run.delivered} deliveries (${((100 * run.delivered) / (n * (m + 1))).toFixed(0)}%), ${Math.round(rate)} deliveries/s`);
  return rate;
}

// Sends `total` SERVO_ANGLE messages at LAT_RATE; the value carries the sequence number
// modulo 181 (the message's range): at 1000 msg/s a value repeats every 181 ms, far beyond
// the latencies measured here.
async function paced(pub: MqttClient, total: number, sentAt: Float64Array, msgs: Buffer[]): Promise<void> {
  await new Promise<void>((resolve) => {
    const t0 = performance.now();
    let i = 0;
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - t0) * LAT_RATE) / 1000));
      for (; i < due; i++) {
        sentAt[i % 181] = performance.now();
        pub.publish(TOPIC, msgs[i % 181]);
      }
      if (i >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
}

// Resolves once `count()` has stopped growing for 100 ms (in-flight deliveries landed).
async function settle(count: () => number): Promise<void> {
  for (let prev = -1; prev !== count(); ) {
    prev = count();
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function latency(t: Target, clients: number): Promise<{ p50: number; p99: number; lost: number }> {
  const sentAt = new Float64Array(181).fill(NaN);
  const total = LAT_RATE * LAT_SECONDS;
  // Preallocated: the instrument should not add garbage-collection pauses of its own.
  const lat = new Float64Array(total * clients + 1000);
  let n = 0;
  const close = await t.connectClients(clients, (_i, b) => {
    if (b[0] !== SERVO_ANGLE) return;
    const s = sentAt[b.readInt32LE(4)];
    if (s === s && n < lat.length) lat[n++] = performance.now() - s; // NaN: not sent in this phase
  });
  const pub = await publisher(t.publisherUrl);
  const msgs = Array.from({ length: 181 }, (_, i) => Buffer.from(encodeMessage(SERVO_ANGLE, i)));
  // Warm-up (JIT, socket buffers), not measured.
  await paced(pub, 300, sentAt, msgs);
  await settle(() => n);
  sentAt.fill(NaN);
  n = 0;
  await paced(pub, total, sentAt, msgs);
  const expected = total * clients;
  await settle(() => n);
  await pub.endAsync();
  await close();
  const sorted = lat.subarray(0, n).sort();
  const q = (p: number) => sorted[Math.min(n - 1, Math.floor(p * n))];
  const r = { p50: q(0.5), p99: q(0.99), lost: expected - n };
  console.log(`${t.name.padEnd(9)} latency @ ${LAT_RATE} msg/s x ${String(clients).padStart(4)} clients: p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, ${n}/${expected} delivered`);
  return r;
}

async function main(): Promise<void> {
  const started = Date.now();
  // Both relays and the clients share this machine's cores: say how busy it was.
  const la = () => loadavg()[0].toFixed(1);
  console.log(`${cpus().length} cores, load average ${la()} at start`);
  const results: Record<string, { tput: Record<number, number>; lat?: { p50: number; p99: number } }> = {};
  const only = process.env.BENCH_ONLY;
  for (const start of [startPinwire, startMosquitto]) {
    if (only && !start.name.toLowerCase().includes(only)) continue;
    const t = await start();
    results[t.name] = { tput: {} };
    try {
      // The device publishes status once so the bridge knows it, as a real device would.
      const p = await publisher(t.publisherUrl);
      await p.publishAsync("pinwire/" + ID + "/status", "online", { retain: true });
      await p.endAsync();
      for (const n of CLIENT_COUNTS) {
        process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0)} s] ${t.name} ${n} clients\n`);
        results[t.name].tput[n] = await throughput(t, n);
      }
      if (LAT_CLIENTS !== 1) await latency(t, 1);
      results[t.name].lat = await latency(t, LAT_CLIENTS);
    } finally {
      await t.stop();
    }
  }
  if (only) return;
  const ratios = CLIENT_COUNTS.map((n) => results.pinwire.tput[n] / results.mosquitto.tput[n]);
  console.log("throughput ratio pinwire/mosquitto: " + CLIENT_COUNTS.map((n, i) => `${n} clients ${ratios[i].toFixed(2)}x`).join(", "));
  console.log(`(${((Date.now() - started) / 1000).toFixed(0)} s, load average ${la()} at end)`);
  const T = ratios[CLIENT_COUNTS.indexOf(LAT_CLIENTS)];
  console.log(`bridge: ${T.toFixed(2)}x mosquitto throughput, p99 ${results.pinwire.lat!.p99.toFixed(2)} ms at ${LAT_RATE} msg/s with ${LAT_CLIENTS} clients`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
