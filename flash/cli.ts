// The flash/push subcommands of `pinwire`: registerFlashCommands(program) adds
//   flash     bundle + boot loader + config onto a board over USB serial or tcp:// console
//   firmware  an Espruino firmware file onto an ESP8266/ESP32 with esptool-js
//   push      a script over the air through the broker, to one device or the fleet
// Failures the user can fix are FlashError: one line on stderr, exit 1.
import { existsSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import { constants as osConstants } from "node:os";
import { type Command, InvalidArgumentError } from "commander";
import { MultiBar, Presets, SingleBar } from "cli-progress";
import type { MqttClient } from "mqtt";
import { BOARDS, type BoardName, isBoard } from "../shared/boards";
import { crc32 } from "../shared/crc32";
import { FlashError } from "./errors";
import { OUTCOME_TEXT } from "./outcome-text";
import type { PushResult } from "./push";
import { type Announced, announced } from "./announced";

// The modules behind each command (bundler, serial ports, esptool-js, mqtt) load when the
// command runs, so the other pinwire commands do not pay for them at start-up.
const CONFIG_FILE = "pinwire.json";

function int(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError("must be a whole number");
  return n;
}

function board(v: string): string {
  if (!isBoard(v)) throw new InvalidArgumentError("one of " + BOARDS.join(", "));
  return v;
}

function hexKey(v: string): string {
  if (!/^([0-9a-fA-F]{2}){8,64}$/.test(v)) throw new InvalidArgumentError("a hex key of 8 to 64 bytes");
  return v.toLowerCase();
}

function readJson(file: string, what: string): any {
  if (!existsSync(file)) throw new FlashError("config", "no " + what + " file " + file);
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new FlashError("config", file + " is not valid JSON: " + (e as Error).message);
  }
}

function bar(label: string): SingleBar {
  return new SingleBar(
    { format: label + " [{bar}] {percentage}% | {value}/{total} B | {rate} KB/s", hideCursor: true, clearOnComplete: false, stream: process.stderr },
    Presets.shades_classic,
  );
}

// A progress bar on stderr when it is a terminal: `update(done, total)` starts it on the
// first call; `stop()` ends it. Without a terminal both do nothing.
function progress(label: string): { update: (done: number, total: number) => void; stop: () => void; shown: boolean } {
  const b = process.stderr.isTTY ? bar(label) : null;
  const t0 = Date.now();
  let started = false;
  return {
    shown: !!b,
    update: (done, total) => {
      if (!b) return;
      if (!started) b.start(total, 0, { rate: "0" });
      started = true;
      b.update(done, { rate: rate(done, t0) });
    },
    stop: () => b?.stop(),
  };
}

// KB/s since t0, for the bars.
function rate(bytes: number, t0: number): string {
  const s = (Date.now() - t0) / 1000;
  return s > 0 ? (bytes / 1024 / s).toFixed(1) : "0";
}


export function describeResult(r: PushResult): string {
  if (r.outcome === "installed") return r.id + ": installed, restarting (" + r.size + " B in " + (r.ms / 1000).toFixed(2) + " s)";
  if (r.outcome === "updated") return r.id + ": updated to " + r.version + " (" + r.size + " B in " + (r.ms / 1000).toFixed(2) + " s" + (r.resumes ? ", resumed " + r.resumes + "x" : "") + ")";
  const text = (r.code && OUTCOME_TEXT[r.code]) || r.outcome + (r.code ? " (" + r.code + ")" : "");
  // After a rollback, the error the new script threw, as the board logged it.
  const running = r.outcome === "rolled-back" || r.code === "downgrade";
  return r.id + ": " + text + (r.error ? ": " + r.error : "") + (running ? "; running " + (r.version || "the previous script") : "");
}

interface PushFlags {
  device?: string;
  all?: boolean;
  board?: string;
  entry?: string;
  app?: string;
  broker?: string;
  username?: string;
  password?: string;
  config?: string;
  scriptVersion?: string;
  key?: string;
  keys?: string;
  health?: number;
  boots?: number;
  allowDowngrade?: boolean;
  chunk?: number;
  progress: boolean;
  wait?: boolean;
}

// The app a push builds when no script is given: --entry's project, else the project in the
// current directory (main.ts and app.ts), else the reference app.
async function pushProject(o: PushFlags) {
  const { findProject } = await import("../host/app/project");
  if (o.entry) return findProject(o.entry, o.app);
  if (existsSync("main.ts") && existsSync(o.app ?? "app.ts")) return findProject("main.ts", o.app);
  const { REFERENCE_APP } = await import("../host/app/build");
  return findProject(REFERENCE_APP.main, REFERENCE_APP.app);
}

// The kind of board a device gets its build for: the one it announced; --board only for a
// device that has announced none, and never against the one it announced.
function targetKind(a: Announced | undefined, flag: string | undefined): { board?: BoardName; refuse?: string } {
  if (a?.board) return flag && flag !== a.board ? { refuse: "board-mismatch" } : { board: a.board };
  if (flag && isBoard(flag)) return { board: flag };
  return { refuse: "board-unknown" };
}

