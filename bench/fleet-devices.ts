// bench:fleet's devices, run in worker threads (out of the server's process). One worker holds
// `count` raw MQTT 3.1.1 devices over TCP that behave as a board running servo-light does
// (device/mqtt-link.ts): client id pinwire-<id>, will `offline` on pinwire/<id>/status,
// SUBSCRIBE pinwire/<id>/cmd QoS 1, then info, the catalogue and the state snapshot retained
// and status `online` (QoS 1); every `periodMs` one LIGHT_LEVEL report (QoS 1, not retained)
// and the retained snapshot. A command (SERVO_ROTATE) is acknowledged and answered with the
// SERVO_ANGLE report and the snapshot, so the bridge sees its set-point confirmed.
//
// Each worker also runs one commander: an MQTT client that publishes SERVO_ROTATE (QoS 1) to
// its own devices' cmd topics, round robin, at `cmdRate` per second, one outstanding command per
// device. Latency is from the commander's write to the device's read, on one thread's clock.
//
// Messages from the main thread: {type: "connect", inflight} (connect every device, at most
// `inflight` connecting at once; answered with {type: "connected", times} as devices finish,
// times on the shared clock), {type: "commands", rate}, {type: "window"} (latencies counted from
// now on), {type: "close"} (no longer), {type: "report"} (answered with the counts and the latency histogram).
import { connect, type Socket } from "node:net";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parentPort, workerData } from "node:worker_threads";
import { MessageTable, snapshotOf, type Catalogue } from "../shared/catalogue";
import type { Bytes } from "../shared/bytes";
import { encode } from "../shared/mqtt/generator";
import { HIST_BINS, histBin, sharedClock } from "./bridge-stats";
import { mqttReader } from "./mqtt-reader";

export interface FleetJob {
  port: number;
  first: number; // index of this worker's first device
  count: number;
  catalogue: string; // servo-light's catalogue JSON
  periodMs: number;
  worker: number;
}

export interface FleetReport {
  sent: number; // commands published in the window
  delivered: number; // first receipts of those
  duplicated: number; // further receipts (the bridge republishing a set-point)
  pending: number; // published in the window, not received yet
  dropped: number; // device connections the server closed
  statePublishes: number; // state PUBLISHes the devices sent (reports + snapshots)
  hist: Uint32Array;
  slow: [number, number][]; // commands over 50 ms: [sent at on the shared clock, latency ms]
  loopMaxMs: number; // the thread's longest event-loop delay in the window
}

const job = workerData as FleetJob;
const port = parentPort!;
const clock = sharedClock();
const catalogue = JSON.parse(job.catalogue) as Catalogue;
const table = new MessageTable(catalogue);
const spec = (name: string) => table.byName.get(name)!;
const SERVO_ANGLE = spec("SERVO_ANGLE");
const LIGHT_LEVEL = spec("LIGHT_LEVEL");
const SERVO_ROTATE = spec("SERVO_ROTATE");

class Device {
  sock!: Socket;
  nextId = 1;
  latest = new Map<number, Bytes>();
  light = 50;
  // The command in flight to this device: its value and send time (NaN: none).
  cmdValue = -1;
  cmdAt = NaN;
  cmdCounted = false; // sent while the window was open
  connected = false;
  topic: string;
  constructor(readonly id: string) {
    this.topic = "pinwire/" + id + "/";
    for (const s of table.reports()) this.latest.set(s.code, table.encode(s, s.name === "LED_SET" ? -1 : s.name === "SERVO_ANGLE" ? 90 : 50));
  }
  pid(): number {
    const i = this.nextId;
    this.nextId = i === 65535 ? 1 : i + 1;
    return i;
  }
  publish(kind: string, payload: Bytes | string, retain: boolean): void {
    const p = typeof payload === "string" ? new TextEncoder().encode(payload) : payload;
    this.sock.write(encode({ type: 3, topic: this.topic + kind, payload: p, qos: 1, retain, dup: false, id: this.pid() }));
  }
  report(code: number, msg: Bytes): void {
    this.latest.set(code, msg);
    this.publish("state", msg, false);
    this.publish("state", snapshotOf(table, this.latest, code), true);
    statePublishes += 2;
  }
}

const devices: Device[] = [];
for (let i = 0; i < job.count; i++) devices.push(new Device("fleet" + String(job.first + i).padStart(5, "0")));

let windowOpen = false;
let sent = 0;
let delivered = 0;
let duplicated = 0;
let dropped = 0;
let statePublishes = 0;
let hist = new Uint32Array(HIST_BINS);
let slow: [number, number][] = []; // [sent at, latency] of commands over 50 ms
// This thread's own event-loop delay: a stall here would show as command latency too.
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();


const info = (d: Device) =>
  JSON.stringify({ id: d.id, board: "esp8266", runtime: "fleet", app: catalogue.app, version: catalogue.version, hash: catalogue.hash, script: "1", memory: { free: 1000, total: 1700 }, up: 1 });

