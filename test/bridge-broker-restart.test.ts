// Commands across broker restarts: Debian's mosquitto killed with -9 and restarted three times
// while a viewer sends commands at 200/s to the real esp8266 bundle on the virtual board (through
// a TCP proxy that counts the commands the board receives and can hold the board back). The
// last restart ends the stream while the board is still away, then an MQTT client publishes one
// more command at QoS 1 (the broker acknowledges it) before the board is let back: the board
// must end in the state of the last command of each kind (latest value wins; see
// host/README.md, "Commands").
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import net, { type AddressInfo } from "node:net";
import mqttPacket from "mqtt-packet";
import { LED_SET, SERVO_ROTATE, encodeMessage } from "../shared/messages";
import type { Service } from "../host/bridge/service";
import { angle, bootBoard, Watcher, type Rig } from "./device-harness";
import { Collector, freePort, startMosquitto, startTestService, waitDevice, wsUrl, type Mosquitto } from "./host-helpers";

const ID = "restart1";
const CMD_TOPIC = "pinwire/" + ID + "/cmd";
const RATE = 200; // commands per second
const EPOCH = 400; // commands the board receives between restarts (about 2 s)

// Between the board and the broker: counts cmd PUBLISHes the broker delivers to the board, tells
// when the board has subscribed on a new connection, and while held keeps new connections
// waiting (their bytes buffered) instead of passing them on.
class BoardProxy {
  port = 0;
  delivered = 0;
  private held: (() => void)[] | null = null;
  private subscribed: (() => void)[] = [];
  private server: net.Server;
  private socks = new Set<net.Socket>();

  constructor(private target: number) {
    this.server = net.createServer((inb) => this.accept(inb));
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", () => r()));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  hold(): void {
    this.held = [];
  }

  release(): void {
    const h = this.held ?? [];
    this.held = null;
    for (const f of h) f();
  }

  // The next SUBACK the broker sends the board (its cmd subscription on a new connection).
  nextSubscribe(): Promise<void> {
    return new Promise((r) => this.subscribed.push(r));
  }

  private accept(inb: net.Socket): void {
    inb.setNoDelay(true);
    this.socks.add(inb);
    const early: Buffer[] = [];
    let up: net.Socket | null = null;
    const end = () => {
      inb.destroy();
      up?.destroy();
    };
    inb.on("data", (d) => (up ? up.write(d) : early.push(d)));
    inb.on("close", () => (this.socks.delete(inb), end()));
    inb.on("error", end);
    const connect = () => {
      if (inb.destroyed) return;
      up = net.connect(this.target, "127.0.0.1");
      up.setNoDelay(true);
      for (const b of early.splice(0)) up.write(b);
      const parser = mqttPacket.parser({ protocolVersion: 4 });
      parser.on("packet", (p: any) => {
        if (p.cmd === "publish" && p.topic === CMD_TOPIC) this.delivered++;
        if (p.cmd === "suback") for (const r of this.subscribed.splice(0)) r();
      });
      parser.on("error", () => {});
      up.on("data", (d) => {
        parser.parse(d);
        inb.write(d);
      });
      up.on("close", end);
      up.on("error", end);
    };
    if (this.held) this.held.push(connect);
    else connect();
  }

  close(): Promise<void> {
    for (const s of this.socks) s.destroy();
    return new Promise((r) => this.server.close(() => r()));
  }
}

// Commands at `rate` per second, alternating SERVO_ROTATE (0..179) and LED_SET (0..99) with
// changing values: 180 and 100 are left for the final commands, so they can be told apart.
function commandStream(viewer: Collector, rate: number) {
  const t0 = Date.now();
  let sent = 0;
  const timer = setInterval(() => {
    const due = Math.floor(((Date.now() - t0) * rate) / 1000);
    for (; sent < due; sent++) {
      const k = sent >> 1;
      viewer.ws.send(sent % 2 === 0 ? encodeMessage(SERVO_ROTATE, (k * 7) % 180) : encodeMessage(LED_SET, (k * 13) % 100));
    }
  }, 10);
  return {
    sent: () => sent,
    stop: () => clearInterval(timer),
  };
}

