// Our MQTT codec against mqtt-packet, in one process: ops/s per case for parse and generate,
// then the geometric means and the board size of the MQTT + WebSocket client code.
// Generation is compared with both of mqtt-packet's APIs: generate() (a Buffer per packet) and
// writeToStream() (what MQTT.js and Aedes use: several writes per packet into the stream). For
// the second, both sides write into the same sink, which does what a Writable does with each
// write (a string becomes bytes, as with decodeStrings) and counts the bytes: ours is encode()
// plus one write. Each case's generate ratio is against the faster of the two.
// Run: npm run bench:codec. The last line is the summary CI reads:
//   codec: parse <X>x generate <Y>x mqtt-packet (fastest API); device core <N> bytes
import mqttPacket from "mqtt-packet";
import { encode } from "../shared/mqtt/generator";
import type { Packet } from "../shared/mqtt/packet";
import { ALL_DECODERS, MqttParser } from "../shared/mqtt/parser";
import { deviceSize } from "./device-size";

interface Case {
  name: string;
  ours: Packet;
  theirs: mqttPacket.Packet;
}

function payload(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + 7) & 255;
  return b;
}

function publishCase(qos: 0 | 1, size: number, label: string): Case {
  const pl = payload(size);
  const topic = "pinwire/board-7/sensors/light";
  return {
    name: "PUBLISH QoS " + qos + " " + label,
    ours: { type: 3, topic, payload: pl, qos, retain: false, dup: false, id: qos ? 4242 : undefined },
    theirs: { cmd: "publish", topic, payload: Buffer.from(pl), qos, retain: false, dup: false, messageId: qos ? 4242 : undefined },
  };
}

const CASES: Case[] = [
  publishCase(0, 16, "16 B"),
  publishCase(0, 256, "256 B"),
  publishCase(0, 1024, "1 KB"),
  publishCase(0, 65536, "64 KB"),
  publishCase(1, 16, "16 B"),
  publishCase(1, 256, "256 B"),
  publishCase(1, 1024, "1 KB"),
  publishCase(1, 65536, "64 KB"),
  { name: "PUBACK", ours: { type: 4, id: 4242 }, theirs: { cmd: "puback", messageId: 4242 } },
  { name: "PINGREQ", ours: { type: 12 }, theirs: { cmd: "pingreq" } },
  {
    name: "CONNECT",
    ours: {
      type: 1,
      clientId: "pinwire-esp32-0a1b2c",
      clean: true,
      keepalive: 60,
      username: "board",
      password: payload(12),
      will: { topic: "pinwire/board-7/status", payload: payload(7), qos: 1, retain: true },
    },
    theirs: {
      cmd: "connect",
      protocolId: "MQTT",
      protocolVersion: 4,
      clientId: "pinwire-esp32-0a1b2c",
      clean: true,
      keepalive: 60,
      username: "board",
      password: Buffer.from(payload(12)),
      will: { topic: "pinwire/board-7/status", payload: Buffer.from(payload(7)), qos: 1, retain: true },
    },
  },
  {
    name: "SUBSCRIBE",
    ours: {
      type: 8,
      id: 17,
      subs: [
        { topic: "pinwire/board-7/control/#", qos: 1 },
        { topic: "pinwire/+/status", qos: 0 },
        { topic: "pinwire/broadcast", qos: 2 },
      ],
    },
    theirs: {
      cmd: "subscribe",
      messageId: 17,
      subscriptions: [
        { topic: "pinwire/board-7/control/#", qos: 1 },
        { topic: "pinwire/+/status", qos: 0 },
        { topic: "pinwire/broadcast", qos: 2 },
      ],
    } as mqttPacket.ISubscribePacket,
  },
];

let sink = 0;

// Runs fn in batches until ms have passed; returns ops/s.
function rate(fn: () => void, ms: number): number {
  let ops = 0;
  let batch = 16;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    for (let i = 0; i < batch; i++) fn();
    ops += batch;
    t = performance.now();
    if (t - t0 < ms / 20) batch *= 2;
  }
  return (ops * 1000) / (t - t0);
}

const median = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[xs.length >> 1];

// Alternates ours and theirs in short slices so drift (GC, other load on the machine) hits
// both alike; reports medians over the slices, the ratio taken slice pair by slice pair.
function compare(ours: () => void, theirs: () => void): [number, number, number] {
  rate(ours, 50);
  rate(theirs, 50);
  const a: number[] = [];
  const b: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < 9; i++) {
    a.push(rate(ours, 30));
    b.push(rate(theirs, 30));
    ratios.push(a[i] / b[i]);
  }
  return [median(a), median(b), median(ratios)];
}