// Connects one device; resolves when its subscription and announcement are acknowledged.
function start(d: Device): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let acks = 0; // SUBACK + 4 PUBACKs of the announcement
    const sock = connect({ host: "127.0.0.1", port: job.port });
    d.sock = sock;
    sock.setNoDelay(true);
    sock.on("error", () => {});
    sock.once("close", () => {
      if (d.connected) dropped++;
      else reject(new Error(d.id + ": connection closed while connecting"));
      d.connected = false;
    });
    const announced = () => {
      if (++acks === 5) {
        d.connected = true;
        resolve();
      }
    };
    sock.on(
      "data",
      mqttReader((type, flags, b, body, end) => {
        if (type === 2) {
          if (b[body + 1] !== 0) return reject(new Error(d.id + ": CONNACK " + b[body + 1]));
          sock.write(encode({ type: 8, id: d.pid(), subs: [{ topic: d.topic + "cmd", qos: 1 }] }));
          d.publish("info", info(d), true);
          d.publish("app", job.catalogue, true);
          d.publish("state", snapshotOf(table, d.latest), true);
          d.publish("status", "online", true);
        } else if (type === 9 || type === 4) {
          if (!d.connected) announced();
        } else if (type === 3) onCommand(d, flags, b, body, end);
      }),
    );
    sock.on("connect", () =>
      sock.write(
        encode({
          type: 1,
          clientId: "pinwire-" + d.id,
          clean: true,
          keepalive: 60,
          will: { topic: d.topic + "status", payload: new TextEncoder().encode("offline"), qos: 1, retain: true },
        }),
      ),
    );
  });
}

function onCommand(d: Device, flags: number, b: Bytes, body: number, end: number): void {
  const now = clock();
  const tl = (b[body] << 8) | b[body + 1];
  let p = body + 2 + tl;
  const qos = (flags >> 1) & 3;
  if (qos) {
    d.sock.write(Buffer.from([0x40, 2, b[p], b[p + 1]]));
    p += 2;
  }
  if (end - p !== 8 || b[p] !== SERVO_ROTATE.code) return;
  const value = b[p + 4] | (b[p + 5] << 8);
  if (value === d.cmdValue && d.cmdAt === d.cmdAt) {
    if (d.cmdCounted) {
      delivered++;
      hist[histBin(now - d.cmdAt)]++;
      if (now - d.cmdAt > 50) slow.push([Math.round(d.cmdAt), Math.round(now - d.cmdAt)]);
    }
    d.cmdAt = NaN;
  } else duplicated++;
  d.report(SERVO_ANGLE.code, table.encode(SERVO_ANGLE, value));
}

// Every device reports its light level once a period, the devices spread over it.
function ticker(): void {
  const slots = 50;
  const slotMs = job.periodMs / slots;
  let slot = 0;
  setInterval(() => {
    for (let i = slot; i < devices.length; i += slots) {
      const d = devices[i];
      if (!d.connected) continue;
      d.light = (d.light + 7) % 101;
      d.report(LIGHT_LEVEL.code, table.encode(LIGHT_LEVEL, d.light));
    }
    slot = (slot + 1) % slots;
  }, slotMs);
}

async function connectAll(inflight: number): Promise<void> {
  let next = 0;
  let times: number[] = [];
  const flush = () => {
    if (times.length) port.postMessage({ type: "connected", times });
    times = [];
  };
  const flusher = setInterval(flush, 200);
  const lane = async () => {
    while (next < devices.length) {
      const d = devices[next++];
      await start(d);
      times.push(clock());
    }
  };
  const lanes: Promise<void>[] = [];
  for (let k = 0; k < inflight; k++) lanes.push(lane());
  await Promise.all(lanes);
  clearInterval(flusher);
  flush();
}

// The commander: its own MQTT connection, commands round robin over this worker's devices.
async function commander(rate: number): Promise<void> {
  const sock = connect({ host: "127.0.0.1", port: job.port });
  sock.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    sock.once("error", reject);
    sock.on("connect", () => sock.write(encode({ type: 1, clientId: "fleet-commander-" + job.worker, clean: true, keepalive: 0 })));
    sock.on(
      "data",
      mqttReader((type) => {
        if (type === 2) resolve();
      }),
    );
  });
  let id = 1;
  let k = 0;
  let value = 0;
  const t0 = performance.now();
  let due = 0;
  setInterval(() => {
    const target = Math.floor(((performance.now() - t0) * rate) / 1000);
    const chunks: Bytes[] = [];
    for (; due < target; due++) {
      // The next device with no command in flight (skip at most one round).
      let d: Device | null = null;
      for (let j = 0; j < devices.length && !d; j++) {
        const c = devices[k];
        k = (k + 1) % devices.length;
        if (c.connected && c.cmdAt !== c.cmdAt) d = c;
      }
      if (!d) break;
      value = (value + 1) % 181;
      d.cmdValue = value;
      d.cmdAt = clock();
      d.cmdCounted = windowOpen;
      if (windowOpen) sent++;
      chunks.push(encode({ type: 3, topic: d.topic + "cmd", payload: table.encode(SERVO_ROTATE, value), qos: 1, retain: false, dup: false, id }));
      id = id === 65535 ? 1 : id + 1;
    }
    if (chunks.length) sock.write(Buffer.concat(chunks));
  }, 2);
}

port.on("message", (m: { type: string; inflight?: number; rate?: number }) => {
  if (m.type === "connect") {
    connectAll(m.inflight!).then(
      () => port.postMessage({ type: "all-connected" }),
      (e) => port.postMessage({ type: "failed", error: String(e) }),
    );
    ticker();
  } else if (m.type === "commands") {
    commander(m.rate!).catch((e) => port.postMessage({ type: "failed", error: "commander: " + String(e) }));
  } else if (m.type === "window") {
    windowOpen = true;
    sent = delivered = duplicated = 0;
    hist = new Uint32Array(HIST_BINS);
    slow = [];
    loopDelay.reset();
  } else if (m.type === "close") {
    windowOpen = false;
  } else if (m.type === "report") {
    let pending = 0;
    for (const d of devices) if (d.cmdAt === d.cmdAt && d.cmdCounted) pending++;
    const r: FleetReport = { sent, delivered, duplicated, pending, dropped, statePublishes, hist, slow, loopMaxMs: loopDelay.max / 1e6 };
    port.postMessage({ type: "report", report: r });
  }
});
port.postMessage({ type: "ready" });
