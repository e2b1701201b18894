// OTA push end to end: the real esp8266 bundle (with its OTA receiver and the boot loader
// `pinwire flash` installs) on the virtual board, Aedes, and the host pusher over mqtt.js.
import type { MqttClient } from "mqtt";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { pushScript } from "../flash/push";
import { randomBytes } from "node:crypto";
import { BOOT_RUNNING, chunkOffset, errCode, msgTag, msgType, OTA_CHUNK, OTA_ERR, otaReplyTopic, otaTopic } from "../shared/ota";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildManifest } from "../flash/push";
import { runPush } from "../flash/cli";
import { tempDir } from "./host-helpers";
import { appWithVersion, type Board, bootStatus, challengeOf, type Broker, flashedBoard, hostClient, type Proxy, startBroker, startProxy } from "./ota-rig";

let broker: Broker;
let proxy: Proxy;
let host: MqttClient;
const boards: Board[] = [];

beforeAll(async () => {
  broker = await startBroker();
  proxy = await startProxy(broker.port);
  host = await hostClient(broker.url);
});

afterAll(async () => {
  await host.endAsync(true);
  await proxy.close();
  await broker.close();
});

afterEach(async () => {
  broker.forward = null;
  for (const b of boards.splice(0)) await b.close();
});

async function board(id: string, extra: object = {}, name: "esp8266" | "esp32" = "esp8266"): Promise<Board> {
  const b = await flashedBoard(id, proxy.port, name, extra);
  boards.push(b);
  const running = bootStatus(host, id, (s) => s.state === BOOT_RUNNING);
  await b.vb.boot();
  await running;
  return b;
}

function state(b: Board): any {
  return JSON.parse(b.vb.storage.read("pw.st")!.toString());
}

