// The app's optional parts as Storage modules (pw.ota, pw.ws): loaded only when needed, and a
// board without them still runs everything else. The real esp8266 bundle on the virtual board.
import { afterEach, describe, expect, it } from "vitest";
import { encodeMessage } from "../shared/messages";
import { SERVO_ANGLE, SERVO_ROTATE } from "./helpers/reference-app";
import { buildManifest } from "../flash/push";
import { BOOT_RUNNING, decodeBoot, decodeCaps, encodeHello, OTA_READY, otaReplyTopic, otaStatusTopic, otaTopic } from "../shared/ota";
import { bootBoard, useAedes, stateOf, Watcher, type Rig, type TestBroker } from "./device-harness";

let broker: TestBroker;
let w: Watcher;
let rig: Rig | null = null;

useAedes((b, watcher) => {
  broker = b;
  w = watcher;
});

afterEach(async () => {
  if (rig) await rig.close();
  rig = null;
});

const loaded = async (r: Rig) => (await r.board.eval("Modules.getCached()")) as string[];

// Boots board `id` on the broker over TCP and waits for its "running" OTA status.
async function online(id: string, modules?: string[]): Promise<Rig> {
  const from = w.msgs.length;
  rig = await bootBoard({ id, broker: "mqtt://127.0.0.1:" + broker.port, pins: { light: null } }, "esp8266", {}, modules);
  const s = await w.next((m) => m.topic === otaStatusTopic(id), from);
  expect(decodeBoot(s.payload)).toMatchObject({ state: BOOT_RUNNING, version: "", code: "" });
  return rig;
}

describe("Storage modules pw.ota and pw.ws", () => {
  it("a plain MQTT board reports 'running' without loading either; an OTA message loads pw.ota, which goes once idle", async () => {
    const r = await online("mod1");
    expect(await loaded(r)).toEqual([]);
    const before = (await r.board.memory()).free;
    const from = w.msgs.length;
    await w.c.publishAsync(otaTopic("mod1"), Buffer.from(encodeHello(7)));
    const caps = decodeCaps((await w.next((m) => m.topic === otaReplyTopic("mod1"), from)).payload);
    expect(caps).toMatchObject({ tag: 7, chunk: 512, window: 1 });
    // A HELLO starts no push: the module answered and was unloaded, its JsVars freed.
    expect(await loaded(r)).toEqual([]);
    expect((await r.board.memory()).free).toBeGreaterThan(before - 20);
    // A MANIFEST starts one: the module stays while it lasts.
    await w.c.publishAsync(otaTopic("mod1"), Buffer.from(buildManifest(7, new Uint8Array(4000), "2.0.0", 1, caps.chunk, { challenge: caps.challenge })));
    await w.next((m) => m.topic === otaReplyTopic("mod1") && m.payload[0] === OTA_READY, from);
    expect(await loaded(r)).toEqual(["pw.ota"]);
    expect((await r.board.memory()).free).toBeLessThan(before - 50);
  });

  it("without pw.ota the board says so and carries on taking commands", async () => {
    const r = await online("mod2", []);
    const from = w.msgs.length;
    await w.c.publishAsync(otaTopic("mod2"), Buffer.from(encodeHello(1)));
    await w.c.publishAsync("pinwire/mod2/cmd", Buffer.from(encodeMessage(SERVO_ROTATE, 33)), { qos: 1 });
    await w.next((m) => m.topic === "pinwire/mod2/state" && stateOf(m.payload)[SERVO_ANGLE] === 33, from);
    expect(r.out()).toContain("pinwire: no pw.ota");
    expect(w.msgs.slice(from).some((m) => m.topic === otaReplyTopic("mod2"))).toBe(false);
  });

  it("a ws:// broker loads pw.ws at the first open; without it the board says so and stays up", async () => {
    const url = "ws://127.0.0.1:" + broker.wsPort + "/mqtt";
    let from = w.msgs.length;
    rig = await bootBoard({ id: "mod3", broker: url, pins: { light: null } });
    await w.next((m) => m.topic === "pinwire/mod3/status" && m.payload.toString() === "online", from);
    expect(await loaded(rig)).toEqual(["pw.ws"]);
    await rig.close();
    from = w.msgs.length;
    rig = await bootBoard({ id: "mod4", broker: url, pins: { light: null } }, "esp8266", {}, ["pw.ota"]);
    await rig.board.waitForOutput("pinwire: no pw.ws");
    expect(rig.board.openSockets).toBe(0);
    expect(w.msgs.slice(from).some((m) => m.topic.startsWith("pinwire/mod4/"))).toBe(false);
  });
});
