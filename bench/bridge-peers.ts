// bench:bridge's servers and publisher: `pinwire bridge` (embedded broker + bridge + gateway)
// and Debian mosquitto, each in its own process, their CPU time from /proc, and the one paced
// MQTT publisher every target gets.
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encode } from "../shared/mqtt/generator";
import { CLIENT_DECODERS, MqttParser } from "../shared/mqtt/parser";
import { startMosquitto } from "../test/host-helpers";
import { sharedClock } from "./bridge-stats";

export interface Server {
  name: string;
  pid: number;
  mqttPort: number; // MQTT over TCP
  wsPort: number; // pinwire: HTTP (gateway /ws/<id>); mosquitto: its WebSocket listener
  stop(): Promise<void>;
}

// `pinwire bridge` as users run it, in one Node process (tsx as an import hook, so the pid is
// the server's). BENCH_PROF=<dir> adds --cpu-prof into that directory, BENCH_NODE_FLAGS more
// node flags (e.g. --trace-gc).
export async function startPinwire(): Promise<Server> {
  const home = mkdtempSync(join(tmpdir(), "pinwire-bench-"));
  const prof = process.env.BENCH_PROF ? ["--cpu-prof", "--cpu-prof-dir", process.env.BENCH_PROF] : [];
  if (process.env.BENCH_NODE_FLAGS) prof.push(...process.env.BENCH_NODE_FLAGS.split(" "));
  const proc = spawn(process.execPath, [...prof, "--import", "tsx", "host/cli.ts", "bridge", "--port", "0", "--mqtt-port", "0", "--credentials", join(home, "c.json")], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, PINWIRE_LOG: "json" },
  });
  const ready = await bridgeReady(proc);
  if (process.env.BENCH_NODE_FLAGS) proc.stdout!.pipe(process.stderr);
  else proc.stdout!.resume();
  return {
    name: "pinwire",
    pid: proc.pid!,
    mqttPort: Number(new URL(ready.mqtt).port),
    wsPort: Number(new URL(ready.http).port),
    async stop() {
      if (proc.exitCode === null) {
        const done = new Promise((r) => proc.once("exit", r));
        proc.kill("SIGINT"); // lets --cpu-prof write its profile
        await done;
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}

export async function startMosquittoServer(): Promise<Server> {
  // TCP_NODELAY on its client sockets, as pinwire's broker and gateway set it: otherwise Nagle
  // holds each small PUBLISH for the subscriber's delayed ACK (tens of ms).
  const m = await startMosquitto("set_tcp_nodelay true");
  return { name: "mosquitto", pid: m.proc.pid!, mqttPort: m.port, wsPort: m.wsPort, stop: () => m.stop() };
}

const TICK = Number(execFileSync("getconf", ["CLK_TCK"]).toString()) || 100;

// CPU seconds (user + system) the process has used so far.
export function cpuSeconds(pid: number): number {
  let stat: string;
  try {
    stat = readFileSync("/proc/" + pid + "/stat", "utf8");
  } catch {
    throw new Error("server process " + pid + " is gone (did it crash, or was it killed?)");
  }
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) / TICK;
}

// The clock bridge-subscribers.ts uses: the same in every thread.
export const clock = sharedClock();

// One MQTT client over TCP publishing the 8-byte SERVO_ANGLE message at a set rate, QoS 0, with
// the sequence number in the padding bytes and the value cycling 0..180. Messages due in one
// timer tick (1 ms) go out in one write, as a device's would after a busy moment.
export class Publisher {
  private constructor(private sock: Socket) {}

  static open(port: number, clientId: string): Promise<Publisher> {
    return new Promise((resolve, reject) => {
      const sock = connect({ host: "127.0.0.1", port });
      sock.setNoDelay(true);
      const parser = new MqttParser(CLIENT_DECODERS);
      sock.once("error", reject);
      sock.on("connect", () => sock.write(encode({ type: 1, clientId, clean: true, keepalive: 0 })));
      const onData = (b: Buffer) => {
        for (const p of parser.push(new Uint8Array(b))) {
          if (p.type !== 2) continue;
          sock.off("data", onData);
          if (p.returnCode) reject(new Error("CONNACK " + p.returnCode));
          else resolve(new Publisher(sock));
        }
      };
      sock.on("data", onData);
    });
  }

  // Publishes sequence numbers first..last at `rate` per second; sentAt[seq] gets each send time.
  // Resolves with the achieved rate.
  run(topic: string, rate: number, first: number, last: number, sentAt: Float64Array): Promise<number> {
    const template = Buffer.from(encode({ type: 3, topic, payload: new Uint8Array([12, 0, 0, 0, 0, 0, 0, 0]), qos: 0, retain: false, dup: false }));
    const len = template.length;
    const at = len - 8; // the payload
    const sock = this.sock;
    return new Promise((resolve) => {
      const t0 = performance.now();
      let seq = first;
      const tick = () => {
        const due = Math.min(last + 1, first + Math.floor(((performance.now() - t0) * rate) / 1000));
        const k = due - seq;
        if (k > 0) {
          const batch = Buffer.allocUnsafe(k * len);
          const t = clock();
          for (let j = 0; j < k; j++, seq++) {
            const o = j * len;
            template.copy(batch, o);
            batch[o + at + 1] = seq & 255;
            batch[o + at + 2] = (seq >> 8) & 255;
            batch[o + at + 3] = (seq >> 16) & 255;
            batch[o + at + 4] = seq % 181;
            sentAt[seq] = t;
          }
          sock.write(batch);
        }
        if (seq > last) {
          clearInterval(timer);
          resolve(((last - first + 1) * 1000) / (performance.now() - t0));
        }
      };
      const timer = setInterval(tick, 1);
    });
  }

  close(): Promise<void> {
    return new Promise((r) => {
      this.sock.once("close", () => r());
      this.sock.end(encode({ type: 14 }));
    });
  }
}

// The addresses a `pinwire bridge` process serves, from its JSON "ready" log line.
export function bridgeReady(proc: ChildProcess): Promise<{ http: string; mqtt: string }> {
  return new Promise((resolve, reject) => {
    let buf = "";
    const onData = (d: Buffer) => {
      buf += d;
      for (const line of buf.split("\n")) if (line.includes('"event":"ready"')) (proc.stdout!.off("data", onData), resolve(JSON.parse(line)));
    };
    proc.stdout!.on("data", onData);
    proc.once("exit", (c) => reject(new Error("pinwire bridge exited " + c)));
  });
}
