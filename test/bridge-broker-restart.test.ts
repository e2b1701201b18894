// Commands across broker restarts: Debian's mosquitto killed with -9 and restarted three times
// while a viewer sends commands at 200/s to a servo-light board (through the suites' proxy,
// which counts the commands the board receives and can hold the board back). The last restart
// ends the stream while the board is still away, then an MQTT client publishes one more
// command at QoS 1 (the broker acknowledges it) before the board is let back: the board must
// end in the state of the last command of each kind (latest value wins; see host/README.md,
// "Commands").
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import type { MessageTable } from "../shared/catalogue";
import type { Service } from "../host/bridge/service";
import { Watcher } from "./device-harness";
import { Collector, freePort, startMosquitto, startTestService, waitDevice, wsUrl, type Mosquitto } from "./host-helpers";
import { startTestBoard, tableOf, type TestBoard } from "./helpers/boards";
import { startProxy, type Proxy } from "./helpers/proxy";

const ID = "restart1";
const CMD_TOPIC = "pinwire/" + ID + "/cmd";
const RATE = 200; // commands per second
const EPOCH = 400; // commands the board receives between restarts (about 2 s)

let sl: MessageTable;
const msg = (name: string, v: number) => Buffer.from(sl.encode(sl.byName.get(name)!, v));

// The proxy between the board and the broker, counting the cmd PUBLISHes the broker delivers
// to the board and telling when the board has subscribed on a new connection.
let delivered = 0;
let subscribed: (() => void)[] = [];
const nextSubscribe = () => new Promise<void>((r) => subscribed.push(r));

// Commands at `rate` per second, alternating SERVO_ROTATE (0..179) and LED_SET (0..99) with
// changing values: 180 and 100 are left for the final commands, so they can be told apart.
function commandStream(viewer: Collector, rate: number) {
  const t0 = Date.now();
  let sent = 0;
  const timer = setInterval(() => {
    const due = Math.floor(((Date.now() - t0) * rate) / 1000);
    for (; sent < due; sent++) {
      const k = sent >> 1;
      viewer.ws.send(sent % 2 === 0 ? msg("SERVO_ROTATE", (k * 7) % 180) : msg("LED_SET", (k * 13) % 100));
    }
  }, 10);
  return {
    sent: () => sent,
    stop: () => clearInterval(timer),
  };
}

let ports: { port: number; wsPort: number };
let mosq: Mosquitto;
let proxy: Proxy;
let svc: Service;
let board: TestBoard;
let viewer: Collector;
let w: Watcher;

beforeAll(async () => {
  sl = await tableOf("servo-light");
  ports = { port: await freePort(), wsPort: await freePort() };
  mosq = await startMosquitto("", ports);
  proxy = await startProxy(ports.port, { mqtt: true });
  proxy.rule = (dir, p) => {
    if (dir === "down" && p.cmd === "publish" && p.topic === CMD_TOPIC) delivered++;
    if (dir === "down" && p.cmd === "suback") for (const r of subscribed.splice(0)) r();
    return "pass";
  };
  svc = await startTestService({ broker: "mqtt://127.0.0.1:" + ports.port, discovery: false });
  board = await startTestBoard({ id: ID, broker: "mqtt://127.0.0.1:" + proxy.port, app: "servo-light", reconnect: true });
  await waitDevice(svc, ID, (d) => d.status === "online" && d.values.SERVO_ANGLE === 90);
  viewer = await new Collector(wsUrl(svc, "/ws/" + ID)).open();
  w = await Watcher.connect("mqtt://127.0.0.1:" + ports.port, "pinwire/+/cmd");
});

afterAll(async () => {
  await viewer?.close();
  await w?.close();
  await board?.stop();
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
    let mark = delivered;
    for (let r = 1; r <= 3; r++) {
      // Commands are reaching the board in this epoch.
      await expect.poll(() => delivered - mark, { timeout: 30000, interval: 20 }).toBeGreaterThanOrEqual(EPOCH);
      perEpoch.push(delivered - mark);
      if (r === 3) proxy.hold();
      await killBroker();
      const back = nextSubscribe();
      const from = w.msgs.length;
      mosq = await startMosquitto("", ports);
      mark = delivered;
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
      const lastServo = msg("SERVO_ROTATE", 180);
      const lastLed = msg("LED_SET", 100);
      viewer.ws.send(lastServo);
      viewer.ws.send(lastLed);
      await w.next((m) => m.topic === CMD_TOPIC && lastServo.equals(m.payload), more, 30000);
      await w.next((m) => m.topic === CMD_TOPIC && lastLed.equals(m.payload), more, 30000);
      await w.c.publishAsync(CMD_TOPIC, msg("LED_SET", 37), { qos: 1 });
      expect(delivered).toBe(mark);
      proxy.release();
      await back;
    }
    const servo = 180;
    const settled = waitDevice(svc, ID, (d) => d.values.SERVO_ANGLE === servo && d.values.LED_SET === 37).then(() => true);
    const late = new Promise<boolean>((r) => setTimeout(() => r(false), 20000).unref());
    // 20 s: far beyond the board's reconnect and one command round trip.
    expect(await Promise.race([settled, late]), "board state " + JSON.stringify(svc.bridge.device(ID)?.values)).toBe(true);
    expect(board.value("SERVO_ANGLE")).toBe(servo);
    expect(board.value("LED_DUTY")).toBe(37);
    expect(svc.bridge.unconfirmed(ID)).toEqual([]);
    expect(perEpoch.every((n) => n >= EPOCH)).toBe(true);
  });
});
