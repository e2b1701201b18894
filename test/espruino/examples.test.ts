// The example apps on Espruino 2v29 itself (ESP8266 pool), each built by `pinwire build`'s
// builder and laid out as `pinwire flash` lays it out: sensor-struct in gateway mode (its
// pinwire.json's link) reporting the 36-byte struct, decoded by the host from the catalogue;
// button-relay over MQTT taking RELAY commands. The Linux build's pins do nothing and its
// analogRead prints an error, so the sensor is left out (pins: {sensor: null}) and the button is
// not pressed here (test/example-*.test.ts press it on the virtual board). Prints free JsVars
// after connect with the machine's load.
import { afterEach, describe, expect, it } from "vitest";
import { flashFiles } from "../../flash/usb";
import { runtimeModules } from "../../host/app/build";
import { startAedes, Watcher } from "../device-harness";
import { startTestService, waitDevice, wsUrl } from "../host-helpers";
import { buildExample } from "../helpers/examples";
import { load } from "./board-rig";
import { Espruino } from "./interpreter";

let e: Espruino | null = null;
afterEach(async () => {
  await e?.close();
  e = null;
});

async function boot(name: "sensor-struct" | "button-relay", config: object): Promise<Espruino> {
  const b = await buildExample(name, "esp8266");
  const files = await flashFiles("esp8266", config, b.code, await runtimeModules("esp8266"));
  e = await Espruino.start("esp8266");
  await e.writeFiles(files);
  await e.boot();
  return e;
}

const msg = (cmd: number, v: number) => {
  const b = Buffer.alloc(8);
  b[0] = cmd;
  b.writeInt32LE(v, 4);
  return b;
};

describe("the examples on the ESP8266 pool", () => {
  it("sensor-struct, gateway mode: READING every second decoded by the host; PERIOD taken", async () => {
    const svc = await startTestService();
    const w = await Watcher.connect(svc.mqttUrl);
    try {
      const id = "rss";
      const board = await boot("sensor-struct", { id, gateway: wsUrl(svc, "/ws/" + id), pins: { sensor: null } });
      const reading = () => svc.bridge.device(id)?.values.READING as { id: number; v1: number; v2: number; v3: number; v4: string } | undefined;
      await waitDevice(svc, id, (d) => d.status === "online" && d.app?.name === "sensor-struct" && (reading()?.id ?? 0) >= 2);
      const first = reading()!;
      expect(first).toMatchObject({ v1: -1, v2: -1, v4: "no sensor" });
      await waitDevice(svc, id, () => (reading()?.id ?? 0) >= first.id + 2);
      expect(reading()!.v3 - first.v3).toBeGreaterThanOrEqual(1980);
      const m = await board.memory();
      console.log(`sensor-struct on the esp8266 pool, gateway mode: ${m.free} of ${m.total} JsVars free after connect, reporting (load ${load()})`);
      expect(m.free).toBeGreaterThan(300);
      await w.publish("pinwire/" + id + "/cmd", msg(21, 5000));
      await waitDevice(svc, id, (d) => d.values.PERIOD === 5000);
      await waitDevice(svc, id, (d) => d.log.some((l) => l.text === "sensor-struct: a reading every 5000 ms"));
      expect(board.output()).not.toContain("Uncaught");
    } finally {
      await w.close();
      await svc.close();
    }
  }, 90000);

  it("button-relay, MQTT: online, RELAY commands switch it and are reported", async () => {
    const broker = await startAedes();
    const w = await Watcher.connect(broker.url);
    try {
      const id = "rbr";
      const board = await boot("button-relay", { id, broker: broker.url });
      const relayIs = (v: number) => (m: { topic: string; payload: Buffer }) => m.topic === "pinwire/" + id + "/state" && m.payload.length === 8 && m.payload[0] === 30 && m.payload.readInt32LE(4) === v;
      await w.next((m) => m.topic === "pinwire/" + id + "/log" && m.payload.toString() === "button-relay started", 0, 30000);
      await w.next((m) => m.topic === "pinwire/" + id + "/info" && JSON.parse(m.payload.toString()).app === "button-relay", 0, 30000);
      const mem = await board.memory();
      console.log(`button-relay on the esp8266 pool, MQTT: ${mem.free} of ${mem.total} JsVars free after connect (load ${load()})`);
      expect(mem.free).toBeGreaterThan(500);
      for (const v of [1, 0, 1]) {
        const from = w.msgs.length;
        await w.publish("pinwire/" + id + "/cmd", msg(30, v));
        await w.next(relayIs(v), from, 15000);
      }
      expect(board.output()).not.toContain("Uncaught");
    } finally {
      await w.close();
      await broker.close();
    }
  }, 90000);
});
