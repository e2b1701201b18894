// The maker's commands of `pinwire`: registerAppCommands(program) adds
//   init   a new app project (template/): declaration, logic, pinwire.json, tsconfig, a test
//   build  type check (board typings, Espruino rules), bundle, minify; sizes; errors at their lines
//   run    build, push over the air, then follow the board's log (--watch: again on every save)
//   logs   follow a board's log, status and OTA outcomes
//   test   the project's tests (node's test runner; pinwire/testing runs the app on a virtual board)
// Everything heavy (TypeScript, the bundler, mqtt) loads when its command runs.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, watch, type FSWatcher, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type Command, InvalidArgumentError } from "commander";
import type { MqttClient } from "mqtt";
import { BOARDS, type BoardName, isBoard } from "../shared/boards";
import { FlashError } from "../flash/errors";
import { initProject } from "./app/init";

function board(v: string): BoardName {
  if (!isBoard(v)) throw new InvalidArgumentError("one of " + BOARDS.join(", "));
  return v;
}

function int(v: string): number {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError("must be a whole number");
  return Number(v);
}

const kb = (n: number) => n.toLocaleString("en-US") + " B";
const secs = (ms: number) => (ms / 1000).toFixed(2) + " s";
const say = (line: string) => process.stdout.write(line + "\n");
// This checkout: what a new project depends on, and where the template is.
const root = join(dirname(fileURLToPath(import.meta.url)), "..");

// The broker the project's boards use: --broker, else the project's pinwire.json, else local.
function brokerOf(o: { broker?: string; config?: string }, projectConfig?: string): string {
  if (o.broker) return o.broker;
  const file = o.config ?? projectConfig;
  if (file && existsSync(file)) {
    try {
      const c = JSON.parse(readFileSync(file, "utf8"));
      if (typeof c.broker === "string") return c.broker;
    } catch (e) {
      throw new FlashError("config", file + " is not valid JSON: " + (e as Error).message);
    }
  }
  return "mqtt://127.0.0.1:1883";
}

// Ctrl-C / SIGTERM end a command that follows boards: the AbortSignal is raised, and the
// command returns once it has let go of the broker; a second signal exits at once.
function untilSignal(): { signal: AbortSignal; done(): void } {
  const stop = new AbortController();
  const on = () => {
    if (stop.signal.aborted) process.exit(130);
    stop.abort();
  };
  process.on("SIGINT", on);
  process.on("SIGTERM", on);
  return {
    signal: stop.signal,
    done: () => {
      process.off("SIGINT", on);
      process.off("SIGTERM", on);
    },
  };
}

const aborted = (s: AbortSignal) => new Promise<void>((r) => (s.aborted ? r() : s.addEventListener("abort", () => r(), { once: true })));

interface BuildFlags {
  board: BoardName;
  app?: string;
  out?: string;
  typecheck: boolean;
}

async function runBuild(entry: string | undefined, o: BuildFlags): Promise<void> {
  const { AppBuilder, findProject } = await import("./app/project");
  const { MODULES } = await import("../scripts/device-bundle.mjs");
  const project = findProject(entry, o.app);
  const b = await new AppBuilder(project, { typecheck: o.typecheck }).build(o.board);
  const out = resolve(o.out ?? join(project.dir, "dist", o.board));
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "app.js"), b.code, "latin1");
  const files = [project.entry, project.app].map((f) => relative(process.cwd(), f) || f).join(", ");
  say((o.typecheck ? "checked " + files + " in " + secs(b.ms.check) + "; " : "") + "bundled and minified in " + secs(b.ms.bundle));
  say(relative(process.cwd(), join(out, "app.js")) + "  " + kb(b.bytes) + "  (" + b.app.name + " " + b.app.version + " for " + o.board + ", script " + b.version + ")");
  const mods = MODULES.map((m) => ({ name: m.name, file: join(root, "dist", "device", o.board, m.file) })).filter((m) => existsSync(m.file));
  if (mods.length) say("runtime modules on the board (installed by pinwire flash): " + mods.map((m) => m.name + " " + kb(statSync(m.file).size)).join(", "));
  say("catalogue: " + b.app.messages + " message" + (b.app.messages === 1 ? "" : "s") + ", hash " + b.app.hash);
}

interface FollowFlags {
  broker?: string;
  username?: string;
  password?: string;
  config?: string;
}

