// The host must survive a long queue of messages no subscription matches (issue 13, item 1:
// the whole host died with "Maximum call stack size exceeded" in Aedes' mqemitter at ~8,000
// devices, when the bridge's link dropped and every queued state message matched nothing).
// The same mechanism with raw sockets against a real `pinwire bridge` process: a subscriber
// keeps Aedes' 100 routing slots busy while publishers queue thousands of unmatched messages
// behind; then everyone disconnects at once (one unmatched $SYS message each). The process must
// stay up and keep routing, and every message must be routed (the subscriber gets all of its).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encode } from "../shared/mqtt/generator";
import { HostProcess } from "./helpers/host-process";
import { RawMqtt } from "./helpers/raw-mqtt";

const PUBLISHERS = 4;
const MATCHED = 150; // per publisher, to load/a (subscribed)
const UNMATCHED = 4000; // per publisher, to load/none (no subscriber)

function burst(): Buffer {
  const a = encode({ type: 3, topic: "load/a", payload: new Uint8Array([1]), qos: 0, retain: false, dup: false });
  const none = encode({ type: 3, topic: "load/none", payload: new Uint8Array([2]), qos: 0, retain: false, dup: false });
  const parts: Uint8Array[] = [];
  for (let i = 0; i < MATCHED; i++) parts.push(a);
  for (let i = 0; i < UNMATCHED; i++) parts.push(none);
  return Buffer.concat(parts);
}

describe("a deep queue of unmatched messages", () => {
  let host: HostProcess;
  beforeAll(async () => {
    host = await new HostProcess().ready();
  });
  afterAll(async () => host?.stop());

  it("is routed without the process overflowing its stack, and the broker keeps working", async () => {
    const { c: sub, rc } = await RawMqtt.login(host.mqttPort, { clientId: "deep-sub" });
    expect(rc).toBe(0);
    await sub.subscribe(1, [{ topic: "load/a", qos: 0 }]);
    const pubs = await Promise.all(Array.from({ length: PUBLISHERS }, (_, i) => RawMqtt.login(host.mqttPort, { clientId: "deep-pub-" + i })));
    const b = burst();
    for (const p of pubs) p.c.send(b);
    // Everything routed: the subscriber gets every matched message (QoS 0 on loopback, nothing
    // is dropped: the subscriber reads).
    await host.alive(sub.received(PUBLISHERS * MATCHED, "load/a"));
    // Then a crowd leaves at once while the queue is busy again.
    for (const p of pubs) p.c.send(b);
    const crowd = await Promise.all(Array.from({ length: 300 }, (_, i) => RawMqtt.login(host.mqttPort, { clientId: "deep-crowd-" + i })));
    for (const x of crowd) x.c.sock.destroy();
    for (const p of pubs) p.c.sock.destroy();
    await host.alive(sub.received(2 * PUBLISHERS * MATCHED, "load/a"));
    // Still up and routing: a fresh pair exchanges a message.
    const { c: late } = await RawMqtt.login(host.mqttPort, { clientId: "deep-late" });
    await late.subscribe(1, [{ topic: "load/late", qos: 0 }]);
    sub.send({ type: 3, topic: "load/late", payload: new Uint8Array([3]), qos: 0, retain: false, dup: false });
    await host.alive(late.next((p) => p.type === 3));
    expect(host.running).toBe(true);
    expect(host.stderr).not.toMatch(/RangeError|Maximum call stack/);
    await Promise.all([sub.close(), late.close()]);
  });
});
