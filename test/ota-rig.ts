// Rig for the OTA and flash suites: Aedes on a free loopback port (with a hook to tamper with
// what it forwards), a counting TCP proxy between the virtual board and the broker (wire
// bytes, and a way to cut the board's connection), virtual boards flashed with the same
// Storage files `pinwire flash` writes, and a host mqtt.js client for the pusher.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, afterEach, beforeAll } from "vitest";
import { parse } from "acorn";
import { bundleES5, MODULES, root } from "../scripts/device-bundle.mjs";
import { VirtualBoard, PROFILES, type BoardName } from "../host/vboard";
import { flashFiles } from "../flash/usb";
import {
  chunkOffset,
  decodeBoot,
  decodeCaps,
  encodeHello,
  errCode,
  msgTag,
  msgType,
  OTA_ACK,
  OTA_CAPS,
  OTA_CHUNK,
  OTA_DONE,
  OTA_HELLO,
  OTA_MANIFEST,
  OTA_READY,
  otaReplyTopic,
  otaStatusTopic,
  otaTopic,
} from "../shared/ota";
import { tempDir } from "./host-helpers";
import { startAedes, type TestBroker } from "./helpers/broker";

// The suites' one broker and one proxy (test/helpers): Aedes with its forward hook, and the
// proxy counting the bytes both ways.
export { startProxy, type Proxy } from "./helpers/proxy";
export type Broker = TestBroker;
export const startBroker = (): Promise<Broker> => startAedes();

// The host side: what `pinwire push` uses.
export function hostClient(url: string): Promise<MqttClient> {
  return mqtt.connectAsync(url, { reconnectPeriod: 100, queueQoSZero: false, clientId: "test-push-" + Math.random().toString(16).slice(2) });
}

// A broker and a host client shared by one test file's tests (started before them, stopped
// after them), and the boards a test made (pushed to `boards`), closed after each test.
export interface FileRig {
  broker: Broker;
  host: MqttClient;
  boards: Board[];
}

export function fileRig(): FileRig {
  const r = { boards: [] as Board[] } as FileRig;
  beforeAll(async () => {
    r.broker = await startBroker();
    r.host = await hostClient(r.broker.url);
  });
  afterAll(async () => {
    await r.host.endAsync(true);
    await r.broker.close();
  });
  afterEach(async () => {
    for (const b of r.boards.splice(0)) await b.close();
  });
  return r;
}

export interface Board {
  id: string;
  vb: VirtualBoard;
  dir: string;
  out(): string;
  close(): Promise<void>;
}

// The board bundle the global setup built. Other test runs in the same tree rebuild dist/
// while this one reads it, so a bundle that does not parse is built again in-process; it is
// read once per process and reused.
const bundles = new Map<string, string>();
const modules = new Map<string, { name: string; data: Buffer }[]>();

export async function loadBundle(name: BoardName): Promise<string> {
  let code = bundles.get(name);
  if (code) return code;
  code = readFileSync(join(root, "dist", "device", name, "app.js"), "latin1");
  try {
    parse(code, { ecmaVersion: 5 });
  } catch {
    code = await bundleES5("device/main.ts", { PINWIRE_BOARD: name });
  }
  bundles.set(name, code);
  const mods: { name: string; data: Buffer }[] = [];
  for (const m of MODULES) {
    let c = readFileSync(join(root, "dist", "device", name, m.file), "latin1");
    try {
      parse(c, { ecmaVersion: 5 });
    } catch {
      c = await bundleES5(m.entry, { PINWIRE_BOARD: name }, [], { module: true });
    }
    mods.push({ name: m.name, data: Buffer.from(c, "latin1") });
  }
  modules.set(name, mods);
  return code;
}

// The Storage modules (pw.ota, pw.ws) of the bundle loadBundle read.
export function appModules(name: BoardName): { name: string; data: Buffer }[] {
  const m = modules.get(name);
  if (!m) throw new Error("call loadBundle('" + name + "') first");
  return m;
}

export function appBundle(name: BoardName): string {
  const code = bundles.get(name);
  if (!code) throw new Error("call loadBundle('" + name + "') first");
  return code;
}

// The app with another version constant: a "new release" of the same script.
export function appWithVersion(name: BoardName, version: string): string {
  const app = appBundle(name);
  const cur = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;
  const at = app.indexOf(JSON.stringify(cur));
  if (at < 0 || app.indexOf(JSON.stringify(cur), at + 1) >= 0) throw new Error("version literal not found exactly once in the bundle");
  return app.slice(0, at) + JSON.stringify(version) + app.slice(at + JSON.stringify(cur).length);
}