async function runLogs(id: string | undefined, o: FollowFlags): Promise<void> {
  const { connectBroker } = await import("../flash/cli");
  const { follow, formatEvent } = await import("./app/follow");
  const url = brokerOf(o, existsSync("pinwire.json") ? "pinwire.json" : undefined);
  const s = untilSignal();
  const client = await connectBroker(url, o, "pinwire-logs-");
  try {
    const f = await follow(client, id ?? "+", (e) => say(formatEvent(e)));
    process.stderr.write("following " + (id ?? "every board") + " on " + url + " (Ctrl-C to stop)\n");
    await aborted(s.signal);
    await f.stop();
  } finally {
    s.done();
    await client.endAsync(true);
  }
}

interface RunFlags extends FollowFlags {
  device: string;
  board?: BoardName;
  app?: string;
  watch?: boolean;
  health?: number;
  typecheck: boolean;
}

// Calls fn when any of the files changes (saved in place or replaced by an editor's rename),
// once per burst of events. Directories are watched, so a file written anew is seen too.
function watchFiles(files: string[], fn: () => void): { set(files: string[]): void; close(): void } {
  let watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const set = (list: string[]) => {
    for (const w of watchers) w.close();
    // A build and push that ends after Ctrl-C sets the inputs again: watching anew would keep
    // the process from exiting.
    if (closed) return;
    const byDir = new Map<string, Set<string>>();
    for (const f of list) {
      const d = dirname(f);
      if (!byDir.has(d)) byDir.set(d, new Set());
      byDir.get(d)!.add(basename(f));
    }
    watchers = [...byDir].map(([d, names]) =>
      watch(d, (_ev, name) => {
        if (!name || !names.has(name.toString())) return;
        clearTimeout(timer);
        // Editors write a file in several steps: act once they have finished.
        timer = setTimeout(fn, 30);
      }),
    );
  };
  set(files);
  return {
    set,
    close: () => {
      closed = true;
      clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}

async function runRun(entry: string | undefined, o: RunFlags): Promise<void> {
  const { AppBuilder, BuildError, findProject } = await import("./app/project");
  const { connectBroker, describeResult } = await import("../flash/cli");
  const { announced } = await import("../flash/announced");
  const { pushScript } = await import("../flash/push");
  const { follow, formatEvent } = await import("./app/follow");
  const project = findProject(entry, o.app);
  const url = brokerOf(o, project.config);
  const s = untilSignal();
  let client: MqttClient | undefined;
  try {
    client = await connectBroker(url, o, "pinwire-run-");
    const c = client;
    const seen = (await announced(c, [o.device])).get(o.device);
    let kind: BoardName;
    if (seen?.board) {
      if (o.board && o.board !== seen.board) throw new FlashError("board", o.device + " announced itself as " + seen.board + ", not " + o.board + " (leave --board out)");
      kind = seen.board;
    } else if (o.board) kind = o.board;
    else throw new FlashError("no-device", o.device + " has not announced itself on " + url + " (no retained pinwire/" + o.device + "/info): is it running? Give --board to push to it anyway.");
    const builder = new AppBuilder(project, { typecheck: o.typecheck });
    const follower = await follow(c, o.device, (e) => say(formatEvent(e)));
    // The script the board runs: one with the same version (app version and CRC) is not pushed again.
    let running = typeof seen?.info?.script === "string" ? (seen.info.script as string) : "";
    let inputs: string[] = [project.entry, project.app];
    // One build and push at a time; a save during one asks for one more after it.
    let busy = false;
    let again = false;
    const cycle = async (): Promise<boolean> => {
      if (busy) {
        again = true;
        return true;
      }
      busy = true;
      let ok = true;
      try {
        do {
          again = false;
          let b;
          try {
            b = await builder.build(kind);
          } catch (e) {
            if (!(e instanceof BuildError)) throw e;
            process.stderr.write(e.message + "\n");
            say("run: build failed (" + e.diagnostics.length + " error" + (e.diagnostics.length === 1 ? "" : "s") + "); nothing pushed");
            ok = false;
            continue;
          }
          inputs = b.inputs;
          say("run: built " + b.app.name + " for " + kind + " in " + secs(b.ms.total) + (o.typecheck ? " (check " + secs(b.ms.check) + ")" : "") + ": " + kb(b.bytes) + ", script " + b.version);
          if (b.version === running) {
            say("run: " + o.device + " already runs script " + b.version + "; nothing pushed");
            continue;
          }
          const r = await pushScript(c, { id: o.device, image: Buffer.from(b.code, "latin1"), version: b.version, health: o.health, signal: s.signal });
          say("run: pushed in " + secs(r.ms) + ": " + describeResult(r));
          if (r.outcome === "updated") running = b.version;
          else ok = false;
        } while (again && !s.signal.aborted);
      } finally {
        busy = false;
      }
      return ok;
    };
    const first = await cycle();
    if (!o.watch && !first) process.exitCode = 1;
    const w = o.watch ? watchFiles(inputs, () => void cycle().then(() => w?.set(inputs))) : null;
    if (w) process.stderr.write("run: watching " + inputs.map((f) => relative(process.cwd(), f) || f).join(", ") + " (Ctrl-C to stop)\n");
    else process.stderr.write("run: following " + o.device + " (Ctrl-C to stop)\n");
    await aborted(s.signal);
    w?.close();
    await follower.stop();
  } finally {
    s.done();
    await client?.endAsync(true);
  }
}

function runInit(dir: string, o: { name?: string; force?: boolean }): void {
  const r = initProject(dir, o);
  const rel = relative(process.cwd(), r.dir) || ".";
  say("created " + r.name + " in " + r.dir + ": " + r.files.join(", "));
  say("next:\n  cd " + rel + "\n  npm install        # links pinwire from " + root + "\n  npm test           # the app on a virtual board\n  npx pinwire build  # type check, bundle, sizes\n  npx pinwire run --device <id> --watch");
}

// The project's tests with node's test runner, TypeScript through pinwire's own tsx.
function runTest(files: string[]): void {
  const find = (d: string): string[] =>
    existsSync(d) ? readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? (f === "node_modules" ? [] : find(join(d, f))) : /\.test\.ts$/.test(f) ? [join(d, f)] : [])) : [];
  const list = files.length ? files : find("test");
  if (!list.length) throw new FlashError("test", "no test files (test/**/*.test.ts) in " + process.cwd());
  const tsx = createRequire(import.meta.url).resolve("tsx/esm");
  const r = spawnSync(process.execPath, ["--import", pathToFileURL(tsx).href, "--test", ...list], { stdio: "inherit" });
  process.exitCode = r.status ?? 1;
}

