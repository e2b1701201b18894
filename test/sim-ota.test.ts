// Virtual boards are real boards for OTA: `npm start`'s and `pinwire sim`'s boards
// (host/sim/virtual-board.ts) run the boot loader from a Storage laid out as `pinwire flash`
// lays it out, so a push replaces the script they run, the version they report is the pushed
// script's, a script that fails is rolled back with the board's own error text, and a board
// without the loader can never report a push as done. `push --all` builds once per kind of
// board in the fleet. The console (`pinwire sim --console`) takes the espruino CLI's uploads.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { Writable } from "node:stream";
import { join } from "node:path";
import type { MqttClient } from "mqtt";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { describeResult, runPush } from "../flash/cli";
import { boardFile, runEspruinoCli } from "../flash/espruino-cli";
import { pushScript } from "../flash/push";
import { runtimeModules } from "../host/app/build";
import { AppBuilder, findProject } from "../host/app/project";
import { createLogger, silentLogger } from "../host/log";
import { type Sim, startVirtualBoard } from "../host/sim/virtual-board";
import { VirtualBoard } from "../host/vboard";
import { BOOT_ROLLED_BACK, encodeBoot, otaStatusTopic } from "../shared/ota";
import { startAedes, type TestBroker } from "./helpers/broker";
import { tempProject, type TempProject, withStartLine } from "./helpers/projects";
import { hostClient } from "./ota-rig";
import { Conditions } from "./helpers/conditions";

let broker: TestBroker;
let host: MqttClient;
let project: TempProject;
const sims: Sim[] = [];
const logs: { id: string; line: string }[] = [];
const infos = new Map<string, any>();
const seenSoFar = new Conditions(() => "last log lines " + JSON.stringify(logs.slice(-5)));

beforeAll(async () => {
  broker = await startAedes();
  host = await hostClient(broker.url);
  host.on("message", (topic, payload) => {
    const m = /^pinwire\/([^/]+)\/(log|info)$/.exec(topic);
    if (!m) return;
    if (m[2] === "log") logs.push({ id: m[1], line: payload.toString("utf8") });
    else if (payload.length) infos.set(m[1], JSON.parse(payload.toString("utf8")));
    seenSoFar.poke();
  });
  await host.subscribeAsync(["pinwire/+/log", "pinwire/+/info"]);
  project = tempProject("otaapp");
});

afterAll(async () => {
  await host.endAsync(true);
  await broker.close();
  project.cleanup();
});

afterEach(async () => {
  for (const s of sims.splice(0)) await s.stop();
});

// Resolves once pred holds (checked now and on every log line or info message); fails the
// test saying what never happened.
const until = (pred: () => boolean, what: string, ms = 25000) => seenSoFar.until(pred, what, ms);

async function sim(id: string, board: "esp8266" | "esp32" = "esp8266", consolePort?: number): Promise<Sim> {
  const s = await startVirtualBoard({ id, broker: broker.url, board, log: silentLogger(), driftMs: 0, consolePort });
  sims.push(s);
  expect(s.kind).toBe("virtual");
  await until(() => infos.get(id)?.app === "servo-light", id + " announcing the reference app");
  return s;
}

