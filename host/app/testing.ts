// `pinwire/testing`: runs a project's app in its tests, as a board runs it. The app is built as
// `pinwire build` builds it (type check, Espruino rules, board pipeline), laid out in the
// Storage of a virtual board (host/vboard: Espruino 2v29's semantics on a worker thread) as
// `pinwire flash` lays out a chip's, and connected to a broker of its own (Aedes on a free
// loopback port). The test drives the board's pins, sends commands and reads what the board
// reports and logs over MQTT, as a host would.
//
//   const app = await startApp();                 // ./main.ts and ./app.ts, an ESP8266
//   await app.waitForLog(/started/);
//   app.board.setPin("D0", 0);                    // press a button wired to D0
//   await app.waitFor("PRESSES", (n) => n === 1);
//   await app.command("LED", 1);
//   await app.stop();
import { mkdtempSync, rmSync } from "node:fs";
import net, { type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { MqttClient } from "mqtt";
import type { BoardName } from "../../shared/boards";
import { type MessageValue, MessageTable } from "../../shared/catalogue";
import { VirtualBoard } from "../vboard/index";
import { runtimeModules } from "./build";
import { loadApp } from "./declaration";
import { AppBuilder, findProject } from "./project";

export interface StartAppOptions {
  dir?: string; // the project (default: the current directory)
  entry?: string; // default main.ts
  app?: string; // default app.ts beside it
  board?: BoardName; // default esp8266
  id?: string; // the board's id (default "test")
  config?: Record<string, unknown>; // more pinwire.json keys ("pins", "parts")
  console?: (text: string) => void; // the board's console output
}

export interface RunningApp {
  readonly id: string;
  readonly board: VirtualBoard;
  readonly broker: string; // mqtt://127.0.0.1:<port>
  // Every line the board logged (pinwire/<id>/log), in order.
  readonly logs: string[];
  // Resolves with the first log line (from the start) that matches.
  waitForLog(pattern: RegExp | string, timeoutMs?: number): Promise<string>;
  // The latest value the board reported for a message of its app.
  value(name: string): MessageValue | undefined;
  // Resolves once the board has reported a value of the message that satisfies pred (any
  // value without one); the latest value counts too.
  waitFor(name: string, pred?: (v: MessageValue) => boolean, timeoutMs?: number): Promise<MessageValue>;
  // Sends a command of the app (as a host would, on pinwire/<id>/cmd).
  command(name: string, value: MessageValue): Promise<void>;
  stop(): Promise<void>;
}

async function startBroker(): Promise<{ url: string; close(): Promise<void> }> {
  const { Aedes } = await import("aedes");
  const aedes = await Aedes.createBroker();
  const socks = new Set<net.Socket>();
  const server = net.createServer((s) => {
    socks.add(s);
    s.on("close", () => socks.delete(s));
    aedes.handle(s as never);
  });
  const port = await new Promise<number>((r, j) => {
    server.once("error", j);
    server.listen(0, "127.0.0.1", () => r((server.address() as AddressInfo).port));
  });
  return {
    url: "mqtt://127.0.0.1:" + port,
    close: async () => {
      for (const s of socks) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      await new Promise<void>((r) => aedes.close(() => r()));
    },
  };
}

export async function startApp(o: StartAppOptions = {}): Promise<RunningApp> {
  const dir = resolve(o.dir ?? process.cwd());
  const project = findProject(o.entry ?? "main.ts", o.app, dir);
  const board = o.board ?? "esp8266";
  const id = o.id ?? "test";
  const build = await new AppBuilder(project).build(board);
  const table = new MessageTable((await loadApp(project.app)).catalogue);
  const broker = await startBroker();
  const storage = mkdtempSync(join(tmpdir(), "pinwire-test-"));
  const vb = new VirtualBoard({ board, storageDir: storage, console: o.console });
  const { flashFiles } = await import("../../flash/usb");
  const config = { ...o.config, id, broker: broker.url };
  for (const f of await flashFiles(board, config, build.code, await runtimeModules(board))) vb.storage.write(f.name, f.data);

  const { default: mqtt } = await import("mqtt");
  const client: MqttClient = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0, clientId: "pinwire-testing-" + process.pid + "-" + Math.floor(Math.random() * 1e6) });
  const logs: string[] = [];
  const values = new Map<string, MessageValue>();
  const waiters = new Set<() => void>();
  const changed = () => {
    for (const w of [...waiters]) w();
  };
  client.on("message", (topic, payload) => {
    if (topic === "pinwire/" + id + "/log") logs.push(payload.toString("utf8"));
    else if (topic === "pinwire/" + id + "/state") {
      try {
        for (const d of table.split(new Uint8Array(payload))) values.set(d.spec.name, d.value);
      } catch {
        return; // not this app's: a state the board left from another
      }
    } else return;
    changed();
  });
  await client.subscribeAsync(["pinwire/" + id + "/log", "pinwire/" + id + "/state"]);

  // Resolves once test() gives a value; rejects after timeoutMs saying what was awaited.
  const until = <T>(test: () => T | undefined, what: () => string, timeoutMs: number): Promise<T> =>
    new Promise((res, rej) => {
      const check = () => {
        const v = test();
        if (v === undefined) return;
        clearTimeout(timer);
        waiters.delete(check);
        res(v);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        rej(new Error("timed out after " + timeoutMs + " ms waiting for " + what()));
      }, timeoutMs);
      waiters.add(check);
      check();
    });

  await vb.boot();
  return {
    id,
    board: vb,
    broker: broker.url,
    logs,
    waitForLog: (pattern, timeoutMs = 10000) =>
      until(
        () => logs.find((l) => (typeof pattern === "string" ? l.includes(pattern) : pattern.test(l))),
        () => "a log line matching " + String(pattern) + "; the board logged: " + JSON.stringify(logs.slice(-10)),
        timeoutMs,
      ),
    value: (name) => values.get(name),
    waitFor: (name, pred, timeoutMs = 10000) => {
      if (!table.byName.has(name)) return Promise.reject(new Error("no message " + name + " in the app"));
      return until(
        () => {
          const v = values.get(name);
          return v !== undefined && (!pred || pred(v)) ? v : undefined;
        },
        () => name + " (last reported: " + JSON.stringify(values.get(name)) + ")",
        timeoutMs,
      );
    },
    command: async (name, value) => {
      const spec = table.byName.get(name);
      if (!spec) throw new Error("no message " + name + " in the app");
      await client.publishAsync("pinwire/" + id + "/cmd", Buffer.from(table.encode(spec, value)), { qos: 1 });
    },
    async stop() {
      await vb.stop();
      await client.endAsync(true);
      await broker.close();
      rmSync(storage, { recursive: true, force: true });
    },
  };
}