export function registerAppCommands(program: Command): void {
  program
    .command("init <dir>")
    .description("start an app project in <dir>: declaration (app.ts), logic (main.ts), pinwire.json, tsconfig with the board typings, a test on the virtual board")
    .option("--name <name>", "the app's name (default: the directory's name)")
    .option("--force", "write into a directory that is not empty")
    .action((dir: string, o) => runInit(dir, o));

  program
    .command("build [entry]")
    .description("type-check (board typings, Espruino rules), bundle and minify an app for a board; sizes printed (default entry main.ts, declaration app.ts beside it)")
    .option("--board <board>", "esp8266, esp32 or linux", board, "esp8266")
    .option("--app <file>", "the app's declaration (default: app.ts beside the entry)")
    .option("--out <dir>", "where app.js goes (default: dist/<board>/ beside the entry)")
    .option("--no-typecheck", "skip the type check (the ES5 gate still runs)")
    .action((entry: string | undefined, o: BuildFlags) => runBuild(entry, o));

  const followOptions = (c: Command) =>
    c
      .option("--broker <url>", "broker URL (default: pinwire.json's broker, else mqtt://127.0.0.1:1883)")
      .option("--username <name>", "broker username")
      .option("--password <password>", "broker password (or PINWIRE_BROKER_PASSWORD)")
      .option("--config <file>", "read the broker from this pinwire.json");

  followOptions(
    program
      .command("run [entry]")
      .description("build an app, push it over the air to a board, then follow the board's log until Ctrl-C; --watch builds and pushes again on every save")
      .requiredOption("--device <id>", "the board")
      .option("--board <board>", "its kind, when it has not announced one", board)
      .option("--app <file>", "the app's declaration (default: app.ts beside the entry)")
      .option("--watch", "build and push again whenever a file of the app changes")
      .option("--health <s>", "seconds the new script has to connect before rollback", int)
      .option("--no-typecheck", "skip the type check (the ES5 gate still runs)"),
  ).action((entry: string | undefined, o: RunFlags) => runRun(entry, o));

  followOptions(program.command("logs [id]").description("follow a board's log (every board's without an id), its status and OTA outcomes, until Ctrl-C")).action(
    (id: string | undefined, o: FollowFlags) => runLogs(id, o),
  );

  program
    .command("test [files...]")
    .description("run the project's tests (test/**/*.test.ts) with node's test runner")
    .action((files: string[]) => runTest(files));
}
