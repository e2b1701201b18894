// Password logins (issue 13, item 5): 64 parallel wrong-password logins ran 30 guesses/s with
// no limit; scrypt filled libuv's thread pool, so a legitimate login took 2.4-7.3 s and
// dashboard files timed out; an unknown user was refused in 0.7 ms and a known one in 51 ms,
// at the broker and at the gateway. Here: the guard itself (host/auth/login-guard.ts), the
// broker and the gateway over raw sockets (other hosts are 127.0.0.x, x > 1), and a real
// `pinwire bridge` whose libuv pool has one thread, which guessing must leave to the files.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { CredentialStore } from "../host/auth/credentials";
import { LoginGuard } from "../host/auth/login-guard";
import type { Service } from "../host/bridge/service";
import { Collector, startTestService, tempDir, wsUrl } from "./host-helpers";
import { HostProcess } from "./helpers/host-process";
import { RawMqtt } from "./helpers/raw-mqtt";

async function users(): Promise<CredentialStore> {
  const store = new CredentialStore(null);
  await store.add("dev1", "pw-one", "device");
  await store.add("dev2", "pw-two", "device");
  return store;
}

describe("login guard", () => {
  let store: CredentialStore;
  beforeAll(async () => {
    store = await users();
  });

  it("checks an unknown user at the same cost as a known one, and answers both no sooner than the floor", async () => {
    const g = new LoginGuard({ store, failAfterMs: 300 });
    try {
      for (const [user, pass] of [["dev1", "wrong"], ["nobody", "wrong"]]) {
        const before = g.thread.derivations;
        const t = Date.now();
        expect(await g.check(user, pass, "127.0.0.5")).toEqual({ refused: "bad" });
        expect(Date.now() - t).toBeGreaterThanOrEqual(295);
        expect(g.thread.derivations - before).toBe(1); // one scrypt each
      }
    } finally {
      await g.close();
    }
  });

  it("remembers a password that succeeded: the board's next login costs no scrypt", async () => {
    const g = new LoginGuard({ store });
    try {
      expect(await g.check("dev1", "pw-one", "127.0.0.6")).toEqual({ role: "device" });
      const n = g.thread.derivations;
      expect(await g.check("dev1", "pw-one", "127.0.0.6")).toEqual({ role: "device" });
      expect(g.thread.derivations).toBe(n);
      // A wrong password is still checked (and refused).
      expect(await g.check("dev1", "pw-one!", "127.0.0.6")).toEqual({ refused: "bad" });
      expect(g.thread.derivations).toBe(n + 1);
    } finally {
      await g.close();
    }
  });

  it("limits failures per address and per user, not successes, and not a user's own address", async () => {
    const g = new LoginGuard({ store, perAddress: { burst: 3, perMinute: 1 }, perUser: { burst: 4, perMinute: 1 }, failAfterMs: 0 });
    try {
      // Successes cost no allowance.
      for (let i = 0; i < 6; i++) expect(await g.check("dev2", "pw-two", "10.0.0.1")).toEqual({ role: "device" });
      // Per address: three failures at once (in parallel: each takes its token first), then
      // even the right password is not checked from there; another address is unaffected.
      const par = await Promise.all([1, 2, 3].map(() => g.check("dev1", "x", "10.0.0.2")));
      expect(par).toEqual([1, 2, 3].map(() => ({ refused: "bad" })));
      expect(await g.check("dev1", "pw-one", "10.0.0.2")).toEqual({ refused: "limited" });
      expect(await g.check("dev1", "pw-one", "10.0.0.3")).toEqual({ role: "device" });
      // Per user: dev2 has failed 0 times; four failures from four addresses use its allowance
      // (the third's address 10.0.0.2 is already limited and costs nothing)...
      for (const a of ["10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.1.4"]) expect(await g.check("dev2", "x", a)).toEqual({ refused: "bad" });
      // ...so a new address is refused even with the right password,
      expect(await g.check("dev2", "pw-two", "10.0.1.9")).toEqual({ refused: "limited" });
      // but the address dev2 logged in from before is not held to dev2's limit.
      expect(await g.check("dev2", "pw-two", "10.0.0.1")).toEqual({ role: "device" });
      // IPv6: one /64 is one address.
      for (let i = 1; i <= 3; i++) await g.check("dev1", "x", "2001:db8:1:2::" + i);
      expect(await g.check("dev1", "pw-one", "2001:db8:1:2:ffff::1")).toEqual({ refused: "limited" });
    } finally {
      await g.close();
    }
  });
});

