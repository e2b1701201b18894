// Client ids on the embedded broker with credentials (issue 13, item 4: device devA logging in
// with client id pinwire-devB kicked devB off, 20 times in 10 s; devB applied 16 of 100
// commands while its status stayed "online"). A device may use only its own ids (pinwire-<id>,
// pinwire-<id>.<name>); no other login may use a device's; a connected client's id is not
// taken over by another login; the same login still replaces its own older connection (a
// board reconnecting before the broker noticed the old one died). Raw sockets throughout.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CredentialStore } from "../host/auth/credentials";
import type { Service } from "../host/bridge/service";
import { startTestService } from "./host-helpers";
import { RawMqtt } from "./helpers/raw-mqtt";

describe("client ids belong to their device", () => {
  let svc: Service;
  let port: number;
  const store = new CredentialStore(null);
  beforeAll(async () => {
    await store.add("devA", "pw-a", "device");
    await store.add("devB", "pw-b", "device");
    await store.add("ops", "pw-ops", "bridge");
    await store.add("ops2", "pw-ops2", "bridge");
    svc = await startTestService({ credentials: store, token: "t" });
    port = Number(new URL(svc.mqttUrl).port);
  });
  afterAll(async () => svc?.close());

  const login = (clientId: string, username: string, password: string) => RawMqtt.login(port, { clientId, username, password });

  it("keeps devB connected while devA tries its client id, and devB gets every command", async () => {
    const { c: b, rc } = await login("pinwire-devB", "devB", "pw-b");
    expect(rc).toBe(0);
    await b.subscribe(1, [{ topic: "pinwire/devB/cmd", qos: 1 }]);
    const { c: ops } = await login("ops-console", "ops", "pw-ops");
    for (let i = 0; i < 20; i++) {
      const { c: a, rc: arc } = await login("pinwire-devB", "devA", "pw-a");
      expect(arc).toBe(2); // identifier rejected
      await a.closed;
      ops.send({ type: 3, topic: "pinwire/devB/cmd", payload: new Uint8Array([13, 0, 0, 0, i, 0, 0, 0]), qos: 1, retain: false, dup: false, id: i + 1 });
    }
    const got = await b.received(20, "pinwire/devB/cmd");
    expect(got.map((p) => p.payload[4])).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(b.isClosed).toBe(false);
    await Promise.all([b.close(), ops.close()]);
  });

  it("lets a device use pinwire-<id> and pinwire-<id>.<name> only", async () => {
    const codes: Record<string, number> = {};
    for (const id of ["pinwire-devA", "pinwire-devA.debug", "pinwire-devAx", "pinwire-devB.debug", "mosq-123", "devA", ""]) {
      const { c, rc } = await login(id, "devA", "pw-a");
      codes[id] = rc;
      await c.close();
    }
    expect(codes).toEqual({ "pinwire-devA": 0, "pinwire-devA.debug": 0, "pinwire-devAx": 2, "pinwire-devB.debug": 2, "mosq-123": 2, devA: 2, "": 2 });
  });

  it("keeps a device's ids from other logins, and a connected id from another login", async () => {
    // A bridge-role user may use any id but a device's.
    const mine = await login("ops-tool", "ops", "pw-ops");
    expect(mine.rc).toBe(0);
    expect((await login("pinwire-devB", "ops", "pw-ops")).rc).toBe(2);
    expect((await login("pinwire-devB.x", "ops", "pw-ops")).rc).toBe(2);
    // pinwire-<name> of no known device is free (the pusher's pinwire-push-<pid>-<n>).
    const push = await login("pinwire-push-1-2", "ops", "pw-ops");
    expect(push.rc).toBe(0);
    // ops-tool is connected as ops: ops2 may not take it over, ops itself may.
    expect((await login("ops-tool", "ops2", "pw-ops2")).rc).toBe(2);
    expect(mine.c.isClosed).toBe(false);
    const again = await login("ops-tool", "ops", "pw-ops");
    expect(again.rc).toBe(0);
    await mine.c.closed; // replaced by its own login's newer connection
    expect(svc.broker!.aedes.connectedClients).toBeGreaterThan(0);
    await Promise.all([again.c.close(), push.c.close()]);
  });

  it("still lets a board replace its own older connection", async () => {
    const first = await login("pinwire-devA", "devA", "pw-a");
    const second = await login("pinwire-devA", "devA", "pw-a");
    expect([first.rc, second.rc]).toEqual([0, 0]);
    await first.c.closed;
    expect(second.c.isClosed).toBe(false);
    await second.c.close();
  });
});