describe("OTA push to a virtual ESP8266", () => {
  it("installs a new script, which boots and reports its version; the old one is kept", async () => {
    const b = await board("ota1");
    const image = Buffer.from(appWithVersion("esp8266", "9.9.9"), "latin1");
    const seen: number[] = [];
    const r = await pushScript(host, { id: "ota1", image, version: "9.9.9", onProgress: (n) => seen.push(n) });
    expect(r).toMatchObject({ outcome: "updated", version: "9.9.9", resumes: 0 });
    expect(seen.at(-1)).toBe(image.length);
    const st = state(b);
    expect(st).toMatchObject({ c: "pw.b", p: "pw.a", v: "9.9.9", t: 0 });
    expect(b.vb.storage.read("pw.b")!.equals(image)).toBe(true);
    expect(b.vb.storage.read("pw.a")!.length).toBeGreaterThan(1000);
  });

  it("refuses a script corrupted on the way; the old script keeps running and takes the next push", async () => {
    const b = await board("ota2");
    const image = Buffer.from(appWithVersion("esp8266", "2.0.0"), "latin1");
    broker.forward = (_c, p) => {
      const u = new Uint8Array(p.payload);
      if (p.topic !== otaTopic("ota2") || msgType(u) !== OTA_CHUNK || chunkOffset(u) !== 2048) return p;
      const bad = Buffer.from(p.payload);
      bad[100] ^= 0x20;
      return { ...p, payload: bad };
    };
    const r = await pushScript(host, { id: "ota2", image, version: "2.0.0" });
    expect(r).toMatchObject({ outcome: "failed", code: "crc" });
    expect(state(b)).toMatchObject({ c: "pw.a", v: "0.1.0" });
    expect(b.vb.storage.read("pw.b")).toBeUndefined();
    broker.forward = null;
    const again = await pushScript(host, { id: "ota2", image, version: "2.0.0" });
    expect(again).toMatchObject({ outcome: "updated", version: "2.0.0" });
  });

  it("resumes from the last acknowledged offset when the board's connection is cut mid-transfer", async () => {
    const b = await board("ota3");
    const image = Buffer.from(appWithVersion("esp8266", "3.0.0"), "latin1");
    let cut = false;
    let resent = 0;
    const offsets: number[] = [];
    broker.forward = (_c, p) => {
      const u = new Uint8Array(p.payload);
      if (p.topic === otaTopic("ota3") && msgType(u) === OTA_CHUNK) {
        const off = chunkOffset(u);
        if (offsets.includes(off)) resent++;
        offsets.push(off);
        if (!cut && off >= 10240) {
          cut = true;
          setImmediate(() => proxy.cut());
        }
      }
      return p;
    };
    const r = await pushScript(host, { id: "ota3", image, version: "3.0.0" });
    expect(cut).toBe(true);
    expect(r).toMatchObject({ outcome: "updated", version: "3.0.0" });
    expect(r.resumes).toBeGreaterThanOrEqual(1);
    // Only what was in flight at the cut went twice: the push did not start over.
    expect(resent).toBeLessThanOrEqual(4);
    expect(offsets.filter((o) => o === 0).length).toBe(1);
    expect(b.vb.storage.read(state(b).c)!.equals(image)).toBe(true);
  });

  it("rolls back a script that throws at boot, and reports the rollback", async () => {
    const b = await board("ota4");
    const r = await pushScript(host, { id: "ota4", image: Buffer.from('throw new Error("boom")'), version: "4.0.0-bad", boots: 2 });
    expect(r).toMatchObject({ outcome: "rolled-back", code: "boots", version: "0.1.0" });
    expect(state(b)).toMatchObject({ c: "pw.a", p: "pw.b", v: "0.1.0", t: 0 });
    expect(b.out()).toContain("boom");
  });

  it("rolls back a script that never connects to the broker within its health deadline", async () => {
    const b = await board("ota5");
    const r = await pushScript(host, { id: "ota5", image: Buffer.from("setInterval(function(){},1000)"), version: "5.0.0-mute", health: 1 });
    expect(r).toMatchObject({ outcome: "rolled-back", code: "health", version: "0.1.0" });
    expect(state(b)).toMatchObject({ c: "pw.a", v: "0.1.0" });
  });

  it("with an otaKey: refuses unsigned and wrongly signed scripts, installs a correctly signed one (HMAC-SHA1)", async () => {
    const key = randomBytes(16);
    const b = await board("ota6", { otaKey: key.toString("hex") });
    const image = Buffer.from(appWithVersion("esp8266", "6.0.0"), "latin1");
    expect(await pushScript(host, { id: "ota6", image, version: "6.0.0" })).toMatchObject({ outcome: "refused", code: "unsigned" });
    expect(await pushScript(host, { id: "ota6", image, version: "6.0.0", key: randomBytes(16) })).toMatchObject({ outcome: "refused", code: "sig" });
    expect(state(b)).toMatchObject({ c: "pw.a", v: "0.1.0" });
    expect(await pushScript(host, { id: "ota6", image, version: "6.0.0", key })).toMatchObject({ outcome: "updated", version: "6.0.0" });
  });

  it("refuses a second push while one is in progress", async () => {
    await board("ota7");
    const image = Buffer.from(appWithVersion("esp8266", "7.0.0"), "latin1");
    let second: Promise<unknown> | null = null;
    let raw: Promise<string> | null = null;
    const first = pushScript(host, {
      id: "ota7",
      image,
      version: "7.0.0",
      onProgress: () => {
        if (second) return;
        second = pushScript(host, { id: "ota7", image, version: "7.0.1" });
        // And a MANIFEST straight away, without asking first.
        raw = new Promise((resolve) => {
          const on = (t: string, p: Buffer) => {
            const u = new Uint8Array(p);
            if (t === otaReplyTopic("ota7") && msgTag(u) === 4242 && msgType(u) === OTA_ERR) {
              host.removeListener("message", on);
              resolve(errCode(u));
            }
          };
          host.on("message", on);
          host.publish(otaTopic("ota7"), Buffer.from(buildManifest(4242, image, "7.0.2", 1, 512, { challenge: new Uint8Array(8) })));
        });
      },
    });
    expect(await first).toMatchObject({ outcome: "updated", version: "7.0.0" });
    expect(await second).toMatchObject({ outcome: "refused", code: "busy" });
    expect(await raw).toBe("busy");
  });

  it("refuses a script larger than the board's free flash", async () => {
    const b = await board("ota8");
    const r = await pushScript(host, { id: "ota8", image: randomBytes(70000), version: "8.0.0" });
    expect(r).toMatchObject({ outcome: "refused", code: "space" });
    expect(state(b)).toMatchObject({ c: "pw.a" });
  });

  it("push --all reaches every board that reports OTA status and reports each one's result", async () => {
    // A broker of its own: the boards of the other tests left retained statuses behind.
    const fleetBroker = await startBroker();
    const { dir, cleanup } = tempDir("pinwire-fleet-");
    const k2 = randomBytes(16).toString("hex");
    const k3 = randomBytes(16).toString("hex");
    const fleet: Board[] = [];
    const watch = await hostClient(fleetBroker.url);
    try {
      for (const [id, extra] of [["fleet1", {}], ["fleet2", { otaKey: k2 }], ["fleet3", { otaKey: k3 }]] as const) {
        const b = await flashedBoard(id, fleetBroker.port, "esp8266", extra);
        fleet.push(b);
        const up = bootStatus(watch, id, (s) => s.state === BOOT_RUNNING);
        await b.vb.boot();
        await up;
      }
      const file = join(dir, "app.js");
      writeFileSync(file, appWithVersion("esp8266", "10.0.0"), "latin1");
      const keys = join(dir, "keys.json");
      writeFileSync(keys, JSON.stringify({ fleet2: k2 }));
      const lines: string[] = [];
      const results = await runPush(file, { all: true, board: "esp8266", broker: fleetBroker.url, scriptVersion: "10.0.0", keys, progress: false }, (l) => lines.push(l));
      expect(results.map((r) => [r.id, r.outcome, r.code ?? ""])).toEqual([
        ["fleet1", "updated", ""],
        ["fleet2", "updated", ""],
        ["fleet3", "refused", "unsigned"],
      ]);
      expect(lines[0]).toMatch(/^fleet1: updated to 10\.0\.0/);
      expect(lines[2]).toContain("fleet3: refused: the device has an OTA key and the script is not signed");
      expect(state(fleet[2])).toMatchObject({ c: "pw.a", v: "0.1.0" });
    } finally {
      await watch.endAsync(true);
      for (const b of fleet) await b.close();
      await fleetBroker.close();
      cleanup();
    }
  });

  it("resumes when the pushing host loses its own connection", async () => {
    const b = await board("ota9");
    const hostProxy = await startProxy(broker.port);
    const far = await hostClient("mqtt://127.0.0.1:" + hostProxy.port);
    try {
      const image = Buffer.from(appWithVersion("esp8266", "9.1.0"), "latin1");
      let cut = false;
      const r = await pushScript(far, {
        id: "ota9",
        image,
        version: "9.1.0",
        onProgress: (n) => {
          if (!cut && n >= 8192) {
            cut = true;
            hostProxy.cut();
          }
        },
      });
      expect(cut).toBe(true);
      expect(r).toMatchObject({ outcome: "updated", version: "9.1.0" });
      expect(r.resumes).toBeGreaterThanOrEqual(1);
      expect(r.payloadBytes).toBeLessThan(image.length * 1.5);
      expect(state(b)).toMatchObject({ v: "9.1.0", t: 0 });
    } finally {
      await far.endAsync(true);
      await hostProxy.close();
    }
  });

  it("an ESP32 checks HMAC-SHA256 and refuses an HMAC-SHA1 manifest", async () => {
    const key = randomBytes(32);
    await board("ota10", { otaKey: key.toString("hex") }, "esp32");
    const image = Buffer.from(appWithVersion("esp32", "10.1.0"), "latin1");
    const err = new Promise<string>((resolve) => {
      const on = (t: string, p: Buffer) => {
        const u = new Uint8Array(p);
        if (t === otaReplyTopic("ota10") && msgTag(u) === 777 && msgType(u) === OTA_ERR) {
          host.removeListener("message", on);
          resolve(errCode(u));
        }
      };
      host.on("message", on);
    });
    await host.subscribeAsync(otaReplyTopic("ota10"));
    const challenge = await challengeOf(host, "ota10", 777);
    host.publish(otaTopic("ota10"), Buffer.from(buildManifest(777, image, "10.1.0", 1, 1024, { challenge, key })));
    expect(await err).toBe("alg");
    expect(await pushScript(host, { id: "ota10", image, version: "10.1.0", key })).toMatchObject({ outcome: "updated", version: "10.1.0" });
  });
});