export async function runPush(
  script: string | undefined,
  o: PushFlags,
  out: (line: string) => void = (l) => process.stdout.write(l + "\n"),
  signal?: AbortSignal,
): Promise<PushResult[]> {
  if (!o.device === !o.all) throw new FlashError("usage", "give --device <id> or --all");
  const cfg = o.config ? readJson(o.config, "config") : existsSync(CONFIG_FILE) ? readJson(CONFIG_FILE, "config") : {};
  const brokerUrl = o.broker ?? cfg.broker ?? "mqtt://127.0.0.1:1883";
  // A script given as a file goes as it is, to every device.
  let given: { image: Buffer; version: string } | null = null;
  if (script) {
    if (!existsSync(script)) throw new FlashError("script", "no such script " + script);
    const image = readFileSync(script);
    given = { image, version: o.scriptVersion ?? basename(script).replace(/\.js$/, "") + "-" + crc32(image).toString(16).padStart(8, "0") };
  }
  const project = given ? null : await pushProject(o);
  const keys: Record<string, string> = o.keys ? readJson(o.keys, "keys") : {};
  const { pushScript } = await import("./push");
  const client = await connectBroker(brokerUrl, o, "pinwire-push-");
  try {
    const seen = await announced(client, o.device ? [o.device] : undefined);
    const ids = o.device ? [o.device] : [...seen.values()].filter((a) => a.ota).map((a) => a.id).sort();
    if (!ids.length) throw new FlashError("no-devices", "no device with OTA support has reported on " + brokerUrl);
    const targets = ids.map((id) => ({ id, ...(given ? {} : targetKind(seen.get(id), o.board)) }));
    // One build per kind of board among the devices.
    const builds = new Map<BoardName, { image: Buffer; version: string }>();
    if (project) {
      const { AppBuilder } = await import("../host/app/project");
      const builder = new AppBuilder(project);
      for (const kind of new Set(targets.flatMap((t) => (t.board ? [t.board] : [])))) {
        const b = await builder.build(kind);
        builds.set(kind, { image: Buffer.from(b.code, "latin1"), version: o.scriptVersion ?? b.version });
        out("built " + b.app.name + " for " + kind + ": " + b.bytes + " B, script " + b.version + " (" + (b.ms.total / 1000).toFixed(2) + " s)");
      }
    }
    const bars = o.progress && process.stderr.isTTY ? new MultiBar({ format: "{id} [{bar}] {percentage}% | {value}/{total} B | {phase}", hideCursor: true, stream: process.stderr }, Presets.shades_classic) : null;
    const results = await Promise.all(
      targets.map((t) => {
        const img = given ?? (t.board ? builds.get(t.board) : undefined);
        if (!img) return Promise.resolve<PushResult>({ id: t.id, outcome: "refused", code: t.refuse, size: 0, payloadBytes: 0, ms: 0, resumes: 0 });
        const b = bars?.create(img.image.length, 0, { id: t.id.padEnd(12), phase: "hello" });
        const key = o.key ?? keys[t.id];
        return pushScript(client, {
          id: t.id,
          image: img.image,
          version: img.version,
          key: key ? Buffer.from(hexKey(key), "hex") : undefined,
          health: o.health,
          boots: o.boots,
          allowDowngrade: o.allowDowngrade,
          maxChunk: o.chunk,
          waitBoot: o.wait !== false,
          onProgress: (done) => b?.update(done),
          onPhase: (phase) => b?.update({ phase }),
          signal,
        });
      }),
    );
    bars?.stop();
    for (const r of results) out(describeResult(r));
    return results;
  } finally {
    // Interrupted: the ABORTs are acknowledged (or given up on); do not wait for anything else.
    await client.endAsync(!!signal?.aborted);
  }
}

export interface BrokerLogin {
  username?: string;
  password?: string;
}

// The host's MQTT connection for pushing and following devices.
export async function connectBroker(brokerUrl: string, o: BrokerLogin, prefix: string): Promise<MqttClient> {
  const { default: mqtt } = await import("mqtt");
  return mqtt
    .connectAsync(brokerUrl, {
      username: o.username,
      password: o.password ?? process.env.PINWIRE_BROKER_PASSWORD,
      reconnectPeriod: 500,
      connectTimeout: 10000,
      // A chunk published while disconnected is stale by the time we reconnect: drop it.
      queueQoSZero: false,
      clientId: prefix + process.pid + "-" + Math.floor(Math.random() * 1e6),
    })
    .catch((e) => {
      throw new FlashError("broker", "cannot connect to the broker " + brokerUrl + ": " + e.message);
    });
}