// A board flashed as `pinwire flash` would, connecting through `port` (the proxy or broker).
export async function flashedBoard(id: string, port: number, name: BoardName = "esp8266", extra: object = {}, consolePort?: number): Promise<Board> {
  await loadBundle(name);
  const { dir, cleanup } = tempDir("pinwire-ota-");
  let text = "";
  const vb = new VirtualBoard({ board: name, storageDir: dir, console: (t) => (text += t), consolePort });
  const cfg = { id, broker: "mqtt://127.0.0.1:" + port, ...extra };
  for (const f of await flashFiles(name, cfg, appBundle(name), appModules(name))) vb.storage.write(f.name, f.data);
  return {
    id,
    vb,
    dir,
    out: () => text,
    async close() {
      await vb.stop();
      cleanup();
    },
  };
}

// Resolves with the first BOOT status (pinwire/<id>/ota/s) that satisfies pred.
export function bootStatus(c: MqttClient, id: string, pred: (b: ReturnType<typeof decodeBoot>) => boolean = () => true): Promise<ReturnType<typeof decodeBoot>> {
  const topic = otaStatusTopic(id);
  return new Promise((resolve) => {
    const on = (t: string, p: Buffer) => {
      if (t !== topic) return;
      const b = decodeBoot(new Uint8Array(p));
      if (!pred(b)) return;
      c.removeListener("message", on);
      resolve(b);
    };
    c.on("message", on);
    c.subscribe(topic);
  });
}

// Asks board `id` for a challenge as a pusher does (HELLO with `tag`): the one its next MANIFEST
// must carry.
export async function challengeOf(c: MqttClient, id: string, tag: number): Promise<Uint8Array> {
  const topic = otaReplyTopic(id);
  const caps = new Promise<Uint8Array>((resolve) => {
    const on = (t: string, p: Buffer) => {
      const u = new Uint8Array(p);
      if (t !== topic || msgType(u) !== OTA_CAPS || msgTag(u) !== tag) return;
      c.removeListener("message", on);
      resolve(Uint8Array.from(decodeCaps(u).challenge));
    };
    c.on("message", on);
  });
  await c.subscribeAsync(topic);
  await c.publishAsync(otaTopic(id), Buffer.from(encodeHello(tag)));
  return caps;
}

// An eavesdropper on the broker: records what pushers publish to board `id` (HELLO, MANIFEST,
// CHUNKs) and plays it back later under another tag, message by message, each after the board's
// answer to the one before. `splice` puts the challenge of the board's fresh CAPS into the
// recorded MANIFEST (what an attacker can do to an unsigned one). Resolves with the board's
// answers: "caps", "ready", "ack", "done", or an ERR's code.
export interface Recorder {
  msgs: Uint8Array[];
  replay(tag: number, splice?: boolean): Promise<string[]>;
  close(): Promise<void>;
}

export async function recordPushes(url: string, id: string): Promise<Recorder> {
  const c = await hostClient(url);
  const msgs: Uint8Array[] = [];
  let waiting: ((b: Uint8Array) => void) | null = null;
  let replyTag = -1;
  c.on("message", (t, p) => {
    const u = Uint8Array.from(p);
    if (t === otaTopic(id)) msgs.push(u);
    else if (t === otaReplyTopic(id) && msgTag(u) === replyTag && waiting) waiting(u);
  });
  await c.subscribeAsync([otaTopic(id), otaReplyTopic(id)]);
  const send = (b: Uint8Array): Promise<Uint8Array> =>
    new Promise((resolve) => {
      waiting = (r) => {
        waiting = null;
        resolve(r);
      };
      c.publish(otaTopic(id), Buffer.from(b));
    });
  const names: Record<number, string> = { [OTA_CAPS]: "caps", [OTA_READY]: "ready", [OTA_ACK]: "ack", [OTA_DONE]: "done" };
  const answer = (r: Uint8Array): string => names[msgType(r)] ?? errCode(r);
  return {
    msgs,
    async replay(tag, splice = false) {
      replyTag = tag;
      const retag = (b: Uint8Array) => {
        const x = Uint8Array.from(b);
        x[1] = tag >> 8;
        x[2] = tag & 255;
        return x;
      };
      const hello = msgs.find((m) => msgType(m) === OTA_HELLO)!;
      const manifest = retag(msgs.find((m) => msgType(m) === OTA_MANIFEST)!);
      const seen = new Set<number>();
      const chunks = msgs.filter((m) => msgType(m) === OTA_CHUNK && !seen.has(chunkOffset(m)) && seen.add(chunkOffset(m)));
      const out: string[] = [];
      const caps = await send(retag(hello));
      out.push(answer(caps));
      if (splice) manifest.set(decodeCaps(caps).challenge, 18);
      out.push(answer(await send(manifest)));
      for (const ch of chunks) out.push(answer(await send(retag(ch))));
      return out;
    },
    close: () => c.endAsync(true),
  };
}
