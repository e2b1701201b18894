// The board's other links on Espruino 2v29 itself, laid out as `pinwire flash` writes it: the
// binary WebSocket gateway (pw.ws) on the ESP8266 pool, MQTT over WebSocket on the ESP32 pool,
// and a broker that goes away and comes back (the board backs off, then resubscribes).
import { afterEach, describe, expect, it } from "vitest";
import { startAedes, Watcher } from "../device-harness";
import { startTestService, waitDevice, wsUrl } from "../host-helpers";
import { bootReal, load, type RealBoard, realConfig } from "./board-rig";

const msg = (cmd: number, v: number) => {
  const b = Buffer.alloc(8);
  b[0] = cmd;
  b.writeInt32LE(v, 4);
  return b;
};
const SERVO_ANGLE = 12;
const SERVO_ROTATE = 13;
const isAngle = (p: Buffer, v: number) => p.length === 8 && p[0] === SERVO_ANGLE && p.readInt32LE(4) === v;

let board: RealBoard | null = null;
afterEach(async () => {
  await board?.close();
  board = null;
});

describe("links on the real interpreter", () => {
  it("ESP8266 pool, gateway mode: announces its app over /ws/<id> and takes commands", async () => {
    const svc = await startTestService();
    const w = await Watcher.connect(svc.mqttUrl);
    try {
      board = await bootReal("esp8266", realConfig({ id: "rgw", gateway: wsUrl(svc, "/ws/rgw") }));
      await waitDevice(svc, "rgw", (d) => d.status === "online" && d.app?.name === "servo-light" && d.values.SERVO_ANGLE === 90);
      const m = await board.memory();
      console.log(`esp8266 pool, gateway mode (pw.ws loaded): ${m.free} of ${m.total} JsVars free after connect (load ${load()})`);
      for (const v of [10, 170, 45]) {
        await w.publish("pinwire/rgw/cmd", msg(SERVO_ROTATE, v));
        await waitDevice(svc, "rgw", (d) => d.values.SERVO_ANGLE === v);
      }
      await w.publish("pinwire/rgw/cmd", JSON.stringify({ control: "SERVO", value: 77 }));
      await waitDevice(svc, "rgw", (d) => d.values.SERVO_ANGLE === 77);
    } finally {
      await w.close();
      await svc.close();
    }
  }, 60000);

  it("ESP32 pool, MQTT over WebSocket: online, commands, reports", async () => {
    const broker = await startAedes();
    const w = await Watcher.connect("mqtt://127.0.0.1:" + broker.port);
    try {
      board = await bootReal("esp32", realConfig({ id: "rws", broker: "ws://127.0.0.1:" + broker.wsPort + "/mqtt" }));
      await w.next((m) => m.topic === "pinwire/rws/status" && m.payload.toString() === "online", 0, 20000);
      await w.next((m) => m.topic === "pinwire/rws/state" && m.payload.length > 8, 0, 20000);
      const m = await board.memory();
      console.log(`esp32 pool, MQTT over WebSocket (pw.ws loaded): ${m.free} of ${m.total} JsVars free after connect (load ${load()})`);
      for (const v of [33, 144]) {
        const from = w.msgs.length;
        await w.publish("pinwire/rws/cmd", msg(SERVO_ROTATE, v));
        await w.next((x) => x.topic === "pinwire/rws/state" && isAngle(x.payload, v), from, 10000);
      }
    } finally {
      await w.close();
      await broker.close();
    }
  }, 60000);

  it("ESP8266 pool: a broker that goes away is retried with backoff, and on its return the board resubscribes", async () => {
    const broker = await startAedes();
    const w = await Watcher.connect("mqtt://127.0.0.1:" + broker.port);
    try {
      board = await bootReal("esp8266", realConfig({ id: "rrs", broker: "mqtt://127.0.0.1:" + broker.port }));
      await w.next((m) => m.topic === "pinwire/rrs/status" && m.payload.toString() === "online", 0, 20000);
      await broker.stop();
      const mark = board.e.mark;
      const t0 = Date.now();
      // About 10 s away: a refused connect is logged once per attempt (tcp.ts).
      await board.e.waitFor(/(tcp 127\.0\.0\.1:\d+ [^\n]*\n[\s\S]*){4}/, 20000, mark);
      const away = (Date.now() - t0) / 1000;
      const attempts = (board.e.output(mark).match(/tcp 127\.0\.0\.1:\d+ /g) || []).length;
      console.log(`esp8266 pool: ${attempts} connect attempts in ${away.toFixed(1)} s with the broker away (load ${load()})`);
      // Backoff 1, 2, 4, 8 s (halved to doubled by jitter): four attempts take at least 3.5 s,
      // where a board retrying every tick would have made forty.
      expect(away).toBeGreaterThan(3.5);
      const from = w.msgs.length;
      await broker.start();
      await w.next((m) => m.topic === "pinwire/rrs/status" && m.payload.toString() === "online", from, 40000);
      // A fresh broker forgot the subscription: a command works again.
      const f2 = w.msgs.length;
      await w.publish("pinwire/rrs/cmd", msg(SERVO_ROTATE, 12));
      await w.next((x) => x.topic === "pinwire/rrs/state" && isAngle(x.payload, 12), f2, 10000);
    } finally {
      await w.close();
      await broker.close();
    }
  }, 90000);
});