describe("logins at the broker and the gateway", () => {
  let svc: Service;
  let port: number;
  beforeAll(async () => {
    svc = await startTestService({ credentials: await users(), token: "t", logins: { perAddress: { burst: 3, perMinute: 1 }, failAfterMs: 300 } });
    port = Number(new URL(svc.mqttUrl).port);
  });
  afterAll(async () => svc?.close());

  const timed = async (f: () => Promise<number>) => {
    const t = Date.now();
    const rc = await f();
    return { rc, ms: Date.now() - t };
  };
  const mqttLogin = (clientId: string, username: string, password: string, from: string) =>
    timed(async () => {
      const { c, rc } = await RawMqtt.login(port, { clientId, username, password, from });
      await c.close();
      return rc;
    });

  it("answers a wrong password and an unknown user alike, no sooner than the floor", async () => {
    const known = await mqttLogin("pinwire-dev1", "dev1", "wrong", "127.0.0.11");
    const unknown = await mqttLogin("pinwire-nobody", "nobody", "wrong", "127.0.0.12");
    expect([known.rc, unknown.rc]).toEqual([4, 4]);
    expect(known.ms).toBeGreaterThanOrEqual(290);
    expect(unknown.ms).toBeGreaterThanOrEqual(290);
    const board = (user: string, pass: string) =>
      timed(() =>
        new Collector(wsUrl(svc, "/ws/" + user + "?role=device&user=" + user + "&pass=" + pass), { localAddress: "127.0.0.13" })
          .open()
          .then(
            (c) => (c.ws.close(), 101),
            (e) => Number(/HTTP (\d+)/.exec(String(e))?.[1] ?? 0),
          ),
      );
    const gk = await board("dev1", "wrong");
    const gu = await board("nobody", "wrong");
    expect([gk.rc, gu.rc]).toEqual([401, 401]);
    expect(gk.ms).toBeGreaterThanOrEqual(290);
    expect(gu.ms).toBeGreaterThanOrEqual(290);
  });

  it("refuses an address after its failures (CONNACK 5, password not checked), others still log in", async () => {
    const from = "127.0.0.21";
    const tries = await Promise.all([1, 2, 3].map((i) => mqttLogin("pinwire-dev2", "dev2", "guess" + i, from)));
    expect(tries.map((t) => t.rc)).toEqual([4, 4, 4]);
    expect((await mqttLogin("pinwire-dev2", "dev2", "pw-two", from)).rc).toBe(5);
    expect((await mqttLogin("pinwire-dev2", "dev2", "pw-two", "127.0.0.22")).rc).toBe(0);
  });
});

describe("guessing leaves libuv's thread pool to the file server", () => {
  let host: HostProcess;
  const tmp = tempDir("pinwire-logins-");
  beforeAll(async () => {
    const file = join(tmp.dir, "credentials.json");
    const store = new CredentialStore(file);
    await store.add("dev1", "pw-one", "device");
    store.save();
    // One pool thread: whatever scrypt takes from it, the file reads wait for.
    host = await new HostProcess(["--login-failures-per-address", "100", "--login-failures-per-user", "100"], { credentials: file, env: { UV_THREADPOOL_SIZE: "1" } }).ready();
  });
  afterAll(async () => {
    await host?.stop();
    tmp.cleanup();
  });

  it("serves a dashboard file while 24 wrong-password logins are being checked", async () => {
    let firstAnswer = Infinity;
    const conns = Array.from({ length: 24 }, (_, i) => new RawMqtt(host.mqttPort, "127.0.0.1", "127.0.0." + (30 + i)));
    await Promise.all(conns.map((c) => c.opened));
    const enc = new TextEncoder();
    for (const [i, c] of conns.entries()) c.send({ type: 1, clientId: "pinwire-dev1", clean: true, keepalive: 0, username: "dev1", password: enc.encode("guess" + i) });
    const answers = conns.map((c) =>
      c.connack().then((rc) => {
        firstAnswer = Math.min(firstAnswer, Date.now());
        return rc;
      }),
    );
    // A round trip through the server (no file, no pool) once the CONNECTs are on their way:
    // their checks have started; then a file, which needs the pool.
    expect((await fetch(host.httpUrl + "/healthz")).status).toBe(200);
    const res = await fetch(host.httpUrl + "/");
    const served = Date.now();
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("<html");
    expect(await Promise.all(answers)).toEqual(answers.map(() => 4));
    expect(served).toBeLessThan(firstAnswer);
    for (const c of conns) c.sock.destroy();
  });
});
