// The board against Debian's mosquitto as an external broker process (TCP and WebSocket
// listeners on loopback): announce, command round trip, error report, will.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVO_ANGLE, referencePins } from "./helpers/reference-app";
import { angle, bootBoard, hex, Watcher } from "./device-harness";
import { startMosquitto, type Mosquitto } from "./host-helpers";
import { hostCode } from "../shared/error-text";

const REF = referencePins("esp8266");

let mosq: Mosquitto;
let w: Watcher;

beforeAll(async () => {
  mosq = await startMosquitto();
  w = await Watcher.connect("mqtt://127.0.0.1:" + mosq.port);
});

afterAll(async () => {
  await w.close();
  await mosq.stop();
});

describe("board against mosquitto", () => {
  for (const via of ["tcp", "websocket"] as const)
    it("over " + via + ": online, commands, error report, will offline", async () => {
      const id = "mq-" + via;
      const broker = via === "tcp" ? "mqtt://127.0.0.1:" + mosq.port : "ws://127.0.0.1:" + mosq.wsPort + "/mqtt";
      let from = w.msgs.length;
      const r = await bootBoard({ id, broker });
      let closed = false;
      try {
        await w.next((m) => m.topic === "pinwire/" + id + "/status" && m.payload.toString() === "online", from);
        await w.publish("pinwire/" + id + "/cmd", hex("0d0000003c000000"));
        await w.state(id, SERVO_ANGLE, 60, from);
        expect(angle(r.board)).toBe(60);
        await r.board.encoder.turn(2, REF.encoder);
        await w.state(id, SERVO_ANGLE, 62, from);
        await w.publish("pinwire/" + id + "/cmd", hex("0d"));
        const e = await w.next((m) => m.topic === "pinwire/" + id + "/error", from);
        expect(hostCode(JSON.parse(e.payload.toString()).code)).toBe("msg-length");
        from = w.msgs.length;
        await r.close();
        closed = true;
        await w.next((m) => m.topic === "pinwire/" + id + "/status" && m.payload.toString() === "offline", from);
      } finally {
        if (!closed) await r.close();
      }
    });
});
