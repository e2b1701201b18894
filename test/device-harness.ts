// Rig for the device suites: the real board bundle (dist/device/<board>/app.js, built by the
// global setup) on the VirtualBoard, the suites' restartable in-process Aedes (helpers/broker.ts),
// and an MQTT watcher that lets a test await a message.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { moduleFiles, root } from "../scripts/device-bundle.mjs";
import { VirtualBoard, PROFILES, type BoardName, type VirtualBoardOptions } from "../host/vboard";
import { afterAll, beforeAll } from "vitest";
import { tempDir } from "./host-helpers";
import { startAedes, type TestBroker } from "./helpers/broker";
import { referencePins } from "./helpers/reference-app";

// A throwaway self-signed certificate for 127.0.0.1 (the board does not verify without a CA).
export function selfSigned(): { cert: Buffer; key: Buffer } {
  const { dir, cleanup } = tempDir("pinwire-cert-");
  try {
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-keyout", join(dir, "k.pem"), "-out", join(dir, "c.pem")], { stdio: "ignore" });
    return { cert: readFileSync(join(dir, "c.pem")), key: readFileSync(join(dir, "k.pem")) };
  } finally {
    cleanup();
  }
}

// The suites' one broker (helpers/broker.ts): restartable on its ports, TLS with `tls`.
export { startAedes, type TestBroker } from "./helpers/broker";

export interface Msg {
  topic: string;
  payload: Buffer;
  retain: boolean;
}

// An MQTT client on the broker that records everything under pinwire/#.
export class Watcher {
  msgs: Msg[] = [];
  private checks: Array<() => void> = [];
  constructor(readonly c: MqttClient) {
    c.on("message", (topic, payload, p) => {
      this.msgs.push({ topic, payload, retain: p.retain });
      for (const f of this.checks.slice()) f();
    });
  }

  static async connect(url: string, filter = "pinwire/#", opts: mqtt.IClientOptions = {}): Promise<Watcher> {
    const c = await mqtt.connectAsync(url, { reconnectPeriod: 200, connectTimeout: 5000, ...opts });
    const w = new Watcher(c);
    await c.subscribeAsync(filter, { qos: 1 });
    c.on("connect", () => void c.subscribe(filter, { qos: 1 }));
    return w;
  }

  // The first message from index `from` on that matches.
  next(pred: (m: Msg) => boolean, from = 0, timeoutMs = 10000): Promise<Msg> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.checks.splice(this.checks.indexOf(check), 1);
        reject(new Error("no matching message; got " + this.msgs.slice(from).map((m) => m.topic + " " + m.payload.toString("hex")).join(", ")));
      }, timeoutMs);
      const check = (): boolean => {
        for (let i = from; i < this.msgs.length; i++)
          if (pred(this.msgs[i])) {
            clearTimeout(t);
            this.checks.splice(this.checks.indexOf(check), 1);
            resolve(this.msgs[i]);
            return true;
          }
        return false;
      };
      this.checks.push(check);
      check();
    });
  }

  // The next state report of board `id` whose last message is (cmd, value).
  state(id: string, cmd: number, value: number, from = this.msgs.length): Promise<Msg> {
    const topic = "pinwire/" + id + "/state";
    return this.next((m) => m.topic === topic && lastMsg(m.payload)?.cmd === cmd && lastMsg(m.payload)?.value === value, from);
  }

  // The retained snapshot (32 bytes) of board `id` whose last message is (cmd, value): the
  // last thing a change or command makes the board send. Take a new `from` only after it, or a
  // reply still in flight from the earlier command lands past the marker.
  settled(id: string, cmd: number, value: number, from = this.msgs.length): Promise<Msg> {
    const topic = "pinwire/" + id + "/state";
    return this.next((m) => m.topic === topic && m.payload.length === 32 && lastMsg(m.payload)?.cmd === cmd && lastMsg(m.payload)?.value === value, from);
  }

  publish(topic: string, payload: Buffer | string): Promise<unknown> {
    return this.c.publishAsync(topic, payload, { qos: 1 });
  }

  close(): Promise<void> {
    return this.c.endAsync(true);
  }
}

// The last 8-byte message of a state payload (the changed one: see device/app.ts).
export function lastMsg(p: Buffer): { cmd: number; value: number } | null {
  if (p.length < 8 || p.length % 8) return null;
  return { cmd: p[p.length - 8], value: p.readInt32LE(p.length - 4) };
}

// Every message of a state payload, cmd -> value.
export function stateOf(p: Buffer): Record<number, number> {
  const r: Record<number, number> = {};
  for (let i = 0; i + 8 <= p.length; i += 8) r[p[i]] = p.readInt32LE(i + 4);
  return r;
}

export interface Rig {
  board: VirtualBoard;
  // Everything the board printed so far.
  out(): string;
  close(): Promise<void>;
}

// Flashes the reference app's bundle as .bootcde, its Storage modules (pw.ota, pw.ws) plus
// pinwire.json (null: none; a string: written as is) and boots. The app's default pins per board
// are the virtual board's wiring. `modules`: which Storage modules to write (default all).
export async function bootBoard(config: object | string | null, name: BoardName = "esp8266", opts: Partial<VirtualBoardOptions> = {}, modules?: string[]): Promise<Rig> {
  const { dir, cleanup } = tempDir("pinwire-dev-");
  let text = "";
  const board = new VirtualBoard({ board: name, storageDir: dir, console: (t) => (text += t), ...opts });
  board.storage.write(".bootcde", readFileSync(join(root, "dist", "device", name, "app.js")));
  for (const f of moduleFiles(name)) if (!modules || modules.includes(f.name)) board.storage.write(f.name, f.data);
  if (config !== null) {
    const c = typeof config === "string" ? config : JSON.stringify(config);
    board.storage.write("pinwire.json", Buffer.from(c, "latin1"));
  }
  await board.boot();
  return {
    board,
    out: () => text,
    async close() {
      await board.stop();
      cleanup();
    },
  };
}

// Servo angle as the vboard measures it from the PWM, rounded to a degree.
export function angle(board: VirtualBoard, pin = referencePins("esp8266").servo): number | undefined {
  const a = board.servoAngle(pin);
  return a === undefined ? undefined : Math.round(a);
}

export function hex(h: string): Buffer {
  return Buffer.from(h, "hex");
}

// A suite's in-process Aedes and a Watcher on every topic: started before its tests, stopped
// after. `use` hands both to the suite's own variables.
export function useAedes(use: (broker: TestBroker, w: Watcher) => void): void {
  let broker: TestBroker;
  let w: Watcher;
  beforeAll(async () => {
    broker = await startAedes();
    w = await Watcher.connect("mqtt://127.0.0.1:" + broker.port);
    use(broker, w);
  });
  afterAll(async () => {
    await w.close();
    await broker.close();
  });
}
