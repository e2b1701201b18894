// `pinwire flash` end to end: the real `espruino` CLI uploads to the virtual board's TCP
// console (as to an ESP8266's telnet console), the CRC32s are read back from the board, and
// after a virtual reset the flashed app runs from Storage and comes online on the broker.
import net from "node:net";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { registerFlashCommands } from "../flash/cli";
import { FlashError } from "../flash/ports";
import { flashBoard, flashFiles, storageNeeded, uploadTextLength } from "../flash/usb";
import { crc32 } from "../shared/crc32";
import { BOOT_RUNNING } from "../shared/ota";
import { PROFILES, VirtualBoard } from "../host/vboard";
import { root } from "../scripts/device-bundle.mjs";
import { appBundle, type Board, bootStatus, fileRig, flashedBoard } from "./ota-rig";
import { startProxy, type Proxy } from "./helpers/proxy";
import { tempDir } from "./host-helpers";
// @ts-expect-error binding-mock's package "exports" carry no types entry
import { MockBinding } from "@serialport/binding-mock";
import type { Binding } from "../flash/ports";

// A serialport binding whose one port is a "USB cable" to the board's TCP console: what is
// written to the port goes to the console, what the console prints arrives on the port.
function cableTo(consolePort: number): Binding {
  MockBinding.reset();
  MockBinding.createPort("/dev/ttyUSB0", { vendorId: "10c4", manufacturer: "Silicon Labs" });
  return {
    list: () => MockBinding.list(),
    async open(opts: object) {
      const port = await MockBinding.open(opts);
      const sock = net.connect(consolePort, "127.0.0.1");
      await new Promise((r) => sock.once("connect", r));
      sock.on("data", (d) => port.isOpen && port.emitData(d));
      const write = port.write.bind(port);
      port.write = async (b: Buffer) => {
        sock.write(b);
        return write(b);
      };
      const close = port.close.bind(port);
      port.close = async () => {
        sock.destroy();
        return close();
      };
      return port;
    },
  } as Binding;
}

const rig = fileRig();

// A board with an empty Storage and its console on a free port.
async function blankBoard(id: string): Promise<Board> {
  const b = await flashedBoard(id, rig.broker.port, "esp8266", {}, 0);
  b.vb.storage.eraseAll();
  await b.vb.boot();
  return b;
}

// Forwards a console connection, changing one base64 character of the first pw.a piece: a
// transmission error the CRC read-back must catch.
function corruptingProxy(target: number): Promise<Proxy> {
  const marker = '"pw.a",atob("';
  let tail = "";
  let done = false;
  return startProxy(target, {
    transform(dir, d) {
      if (dir !== "up" || done) return d;
      const s = tail + d.toString("latin1");
      const i = s.indexOf(marker);
      if (i >= 0) {
        const at = i + marker.length - tail.length;
        if (at >= 0 && at < d.length) {
          d = Buffer.from(d);
          d[at] = d[at] === 0x41 ? 0x42 : 0x41;
          done = true;
        }
      }
      tail = s.slice(-marker.length);
      return d;
    },
  });
}

