// A real `pinwire push` process stopped mid-transfer, against the esp8266 bundle on the virtual
// board (Aedes in between, holding back the session's chunks past 2 KB so the push is caught
// in the middle): Ctrl-C / SIGTERM send the board an ABORT, so the next push is taken at once;
// after kill -9 (no ABORT possible) the board lets a new push take over once the session has
// been quiet for its idle limit (5 s), not 60 s.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { MqttClient } from "mqtt";
import { pushScript } from "../flash/push";
import { ackOffset, BOOT_RUNNING, chunkOffset, msgTag, msgType, OTA_ABORT, OTA_ACK, OTA_CHUNK, OTA_HELLO, otaReplyTopic, otaTopic } from "../shared/ota";
import { tempDir } from "./host-helpers";
import { appWithVersion, type Board, bootStatus, type Broker, flashedBoard, hostClient, startBroker } from "./ota-rig";

const IDLE_MS = 5000; // device/ota/receiver.ts

let broker: Broker;
let host: MqttClient;
let tmp: ReturnType<typeof tempDir>;
const boards: Board[] = [];

beforeAll(async () => {
  broker = await startBroker();
  host = await hostClient(broker.url);
  tmp = tempDir("pinwire-otaint-");
});

afterAll(async () => {
  await host?.endAsync(true);
  for (const b of boards) await b.close();
  await broker?.close();
  tmp?.cleanup();
});

async function board(id: string): Promise<Board> {
  const b = await flashedBoard(id, broker.port, "esp8266");
  boards.push(b);
  const running = bootStatus(host, id, (s) => s.state === BOOT_RUNNING);
  await b.vb.boot();
  await running;
  return b;
}

// Watches device `id`'s OTA traffic through the broker. The first session seen (the spawned
// pusher's) gets no chunk past `holdFrom`; `acked(n)` resolves when the board has acknowledged
// n bytes of it; `aborts` counts its ABORTs; `lastSeen` is when the board last heard from it
// or answered it.
function watch(id: string, holdFrom: number) {
  let tag = -1;
  let aborts = 0;
  let lastSeen = 0;
  let waiters: { n: number; resolve: () => void }[] = [];
  broker.forward = (_client, p) => {
    const u = new Uint8Array(p.payload);
    if (u.length < 3) return p;
    if (p.topic === otaTopic(id)) {
      if (tag < 0 && msgType(u) === OTA_HELLO) tag = msgTag(u);
      if (msgTag(u) !== tag) return p;
      if (msgType(u) === OTA_CHUNK && chunkOffset(u) >= holdFrom) return null;
      if (msgType(u) === OTA_ABORT) aborts++;
      lastSeen = Date.now();
    } else if (p.topic === otaReplyTopic(id) && msgTag(u) === tag) {
      lastSeen = Date.now();
      if (msgType(u) === OTA_ACK) {
        const n = ackOffset(u);
        waiters = waiters.filter((w) => (n >= w.n ? (w.resolve(), false) : true));
      }
    }
    return p;
  };
  return {
    acked: (n: number) => new Promise<void>((resolve) => waiters.push({ n, resolve })),
    aborts: () => aborts,
    lastSeen: () => lastSeen,
  };
}

// `pinwire push` as the user runs it (the installed launcher), output collected.
function pinwirePush(id: string, script: string) {
  const p = spawn(process.execPath, [join("host", "bin", "pinwire.mjs"), "push", "--device", id, "--broker", broker.url, "--no-progress", script], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  p.stdout.on("data", (d) => (out += d));
  p.stderr.on("data", (d) => (out += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => p.on("exit", (code, signal) => r({ code, signal })));
  return { p, out: () => out, exit };
}

function script(version: string): string {
  const f = join(tmp.dir, version + ".js");
  writeFileSync(f, appWithVersion("esp8266", version), "latin1");
  return f;
}

describe("an interrupted pinwire push", () => {
  for (const sig of ["SIGINT", "SIGTERM"] as const)
    it("on " + sig + " sends ABORT for its session and exits; the board takes the next push at once", async () => {
      const id = "otaint-" + sig.toLowerCase();
      await board(id);
      const w = watch(id, 2048);
      const push = pinwirePush(id, script("8.0.1"));
      await w.acked(2048);
      push.p.kill(sig);
      const r = await push.exit;
      expect(r.code, push.out()).toBe(sig === "SIGINT" ? 130 : 143);
      expect(push.out()).toMatch(/stopped: interrupted/);
      expect(w.aborts()).toBe(1);
      broker.forward = null;
      const next = await pushScript(host, { id, image: Buffer.from(appWithVersion("esp8266", "8.0.2"), "latin1"), version: "8.0.2" });
      expect(next).toMatchObject({ outcome: "updated", version: "8.0.2" });
    });

  it("killed with -9, its session is taken over by a new push after the board's idle limit", async () => {
    const id = "otaint-kill";
    await board(id);
    const w = watch(id, 2048);
    const push = pinwirePush(id, script("8.1.0"));
    await w.acked(2048);
    push.p.kill("SIGKILL");
    await push.exit;
    expect(w.aborts()).toBe(0);
    const image = Buffer.from(appWithVersion("esp8266", "8.1.1"), "latin1");
    // Right away the dead session still holds the board.
    expect(await pushScript(host, { id, image, version: "8.1.1" })).toMatchObject({ outcome: "refused", code: "busy" });
    // Then try every 250 ms (polling a deadline on the board, not waiting for an event here).
    const quietSince = w.lastSeen();
    let r = await pushScript(host, { id, image, version: "8.1.1" });
    while (r.outcome === "refused" && r.code === "busy" && Date.now() - quietSince < IDLE_MS + 10000) {
      await new Promise((res) => setTimeout(res, 250));
      r = await pushScript(host, { id, image, version: "8.1.1" });
    }
    const tookOver = Date.now() - quietSince - r.ms;
    expect(r).toMatchObject({ outcome: "updated", version: "8.1.1" });
    // Not before the limit (a live pusher is never quiet that long), and not much after it.
    expect(tookOver).toBeGreaterThanOrEqual(IDLE_MS - 300);
    expect(tookOver).toBeLessThan(IDLE_MS + 3000);
  });
});
