// The reference app on Espruino 2v29 itself, ESP8266 (1,700 JsVars) and ESP32 (2,500) pools, laid
// out as `pinwire flash` writes it, against a real broker (Aedes): it comes online and announces
// its app; binary and JSON commands at QoS 0, 1 and 2; 1,000 commands at 50 a second, every one
// answered, with free JsVars flat. Prints its figures with the machine's load average.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catalogueProblem } from "../../shared/catalogue";
import { startAedes, type TestBroker, Watcher } from "../device-harness";
import { bootReal, load, type BoardPool, type RealBoard, realConfig } from "./board-rig";

const SERVO_ANGLE = 12;
const SERVO_ROTATE = 13;
const LED_SET = 16;

const msg = (cmd: number, v: number) => {
  const b = Buffer.alloc(8);
  b[0] = cmd;
  b.writeInt32LE(v, 4);
  return b;
};
const reportOf = (p: Buffer) => (p.length === 8 ? { cmd: p[0], value: p.readInt32LE(4) } : null);

// The targets of the ESP8266 and ESP32 pools after boot + connect (issue: Espruino's own MQTT
// module leaves 1,087 free on the ESP8266 pool).
const FLOOR: Record<BoardPool, number> = { esp8266: 800, esp32: 1500 };

for (const pool of ["esp8266", "esp32"] as BoardPool[])
  describe(pool + " pool: the reference app over MQTT", () => {
    let broker: TestBroker;
    let w: Watcher;
    let b: RealBoard;
    const id = "real-" + pool;
    const on = (t: string) => "pinwire/" + id + "/" + t;

    beforeAll(async () => {
      broker = await startAedes();
      w = await Watcher.connect("mqtt://127.0.0.1:" + broker.port);
      b = await bootReal(pool, realConfig({ id, broker: "mqtt://127.0.0.1:" + broker.port }));
    });

    afterAll(async () => {
      await b?.close();
      await w?.close();
      await broker?.close();
    });

    it("comes online and announces itself: status, info, its catalogue, the snapshot", async () => {
      await w.next((m) => m.topic === on("status") && m.payload.toString() === "online", 0, 20000);
      const info = JSON.parse((await w.next((m) => m.topic === on("info"), 0, 20000)).payload.toString());
      expect(info).toMatchObject({ id, board: pool, app: "servo-light", hash: expect.stringMatching(/^[0-9a-f]{8}$/) });
      const app = JSON.parse((await w.next((m) => m.topic === on("app"), 0, 20000)).payload.toString());
      expect(catalogueProblem(app)).toBeNull();
      expect(app.hash).toBe(info.hash);
      // The snapshot: every report's message back to back (SERVO_ANGLE, LED_DUTY, LED_SET).
      const snap = await w.next((m) => m.topic === on("state") && m.payload.length > 8, 0, 20000);
      expect(snap.payload.length % 8).toBe(0);
      const m = await b.memory();
      console.log(`${pool} pool: ${m.free} of ${m.total} JsVars free after boot + connect (load ${load()})`);
      expect(m.free).toBeGreaterThanOrEqual(FLOOR[pool]);
    });

    it("takes commands as messages and JSON controls, at QoS 0, 1 and 2", async () => {
      let v = 20;
      for (const qos of [0, 1, 2] as const) {
        for (const json of [false, true]) {
          v += 7;
          const from = w.msgs.length;
          const payload = json ? JSON.stringify({ control: "SERVO", value: v, unit: "deg" }) : msg(SERVO_ROTATE, v);
          await w.c.publishAsync(on("cmd"), payload, { qos });
          await w.next((m) => m.topic === on("state") && reportOf(m.payload)?.cmd === SERVO_ANGLE && reportOf(m.payload)?.value === v, from, 10000);
        }
      }
      // LED_SET: the LED's duty and the mode report; a refused one: an error report.
      let from = w.msgs.length;
      await w.publish(on("cmd"), msg(LED_SET, 30));
      await w.next((m) => m.topic === on("state") && reportOf(m.payload)?.cmd === LED_SET && reportOf(m.payload)?.value === 30, from, 10000);
      from = w.msgs.length;
      await w.publish(on("cmd"), msg(SERVO_ROTATE, 999));
      const err = await w.next((m) => m.topic === on("error"), from, 10000);
      expect(JSON.parse(err.payload.toString()).code).toBeTruthy();
    });

    it("answers 1,000 commands sent at 50 a second, every one, with free JsVars flat", async () => {
      // Settle first: what the announcement queued has gone.
      const before = await b.memory();
      const from = w.msgs.length;
      let k = 0;
      const n = 1000;
      const t0 = Date.now();
      await new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          const i = k++;
          void w.c.publishAsync(on("cmd"), msg(SERVO_ROTATE, i % 180), { qos: 1 });
          if (k >= n) {
            clearInterval(timer);
            resolve();
          }
        }, 20);
      });
      // Every command gives one SERVO_ANGLE report; wait for the thousandth.
      let got = 0;
      await new Promise<void>((resolve, reject) => {
        const deadline = setTimeout(() => {
          if (process.env.PW_DUMP) require("node:fs").writeFileSync(process.env.PW_DUMP, b.e.output());
          reject(new Error("answered " + got + " of " + n));
        }, 30000);
        const check = () => {
          got = w.msgs.slice(from).filter((m) => m.topic === on("state") && reportOf(m.payload)?.cmd === SERVO_ANGLE).length;
          if (got >= n) {
            clearTimeout(deadline);
            clearInterval(poll);
            resolve();
          }
        };
        const poll = setInterval(check, 100);
      });
      const secs = (Date.now() - t0) / 1000;
      const after = await b.memory();
      console.log(`${pool} pool: ${n} commands at 50/s answered in ${secs.toFixed(1)} s; free JsVars ${before.free} before, ${after.free} after (load ${load()})`);
      expect(got).toBe(n);
      // Within what a snapshot in flight holds: a leak of one JsVar a command would show a thousand.
      expect(Math.abs(after.free - before.free)).toBeLessThanOrEqual(30);
    }, 90000);
  });