let ports: { port: number; wsPort: number };
let mosq: Mosquitto;
let proxy: BoardProxy;
let svc: Service;
let rig: Rig;
let viewer: Collector;
let w: Watcher;

beforeAll(async () => {
  ports = { port: await freePort(), wsPort: await freePort() };
  mosq = await startMosquitto("", ports);
  proxy = await new BoardProxy(ports.port).start();
  svc = await startTestService({ broker: "mqtt://127.0.0.1:" + ports.port, discovery: false });
  rig = await bootBoard({ id: ID, broker: "mqtt://127.0.0.1:" + proxy.port });
  await waitDevice(svc, ID, (d) => d.status === "online" && d.state.servo === 90);
  viewer = await new Collector(wsUrl(svc, "/ws/" + ID)).open();
  w = await Watcher.connect("mqtt://127.0.0.1:" + ports.port, "pinwire/+/cmd");
});

afterAll(async () => {
  await viewer?.close();
  await w?.close();
  await rig?.close();
  await svc?.close();
  await proxy?.close();
  await mosq?.stop();
});

async function killBroker(): Promise<void> {
  const gone = new Promise((r) => mosq.proc.once("exit", r));
  mosq.proc.kill("SIGKILL");
  await gone;
  await mosq.stop(); // its temp dir
}

describe("commands across mosquitto kill -9 and restart", () => {
  it("the board ends in the state of the last command sent, and commands keep flowing after each restart", { timeout: 120000 }, async () => {
    const stream = commandStream(viewer, RATE);
    const perEpoch: number[] = [];
    let mark = proxy.delivered;
    for (let r = 1; r <= 3; r++) {
      // Commands are reaching the board in this epoch.
      await expect.poll(() => proxy.delivered - mark, { timeout: 30000, interval: 20 }).toBeGreaterThanOrEqual(EPOCH);
      perEpoch.push(proxy.delivered - mark);
      if (r === 3) proxy.hold();
      await killBroker();
      const back = proxy.nextSubscribe();
      const from = w.msgs.length;
      mosq = await startMosquitto("", ports);
      mark = proxy.delivered;
      if (r < 3) {
        await back;
        continue;
      }
      // The bridge is back and publishing the stream; the board is not.
      await w.next((m) => m.topic === CMD_TOPIC, from, 30000);
      const more = w.msgs.length;
      await w.next(() => w.msgs.length - more >= 20, more, 30000);
      stream.stop();
      // The viewer's last commands, then (once the broker has passed them on) one from a plain
      // MQTT client, acknowledged by the broker (PUBACK): the last LED_SET sent.
      const lastServo = Buffer.from(encodeMessage(SERVO_ROTATE, 180));
      const lastLed = Buffer.from(encodeMessage(LED_SET, 100));
      viewer.ws.send(lastServo);
      viewer.ws.send(lastLed);
      await w.next((m) => m.topic === CMD_TOPIC && lastServo.equals(m.payload), more, 30000);
      await w.next((m) => m.topic === CMD_TOPIC && lastLed.equals(m.payload), more, 30000);
      await w.c.publishAsync(CMD_TOPIC, Buffer.from(encodeMessage(LED_SET, 37)), { qos: 1 });
      expect(proxy.delivered).toBe(mark);
      proxy.release();
      await back;
    }
    const servo = 180;
    const settled = waitDevice(svc, ID, (d) => d.state.servo === servo && d.state.mode === 37).then(() => true);
    const late = new Promise<boolean>((r) => setTimeout(() => r(false), 20000).unref());
    // 20 s: far beyond the board's reconnect and one command round trip.
    expect(await Promise.race([settled, late]), "board state " + JSON.stringify(svc.bridge.device(ID)?.state)).toBe(true);
    expect(angle(rig.board)).toBe(servo);
    expect(rig.board.ledDuty()).toBeCloseTo(0.37, 5);
    expect(svc.bridge.unconfirmed(ID)).toEqual([]);
    expect(perEpoch.every((n) => n >= EPOCH)).toBe(true);
  });
});
