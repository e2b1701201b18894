// The maker's loop through the real CLI: `pinwire run --watch` builds, pushes over the air and
// follows the board's log, again on every save, and shows a build error at its line without
// pushing; `pinwire logs` follows a board without pushing (log lines, status, OTA outcomes in
// the board's words). The board is a virtual ESP8266 (host/sim) on Aedes.
import { join } from "node:path";
import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pushScript } from "../flash/push";
import { silentLogger } from "../host/log";
import { type Sim, startVirtualBoard } from "../host/sim/virtual-board";
import { root } from "../scripts/device-bundle.mjs";
import { startAedes, type TestBroker } from "./helpers/broker";
import { tempProject, type TempProject, withStartLine } from "./helpers/projects";
import { bootStatus, hostClient } from "./ota-rig";
import { run } from "./host-helpers";
import { type Lines, spawnLines } from "./helpers/child";

const tsx = join(root, "node_modules", "tsx", "dist", "cli.mjs");
const cli = join(root, "host", "cli.ts");

// The CLI as a maker runs it, its output lines waited for.
const pinwire = (args: string[], cwd: string): Lines => spawnLines(process.execPath, [tsx, cli, ...args], cwd);

let broker: TestBroker;
let host: MqttClient;
let board: Sim;
let project: TempProject;

beforeAll(async () => {
  broker = await startAedes();
  host = await hostClient(broker.url);
  const online = bootStatus(host, "run1");
  board = await startVirtualBoard({ id: "run1", broker: broker.url, log: silentLogger(), driftMs: 0 });
  await online;
  project = tempProject("runapp");
});

afterAll(async () => {
  await board?.stop();
  await host?.endAsync(true);
  await broker?.close();
  project?.cleanup();
});

describe("pinwire run --watch", () => {
  it("builds, pushes, follows the log; again on every save; a build error is shown at its line and nothing is pushed", async () => {
    const c = pinwire(["run", "--device", "run1", "--broker", broker.url, "--watch"], project.dir);
    try {
      await c.line(/^run: built runapp for esp8266 in [\d.]+ s \(check [\d.]+ s\): [\d,]+ B, script 0\.1\.0-[0-9a-f]{8}$/);
      await c.line(/^run: pushed in [\d.]+ s: run1: updated to 0\.1\.0-[0-9a-f]{8} /);
      // The board's own log line, from the script just pushed.
      await c.line(/^\d\d:\d\d:\d\d\.\d{3} \[run1\] runapp started$/);
      await c.line(/^run: watching main\.ts, app\.ts \(Ctrl-C to stop\)$/);

      let from = c.lines.length;
      project.write("main.ts", withStartLine(project, "runapp, second edit"));
      await c.line(/\[run1\] runapp, second edit$/, from);
      await c.line(/^run: pushed in .*updated to/, from);

      from = c.lines.length;
      project.write("main.ts", 'import { log } from "pinwire/device";\nconst seen = new Map<string, number>();\nlog(seen);\n');
      const failed = await c.line(/^run: build failed \(1 error\); nothing pushed$/, from);
      expect(c.lines.slice(from, failed).join("\n")).toContain("main.ts:2:18 - error espruino: Espruino 2v29 has no Map");
      expect(c.lines.slice(from).some((l) => /^run: pushed/.test(l))).toBe(false);

      from = c.lines.length;
      project.write("main.ts", withStartLine(project, "runapp, fixed"));
      await c.line(/\[run1\] runapp, fixed$/, from);
    } finally {
      // Ctrl-C while that push waits for the board: the push ends (the board keeps what it
      // runs) and so does the command.
      expect(await c.interrupt()).toBe(0);
    }
  }, 120000);

  it("refuses a device that has not announced itself, saying how to push anyway", async () => {
    const r = await run(process.execPath, [tsx, cli, "run", "--device", "nobody", "--broker", broker.url], { cwd: project.dir, timeoutMs: 60000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nobody has not announced itself on mqtt:\/\/127\.0\.0\.1:\d+ .*Give --board to push to it anyway/);
  }, 60000);
});

describe("pinwire logs", () => {
  it("follows a board: its status, a rollback in the board's words, and the OTA outcome", async () => {
    const c = pinwire(["logs", "run1", "--broker", broker.url], project.dir);
    try {
      await c.line(/^\d\d:\d\d:\d\d\.\d{3} \[run1\] -- online$/);
      await c.line(/\[run1\] -- esp8266 running runapp 0\.1\.0, script 0\.1\.0-[0-9a-f]{8}, \d+ of 1700 JsVars free$/);
      const from = c.lines.length;
      const r = await pushScript(host, { id: "run1", image: Buffer.from('throw new Error("bad wiring")'), version: "9.9.9-bad", boots: 1 });
      expect(r.outcome).toBe("rolled-back");
      await c.line(/\[run1\] pinwire: rolled back from 9\.9\.9-bad \(boots\): Error: bad wiring$/, from);
      await c.line(/\[run1\] -- rolled back: the new script failed at boot; runs script 0\.1\.0-[0-9a-f]{8}$/, from);
    } finally {
      expect(await c.interrupt()).toBe(0);
    }
  }, 60000);
});
