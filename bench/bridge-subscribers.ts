// bench:bridge's subscribers, run in worker threads so that they do not share an event loop
// with the publisher. One worker holds `count` identical minimal subscribers of one kind:
//   mqtt     MQTT 3.1.1 over TCP: CONNECT (clean, keepalive 0) + SUBSCRIBE QoS 0, then PUBLISH;
//   mqtt-ws  the same MQTT bytes in binary messages of shared/ws/client.ts (subprotocol mqtt);
//   gateway  shared/ws/client.ts on the gateway's /ws/<id>: one 8-byte message per frame.
// The MQTT side only frames packets (shared/stream.ts) and reads the payload of a PUBLISH: the
// subscriber is the same small piece of code for every broker, so what is measured is the
// server. Every message is the 8-byte SERVO_ANGLE board message with the publisher's sequence
// number in its three padding bytes (the gateway forwards the bytes as they are); the
// publisher writes each one's send time into the shared `sentAt` array.
//
// Messages from the main thread: {type: "window", from, to} (sequence numbers counted from
// now on), {type: "report"} (answered with the counts and the latency histogram).
import { createHash } from "node:crypto";
import { connect, type Socket } from "node:net";
import { parentPort, workerData } from "node:worker_threads";
import type { Bytes } from "../shared/bytes";
import { encode } from "../shared/mqtt/generator";
import { WsClient } from "../shared/ws/client";
import { HIST_BINS, histBin, sharedClock } from "./bridge-stats";
import { mqttReader } from "./mqtt-reader";

export interface SubscriberJob {
  kind: "mqtt" | "mqtt-ws" | "gateway";
  host: string;
  port: number;
  path: string; // WebSocket path
  topic: string; // MQTT topic
  count: number;
  name: string; // client id prefix
  sentAt: SharedArrayBuffer; // Float64Array by sequence number, ms on the shared clock
  maxSeq: number;
}

export interface SubscriberReport {
  delivered: number; // first receipts of sequence numbers in the window
  duplicated: number;
  outOfOrder: number; // first receipts of a number below one already received
  outside: number; // messages outside the window (warm-up)
  hist: Uint32Array;
}

const SERVO_ANGLE = 12;
const STATUS = 17;

const job = workerData as SubscriberJob;
const sentAt = new Float64Array(job.sentAt);
const clock = sharedClock();

let from = 1;
let to = 0;
let delivered = 0;
let duplicated = 0;
let outOfOrder = 0;
let outside = 0;
let hist = new Uint32Array(HIST_BINS);
let now = 0; // arrival time of the chunk being read

interface Sub {
  seen: Uint8Array;
  last: number;
}

function record(s: Sub, b: Bytes, p: number): void {
  if (b[p] !== SERVO_ANGLE) return;
  const seq = b[p + 1] | (b[p + 2] << 8) | (b[p + 3] << 16);
  if (seq < from || seq > to) {
    outside++;
    return;
  }
  if (s.seen[seq]) {
    duplicated++;
    return;
  }
  s.seen[seq] = 1;
  delivered++;
  if (seq < s.last) outOfOrder++;
  else s.last = seq;
  hist[histBin(now - sentAt[seq])]++;
}

// Each PUBLISH's payload goes to record(); the SUBACK says the subscription is in place.
function subscriberReader(s: Sub, ready: () => void): (b: Bytes) => void {
  return mqttReader((t, flags, b, body, e) => {
    if (t === 3) {
      const p = body + 2 + ((b[body] << 8) | b[body + 1]) + (flags & 6 ? 2 : 0);
      if (e - p === 8) record(s, b, p);
    } else if (t === 9) ready();
  });
}

function sha1(b: Bytes): Bytes {
  return new Uint8Array(createHash("sha1").update(b).digest());
}

// Sockets read into one buffer per thread (net's `onread`: no stream machinery, no Buffer per
// read); each read is copied out, since a packet split across reads is held as a view.
const READ_BUF = Buffer.allocUnsafe(65536);

function onread(deliver: (b: Bytes) => void) {
  return {
    buffer: READ_BUF,
    callback(n: number, buf: Buffer): boolean {
      now = clock();
      deliver(new Uint8Array(buf.subarray(0, n)));
      return true;
    },
  };
}

function mqttHello(i: number): Bytes[] {
  return [
    encode({ type: 1, clientId: job.name + "-" + i, clean: true, keepalive: 0 }),
    encode({ type: 8, id: 1, subs: [{ topic: job.topic, qos: 0 }] }),
  ];
}

// One subscriber; resolves when it is ready to receive (SUBACK, or the gateway's STATUS).
function subscriber(i: number, sockets: Socket[]): Promise<void> {
  const s: Sub = { seen: new Uint8Array(job.maxSeq + 1), last: 0 };
  return new Promise<void>((resolve, reject) => {
    if (job.kind === "mqtt") {
      const sock = connect({ host: job.host, port: job.port, onread: onread(subscriberReader(s, resolve)) });
      sockets.push(sock);
      sock.setNoDelay(true);
      sock.once("error", reject);
      sock.on("connect", () => {
        for (const b of mqttHello(i)) sock.write(b);
      });
      return;
    }
    let ws: WsClient | null = null;
    const sock = connect({ host: job.host, port: job.port, onread: onread((b) => ws!.data(b)) });
    sockets.push(sock);
    sock.setNoDelay(true);
    sock.once("error", reject);
    ws = new WsClient(
      { write: (b) => sock.write(b), close: () => sock.end() },
      { host: job.host + ":" + job.port, path: job.path, protocols: job.kind === "mqtt-ws" ? ["mqtt"] : undefined, sha1 },
    );
    if (job.kind === "mqtt-ws") {
      const read = subscriberReader(s, resolve);
      ws.onopen = () => {
        for (const b of mqttHello(i)) ws!.write(b);
      };
      ws.ondata = read;
    } else {
      let ready = false;
      ws.ondata = (b) => {
        if (b.length !== 8) return;
        if (!ready && b[0] === STATUS) {
          ready = true;
          resolve();
        } else record(s, b, 0);
      };
    }
    ws.onerror = (e) => reject(new Error("websocket: " + e.code));
    sock.on("connect", () => ws!.start());
    sock.on("close", () => ws!.closed());
  });
}

async function main(): Promise<void> {
  const port = parentPort!;
  const sockets: Socket[] = [];
  const subs: Promise<void>[] = [];
  for (let i = 0; i < job.count; i++) subs.push(subscriber(i, sockets));
  port.on("message", (m: { type: string; from?: number; to?: number }) => {
    if (m.type === "window") {
      from = m.from!;
      to = m.to!;
      delivered = duplicated = outOfOrder = outside = 0;
      hist = new Uint32Array(HIST_BINS);
    } else if (m.type === "report") {
      const r: SubscriberReport = { delivered, duplicated, outOfOrder, outside, hist };
      port.postMessage({ type: "report", report: r });
    }
  });
  try {
    await Promise.all(subs);
    port.postMessage({ type: "ready" });
  } catch (e) {
    port.postMessage({ type: "failed", error: String(e) });
  }
}

void main();