describe("a virtual board (pinwire sim, npm start's sim1)", () => {
  it("runs the pushed script: it logs from the new script and reports the pushed version", async () => {
    await sim("ota-s1");
    project.write("main.ts", withStartLine(project, "hello from the pushed script"));
    const b = await new AppBuilder(findProject(project.file("main.ts"))).build("esp8266");
    const r = await pushScript(host, { id: "ota-s1", image: Buffer.from(b.code, "latin1"), version: b.version });
    expect(r).toMatchObject({ outcome: "updated", version: b.version });
    await until(() => logs.some((l) => l.id === "ota-s1" && l.line === "hello from the pushed script"), "the new script's log line");
    await until(() => infos.get("ota-s1")?.script === b.version && infos.get("ota-s1")?.app === "otaapp", "info naming the pushed script");
  });

  it("rolls back a script that throws at boot, and the push prints the board's error text", async () => {
    await sim("ota-s2");
    const r = await pushScript(host, { id: "ota-s2", image: Buffer.from('throw new Error("no such sensor on D7")'), version: "2.0.0-bad", boots: 1 });
    expect(r).toMatchObject({ outcome: "rolled-back", code: "boots", version: "0.1.0" });
    expect(r.error).toMatch(/no such sensor on D7/);
    expect(describeResult(r)).toMatch(/^ota-s2: rolled back: the new script failed at boot: .*no such sensor on D7.*; running 0\.1\.0$/);
  });

  it("a board without the boot loader (its app as .bootcde) cannot report a push as updated", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pinwire-noloader-"));
    const vb = new VirtualBoard({ board: "esp8266", storageDir: dir });
    try {
      const app = await new AppBuilder(findProject(project.file("main.ts"))).build("esp8266");
      vb.storage.write(".bootcde", Buffer.from(app.code, "latin1"));
      for (const m of await runtimeModules("esp8266")) vb.storage.write(m.name, m.data);
      vb.storage.write("pinwire.json", Buffer.from(JSON.stringify({ id: "ota-s3", broker: broker.url })));
      await vb.boot();
      await until(() => infos.get("ota-s3")?.app === "otaapp", "the board without a loader online");
      project.write("main.ts", withStartLine(project, "never runs"));
      const next = await new AppBuilder(findProject(project.file("main.ts"))).build("esp8266");
      const r = await pushScript(host, { id: "ota-s3", image: Buffer.from(next.code, "latin1"), version: next.version });
      expect(r.outcome).toBe("rolled-back");
      expect(r.code).toBe("loader");
      expect(describeResult(r)).toMatch(/no pinwire boot loader, so the new script never ran/);
      expect(logs.some((l) => l.id === "ota-s3" && l.line === "never runs")).toBe(false);
    } finally {
      await vb.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("serves its console (pinwire sim --console) to the espruino CLI", async () => {
    // The board's console output, as the sim logs it (debug lines, event "console").
    const printed: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        for (const l of chunk.toString().split("\n")) if (l && JSON.parse(l).event === "console") printed.push(JSON.parse(l).text);
        seenSoFar.poke();
        cb();
      },
    });
    const s = await startVirtualBoard({ id: "ota-s4", broker: broker.url, log: createLogger({ level: "debug", destination: sink }), driftMs: 0, consolePort: 0 });
    sims.push(s);
    expect(s.consolePort).toBeGreaterThan(0);
    const dir = mkdtempSync(join(tmpdir(), "pinwire-cli-"));
    try {
      const f = join(dir, "hello.js");
      writeFileSync(f, 'console.log("uploaded by the espruino CLI: " + (6 * 7));\n');
      const cli = runEspruinoCli(["-p", "tcp://127.0.0.1:" + s.consolePort, "--board", boardFile(dir, "esp8266"), f], 60000);
      await until(() => printed.some((t) => t.includes("uploaded by the espruino CLI: 42")), "the uploaded code running on the board");
      cli.kill();
      await cli.done;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("push --all", () => {
  it("builds once per kind of board: the ESP8266 and the ESP32 each get their own build; a board of unknown kind is refused", async () => {
    await sim("ota-f1", "esp8266");
    await sim("ota-f2", "esp32");
    // A device with OTA status but no info (its kind unknown).
    await host.publishAsync(otaStatusTopic("ota-ghost"), Buffer.from(encodeBoot(0, BOOT_ROLLED_BACK, "0.0.1", "")), { retain: true, qos: 1 });
    try {
      project.write("main.ts", withStartLine(project, "fleet script"));
      const lines: string[] = [];
      const results = await runPush(undefined, { all: true, entry: project.file("main.ts"), broker: broker.url, progress: false }, (l) => lines.push(l));
      const builder = new AppBuilder(findProject(project.file("main.ts")));
      const want = { esp8266: (await builder.build("esp8266")).version, esp32: (await builder.build("esp32")).version };
      expect(want.esp8266).not.toBe(want.esp32);
      expect(lines.filter((l) => /^built otaapp for esp8266: /.test(l))).toHaveLength(1);
      expect(lines.filter((l) => /^built otaapp for esp32: /.test(l))).toHaveLength(1);
      const by = Object.fromEntries(results.map((r) => [r.id, r]));
      expect(by["ota-f1"]).toMatchObject({ outcome: "updated", version: want.esp8266 });
      expect(by["ota-f2"]).toMatchObject({ outcome: "updated", version: want.esp32 });
      expect(by["ota-ghost"]).toMatchObject({ outcome: "refused", code: "board-unknown" });
      expect(lines).toContain("ota-ghost: refused: the device has not announced its kind of board (no retained pinwire/<id>/info); give --board");
      await until(() => infos.get("ota-f2")?.board === "esp32" && infos.get("ota-f2")?.script === want.esp32, "the ESP32 running the ESP32 build");
      await until(() => logs.filter((l) => l.line === "fleet script").length >= 2, "both boards logging from the pushed script");
    } finally {
      await host.publishAsync(otaStatusTopic("ota-ghost"), Buffer.alloc(0), { retain: true, qos: 1 });
    }
  });
});