export function registerFlashCommands(program: Command): void {
  program
    .command("flash")
    .description("write pinwire (boot loader, app, config) to a board's Storage over USB serial or its tcp:// console, verify by CRC32 and restart it")
    .requiredOption("--board <board>", "esp8266, esp32 or linux", board)
    .option("--port <port>", "serial port (/dev/ttyUSB0) or tcp://host[:23]; default: the only serial port")
    .option("--config <file>", "the board's config", CONFIG_FILE)
    .option("--baud <n>", "serial speed", int, 115200)
    .option("--app <file>", "a prebuilt app bundle (default: build dist/device/<board>/app.js now)")
    .option("--no-run", "do not restart into the new script")
    .option("--timeout <s>", "give up after this many seconds", int, 180)
    .action(async (o) => {
      const config = readJson(o.config, "config");
      const { flashBoard } = await import("./usb");
      const p = progress("flash");
      const r = await flashBoard({
        board: o.board,
        port: o.port,
        config,
        app: o.app ? readFileSync(o.app, "latin1") : undefined,
        baud: o.baud,
        run: o.run,
        timeoutMs: o.timeout * 1000,
        onProgress: p.update,
      });
      p.stop();
      for (const f of r.files) process.stdout.write(f.name + "\t" + f.bytes + " B\tCRC32 " + f.crc.toString(16).padStart(8, "0") + " verified\n");
      process.stdout.write("flashed " + o.board + " on " + r.port + " in " + (r.ms / 1000).toFixed(1) + " s" + (o.run ? "; restarted" : "") + "\n");
    });

  program
    .command("firmware")
    .description("write an Espruino firmware you downloaded to an ESP8266/ESP32 (esptool-js over serial)")
    .requiredOption("--board <board>", "esp8266 or esp32")
    .requiredOption("--file <path>", "a combined image, or the unzipped firmware folder")
    .option("--port <port>", "serial port; default: the only one")
    .option("--baud <n>", "flashing speed", int, 460800)
    .option("--flash-size <size>", "ESP8266: 512KB, 1MB, 2MB or 4MB (default from the file name, else 4MB)")
    .option("--flash-mode <mode>", "qio, qout, dio or dout", "dio")
    .action(async (o) => {
      const { listPorts, pickPort } = await import("./ports");
      const { writeFirmware } = await import("./firmware");
      const port = o.port ?? pickPort(await listPorts());
      const p = progress("firmware");
      const r = await writeFirmware({
        board: o.board,
        file: o.file,
        port,
        baud: o.baud,
        flashSize: o.flashSize,
        flashMode: o.flashMode,
        log: (l) => process.stderr.write(p.shown ? "" : l + "\n"),
        onProgress: p.update,
      });
      p.stop();
      process.stdout.write("wrote " + r.bytes + " B of Espruino firmware to the " + r.chip + " on " + port + "\n");
    });

  program
    .command("push [script]")
    .description("push a script over the air through the broker (default: the app built for --board)")
    .option("--device <id>", "one device")
    .option("--all", "every device that reports OTA status on the broker")
    .option("--board <board>", "board kind to build for, for a device that has not announced its own (default: each device's announced kind)", board)
    .option("--entry <file>", "the app's logic file to build (default: main.ts here if there is one, else the reference app)")
    .option("--app <file>", "its declaration (default: app.ts beside the logic file)")
    .option("--broker <url>", "broker URL (default: pinwire.json's broker, else mqtt://127.0.0.1:1883)")
    .option("--username <name>", "broker username")
    .option("--password <password>", "broker password (or PINWIRE_BROKER_PASSWORD)")
    .option("--config <file>", "read the broker from this pinwire.json")
    .option("--script-version <v>", "version the device reports for the script (printable ASCII)")
    .option("--key <hex>", "OTA signing key (the device's otaKey)", hexKey)
    .option("--keys <file>", 'per-device keys: {"<id>": "<hex>"}')
    .option("--health <s>", "seconds the new script has to connect before rollback", int)
    .option("--boots <n>", "failed boots allowed before rollback", int)
    .option("--allow-downgrade", "install a script whose version is older than the one the device runs")
    .option("--chunk <bytes>", "smaller chunks than the device's own", int)
    .option("--no-progress", "no progress bars")
    .option("--no-wait", "do not wait for the device to boot the new script and report")
    .action(async (script: string | undefined, o: PushFlags) => {
      // Ctrl-C / SIGTERM: every session in progress sends the board an ABORT before the
      // process exits (a board would otherwise refuse pushes as "busy" until the session
      // times out). A second signal exits at once.
      const stop = new AbortController();
      let caught: NodeJS.Signals | null = null;
      const onSignal = (sig: NodeJS.Signals) => {
        if (caught) process.exit(128 + osConstants.signals[sig]);
        caught = sig;
        process.stderr.write("pinwire: " + sig + ": aborting the push (again to quit at once)\n");
        stop.abort();
      };
      process.on("SIGINT", onSignal);
      process.on("SIGTERM", onSignal);
      let results: PushResult[];
      try {
        results = await runPush(script, o, undefined, stop.signal);
      } finally {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
      }
      if (caught) process.exit(128 + osConstants.signals[caught as NodeJS.Signals]);
      if (results.some((r) => r.outcome !== "updated" && r.outcome !== "installed")) process.exitCode = 1;
    });
}