describe("pinwire flash over a tcp:// console with the espruino CLI", () => {
  it("writes loader, app, state and config, verifies them, and the app runs after a reset", async () => {
    const b = await blankBoard("usb1");
    const { dir, cleanup } = tempDir("pinwire-flash-cfg-");
    try {
      const cfg = { id: "usb1", broker: rig.broker.url };
      const cfgFile = join(dir, "pinwire.json");
      writeFileSync(cfgFile, JSON.stringify(cfg));
      const program = new Command().exitOverride();
      registerFlashCommands(program);
      const app = join(dir, "app.js");
      writeFileSync(app, appBundle("esp8266"), "latin1");
      await program.parseAsync(["node", "pinwire", "flash", "--board", "esp8266", "--port", "tcp://127.0.0.1:" + b.vb.consolePort, "--config", cfgFile, "--app", app, "--no-run"]);
      const want = await flashFiles("esp8266", cfg, appBundle("esp8266"));
      // An MQTT-over-TCP config gets the OTA module but not the WebSocket one.
      expect(want.map((f) => f.name)).toEqual([".bootcde", "pw.a", "pw.ota", "pw.st", "pinwire.json"]);
      for (const f of want) expect(crc32(b.vb.storage.read(f.name)!), f.name).toBe(crc32(f.data));
      expect(b.vb.storage.read(".bootcde")!.toString()).toContain("pw.st");
      const online = bootStatus(rig.host, "usb1", (s) => s.state === BOOT_RUNNING);
      await b.vb.reset();
      expect(await online).toMatchObject({ version: JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version });
    } finally {
      cleanup();
      await b.close();
    }
  });

  it("reports progress up to the upload size and refuses an upload whose CRC32 reads back wrong", async () => {
    const b = await blankBoard("usb2");
    const proxy = await corruptingProxy(b.vb.consolePort!);
    try {
      const cfg = { id: "usb2", broker: rig.broker.url };
      const seen: [number, number][] = [];
      const err = await flashBoard({ board: "esp8266", port: "tcp://127.0.0.1:" + proxy.port, config: cfg, app: appBundle("esp8266"), run: false, onProgress: (n, t) => seen.push([n, t]) }).catch((e) => e);
      expect(err).toBeInstanceOf(FlashError);
      expect(err.code).toBe("verify");
      expect(err.message).toContain("pw.a");
      const total = seen[0][1];
      expect(seen.every(([n], i) => i === 0 || n >= seen[i - 1][0])).toBe(true);
      // The estimate of the CLI's upload text is close to what it sent.
      expect(seen.at(-1)![0]).toBeGreaterThan(total * 0.9);
      const files = await flashFiles("esp8266", cfg, appBundle("esp8266"));
      expect(total).toBeGreaterThan(files.reduce((n, f) => n + uploadTextLength(f.name, f.data.length), 0));
    } finally {
      await proxy.close();
      await b.close();
    }
  });

  it("writes the WebSocket module only for a ws:// broker or the gateway", async () => {
    const names = async (cfg: object) => (await flashFiles("esp8266", cfg, appBundle("esp8266"))).map((f) => f.name);
    expect(await names({ id: "w1", broker: "ws://127.0.0.1:1/mqtt" })).toEqual([".bootcde", "pw.a", "pw.ota", "pw.ws", "pw.st", "pinwire.json"]);
    expect(await names({ id: "w2", gateway: "ws://127.0.0.1:1/ws/w2" })).toContain("pw.ws");
    expect(await names({ id: "w3", broker: "mqtt://127.0.0.1:1" })).not.toContain("pw.ws");
  });

  it("refuses a config the board cannot use before touching the board", async () => {
    await expect(flashBoard({ board: "esp8266", port: "tcp://127.0.0.1:1", config: { id: "x y", broker: rig.broker.url } })).rejects.toMatchObject({ code: "config" });
    await expect(flashBoard({ board: "esp8266", port: "tcp://127.0.0.1:1", config: { id: "ok", broker: "mqtts://h:8883" } })).rejects.toMatchObject({ code: "config" });
  });

  it("over a USB serial port (the only one there is), with the CLI's pauses between Storage writes", async () => {
    const b = await blankBoard("usb3");
    try {
      // A small app and no modules: over serial the CLI waits 250 ms after each 384-byte piece.
      const app = 'print("hello from pw.a")';
      const r = await flashBoard({ board: "esp8266", config: { id: "usb3", broker: rig.broker.url }, app, modules: [], binding: cableTo(b.vb.consolePort!) });
      expect(r.port).toBe("/dev/ttyUSB0");
      expect(r.files.map((f) => f.name)).toEqual([".bootcde", "pw.a", "pw.st", "pinwire.json"]);
      expect(b.vb.storage.read("pw.a")!.toString()).toBe(app);
      // run: true restarted it into the boot loader, which ran the app.
      await b.vb.waitForOutput("hello from pw.a");
    } finally {
      MockBinding.reset();
      await b.close();
    }
  });

  it("refuses a board whose Storage cannot hold pinwire and one update (an ESP8266 with 512 KB of flash), writing nothing", async () => {
    const { dir, cleanup } = tempDir("pinwire-flash-512k-");
    const vb = new VirtualBoard({ board: "esp8266", storageDir: dir, consolePort: 0, storageBytes: 16384 });
    try {
      await vb.boot();
      const cfg = { id: "small1", broker: rig.broker.url };
      const err = await flashBoard({ board: "esp8266", port: "tcp://127.0.0.1:" + vb.consolePort, config: cfg, app: appBundle("esp8266"), run: false }).catch((e) => e);
      expect(err).toBeInstanceOf(FlashError);
      expect(err.code).toBe("storage");
      expect(err.message).toMatch(/Storage holds 16\.0 KB/);
      expect(err.message).toContain("4 MB of flash");
      expect(vb.storage.list()).toEqual([]);
      // The same files and an update fit the 64 KB of a 4 MB module.
      const need = storageNeeded(await flashFiles("esp8266", cfg, appBundle("esp8266")));
      expect(need).toBeGreaterThan(16384);
      expect(need).toBeLessThan(PROFILES.esp8266.storageBytes);
    } finally {
      await vb.stop();
      cleanup();
    }
  });

  it("says so when nothing answers at the console, before writing", async () => {
    const silent = net.createServer((s) => s.resume()); // reads, never answers
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    try {
      const port = (silent.address() as net.AddressInfo).port;
      const err = await flashBoard({ board: "esp8266", port: "tcp://127.0.0.1:" + port, config: { id: "q1", broker: rig.broker.url }, app: "1", modules: [], answerMs: 300 }).catch((e) => e);
      expect(err).toBeInstanceOf(FlashError);
      expect(err.code).toBe("no-answer");
      expect(err.message).toContain("did not answer");
    } finally {
      silent.close();
    }
  });
});