function fmt(n: number): string {
  return n >= 1e6 ? (n / 1e6).toFixed(2) + "M" : n >= 1e3 ? (n / 1e3).toFixed(1) + "k" : n.toFixed(0);
}

function geomean(xs: number[]): number {
  return Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
}

function row(kind: string, name: string, theirsName: string, r: [number, number, number]): number {
  const ratio = r[2];
  console.log(`${kind.padEnd(9)}${name.padEnd(22)}ours ${fmt(r[0]).padStart(8)} ops/s   ${theirsName.padEnd(14)} ${fmt(r[1]).padStart(8)} ops/s   ${ratio.toFixed(2)}x`);
  return ratio;
}

// The sink both sides write into for the writeToStream comparison: what a Writable does with a
// write before it reaches the socket (strings become bytes; Buffers pass as they are).
const stream = {
  bytes: 0,
  write(chunk: Uint8Array | string, enc?: BufferEncoding): boolean {
    this.bytes += (typeof chunk === "string" ? Buffer.from(chunk, enc) : chunk).length;
    return true;
  },
};

// The cases the generator must beat both of mqtt-packet's APIs by 1.5x on.
const TARGETS = ["PUBLISH QoS 0 16 B", "PUBLISH QoS 0 256 B", "PUBLISH QoS 0 1 KB", "PUBLISH QoS 1 16 B", "PUBLISH QoS 1 256 B", "PUBLISH QoS 1 1 KB", "PUBACK", "PINGREQ", "SUBSCRIBE"];

async function main(): Promise<void> {
  const parseRatios: number[] = [];
  const genRatios: number[] = [];
  const targetRatios: [string, number][] = [];
  for (const c of CASES) {
    const wire = encode(c.ours);
    const buf = Buffer.from(mqttPacket.generate(c.theirs));
    if (Buffer.compare(Buffer.from(wire), buf) !== 0) throw new Error(c.name + ": encodings differ");
    const before = stream.bytes;
    mqttPacket.writeToStream(c.theirs, stream as unknown as NodeJS.WritableStream);
    if (stream.bytes - before !== buf.length) throw new Error(c.name + ": writeToStream wrote " + (stream.bytes - before) + " bytes");
    const ourParser = new MqttParser(ALL_DECODERS);
    const theirParser = mqttPacket.parser({ protocolVersion: 4 });
    theirParser.on("packet", (p: mqttPacket.Packet) => {
      sink += p.length || 0;
    });
    theirParser.on("error", (e: Error) => {
      throw e;
    });
    parseRatios.push(
      row(
        "parse",
        c.name,
        "parser",
        compare(
          () => {
            sink += ourParser.push(wire).length;
          },
          () => {
            theirParser.parse(buf);
          },
        ),
      ),
    );
    const vsGenerate = row(
      "generate",
      c.name,
      "generate()",
      compare(
        () => {
          sink += encode(c.ours).length;
        },
        () => {
          sink += mqttPacket.generate(c.theirs).length;
        },
      ),
    );
    const vsStream = row(
      "generate",
      c.name,
      "writeToStream",
      compare(
        () => {
          stream.write(encode(c.ours));
        },
        () => {
          mqttPacket.writeToStream(c.theirs, stream as unknown as NodeJS.WritableStream);
        },
      ),
    );
    const vsFastest = Math.min(vsGenerate, vsStream);
    genRatios.push(vsFastest);
    if (TARGETS.includes(c.name)) targetRatios.push([c.name, vsFastest]);
  }
  const worst = targetRatios.reduce((a, b) => (b[1] < a[1] ? b : a));
  console.log(
    `generate against the faster mqtt-packet API: geometric mean ${geomean(genRatios).toFixed(2)}x over all cases; ` +
      `PUBLISH 16 B-1 KB, PUBACK, PINGREQ, SUBSCRIBE: ${geomean(targetRatios.map((t) => t[1])).toFixed(2)}x, lowest ${worst[1].toFixed(2)}x (${worst[0]})`,
  );
  const codec = await deviceSize("bench/device-codec.ts");
  const base = await deviceSize("bench/device-base.ts");
  const core = await deviceSize("bench/device-core.ts");
  const client = await deviceSize("bench/client-size-entry.ts");
  console.log(
    `board: codec as the client uses it ${codec.bytes} bytes (${codec.bytes - base.bytes} own + ${base.bytes} shared bytes/errors helpers)` +
      `; MQTT client + WebSocket client ${core.bytes} bytes` +
      ` (client state machine ${client.bytes - codec.bytes}, WebSocket client ${core.bytes - client.bytes} on top of the MQTT side)`,
  );
  if (sink === 42) console.log("");
  console.log(`codec: parse ${geomean(parseRatios).toFixed(2)}x generate ${geomean(genRatios).toFixed(2)}x mqtt-packet (fastest API); device core ${core.bytes} bytes`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
