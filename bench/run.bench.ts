// Edit -> running on a virtual board: `pinwire run --watch` against the `espruino` CLI, on the
// same board in the same run. A project made by `pinwire init` (npm install linking this
// checkout); a virtual ESP8266 started by `pinwire sim --console <port>` (its own process, laid
// out as `pinwire flash` lays out a chip, its REPL on TCP); Aedes as the broker.
//   pinwire: one line of main.ts changed (the text of its start-up log line), timed from the
//     write until that line arrives from the board on pinwire/<id>/log; `pinwire run` prints
//     its build time (type check, bundle, minify) and push time (HELLO to the board's report
//     that the new script is up) for the same round.
//   espruino CLI: the same bundle (the same app, its log line changed the same way, built as
//     pinwire builds it) uploaded to the same board's console the way `espruino -p tcp://...
//     app.js` does it (reset(), then the code into RAM), timed from the CLI's start until the
//     line arrives on the same topic. The CLI does no type check and no build: it sends a
//     bundle made beforehand.
// Both measures end at the same event (the board's log line over MQTT), rounds alternate
// between the two, medians of ROUNDS. Last line:
//   run: edit to running <X> s (build <B> s, push <P> s); espruino CLI upload <Y> s
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { boardFile, runEspruinoCli } from "../flash/espruino-cli";
import { initProject } from "../host/app/init";
import { AppBuilder, findProject } from "../host/app/project";
import { root } from "../scripts/device-bundle.mjs";
import { startAedes } from "../test/helpers/broker";
import { freePort } from "../test/host-helpers";
import { type Lines, spawnLines } from "../test/helpers/child";

const ROUNDS = 5;
const ID = "bench1";
const PINWIRE = join(root, "host", "bin", "pinwire.mjs");
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const load = () => loadavg().map((x) => x.toFixed(2)).join(" ");

async function main(): Promise<void> {
  console.log("load average at start: " + load());
  const broker = await startAedes();
  const consolePort = await freePort();
  const work = mkdtempSync(join(tmpdir(), "pinwire-bench-run-"));
  const dir = join(work, "app");
  const { name } = initProject(dir, { name: "benchapp" });
  const inst = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--offline"], { cwd: dir, encoding: "utf8" });
  if (inst.status !== 0) throw new Error("npm install in the project failed:\n" + inst.stdout + inst.stderr);
  // The board's log, as a host reads it.
  const host = await mqtt.connectAsync(broker.url, { clientId: "bench-run-" + process.pid });
  const logLines: { at: number; line: string }[] = [];
  const logWaiters = new Set<() => void>();
  host.on("message", (topic, payload) => {
    if (topic !== "pinwire/" + ID + "/log") return;
    logLines.push({ at: performance.now(), line: payload.toString("utf8") });
    for (const w of [...logWaiters]) w();
  });
  await host.subscribeAsync("pinwire/" + ID + "/log");
  const logged = (text: string, since: number, ms = 60000) =>
    new Promise<number>((resolve, reject) => {
      const check = () => {
        const hit = logLines.find((l) => l.at >= since && l.line.includes(text));
        if (!hit) return;
        logWaiters.delete(check);
        clearTimeout(t);
        resolve(hit.at);
      };
      const t = setTimeout(() => {
        logWaiters.delete(check);
        reject(new Error("the board never logged " + JSON.stringify(text) + "; it logged: " + JSON.stringify(logLines.slice(-5))));
      }, ms);
      logWaiters.add(check);
      check();
    });

  const sim = spawnLines(process.execPath, [PINWIRE, "sim", "--id", ID, "--broker", broker.url, "--console", String(consolePort)], work);
  let run: Lines | null = null;
  const main = join(dir, "main.ts");
  const original = readFileSync(main, "utf8");
  const startLine = 'log("' + name + ' started");';
  if (!original.includes(startLine)) throw new Error("the template's start-up line changed: " + startLine);
  const rows: { x: number; build: number; push: number; cli: number }[] = [];
  try {
    await sim.line(/sim-start/, 0, 60000);
    run = spawnLines(process.execPath, [PINWIRE, "run", "--device", ID, "--broker", broker.url, "--watch"], dir);
    await run.line(/run: watching/, 0, 60000);
    await run.line(/run: pushed in .*updated|already runs/, 0, 60000);
    // The CLI's bundles come from a copy of the project, so that pinwire run's watcher never
    // sees them being made.
    const cliDir = join(work, "cli");
    mkdirSync(join(cliDir, "node_modules"), { recursive: true });
    for (const f of ["app.ts", "main.ts", "pinwire.json", "tsconfig.json", "package.json"]) copyFileSync(join(dir, f), join(cliDir, f));
    symlinkSync(root, join(cliDir, "node_modules", "pinwire"));
    const builder = new AppBuilder(findProject(join(cliDir, "main.ts")));
    const board = boardFile(cliDir, "esp8266");
    for (let round = 1; round <= ROUNDS; round++) {
      // pinwire run --watch: one line changed.
      const text = name + " started, edit " + round;
      const from = run.lines.length;
      const t0 = performance.now();
      writeFileSync(main, original.replace(startLine, 'log("' + text + '");'));
      const t1 = await logged(text, t0);
      const built = run.lines[await run.line(/^run: built .* in ([\d.]+) s/, from)];
      const pushed = run.lines[await run.line(/^run: pushed in ([\d.]+) s: .*updated/, from)];
      const b = Number(/in ([\d.]+) s/.exec(built)![1]);
      const p = Number(/pushed in ([\d.]+) s/.exec(pushed)![1]);
      // The espruino CLI: the same bundle (its line changed the same way) to the console.
      const cliText = name + " started, cli " + round;
      writeFileSync(join(cliDir, "main.ts"), original.replace(startLine, 'log("' + cliText + '");'));
      const bundle = join(cliDir, "app.js");
      writeFileSync(bundle, (await builder.build("esp8266")).code, "latin1");
      const c0 = performance.now();
      const cli = runEspruinoCli(["-p", "tcp://127.0.0.1:" + consolePort, "--board", board, bundle], 60000);
      const c1 = await logged(cliText, c0).catch((e) => {
        throw new Error(e.message + "\nespruino CLI output:\n" + cli.output().slice(-2000));
      });
      cli.kill();
      await cli.done;
      rows.push({ x: (t1 - t0) / 1000, build: b, push: p, cli: (c1 - c0) / 1000 });
      console.log(
        "round " + round + ": pinwire run edit to running " + ((t1 - t0) / 1000).toFixed(2) + " s (build " + b.toFixed(2) + " s, push " + p.toFixed(2) + " s); espruino CLI upload " + ((c1 - c0) / 1000).toFixed(2) + " s; load " + load(),
      );
    }
  } finally {
    writeFileSync(main, original);
    await run?.interrupt();
    sim.p.kill("SIGTERM");
    await host.endAsync(true);
    await broker.close();
    rmSync(work, { recursive: true, force: true });
  }
  const X = median(rows.map((r) => r.x));
  const B = median(rows.map((r) => r.build));
  const P = median(rows.map((r) => r.push));
  const Y = median(rows.map((r) => r.cli));
  console.log("(medians of " + ROUNDS + " rounds on a virtual ESP8266 over loopback; both end when the board's log line arrives on pinwire/" + ID + "/log)");
  console.log("ratio: espruino CLI upload / pinwire run edit to running = " + (Y / X).toFixed(2) + "x; load average at end: " + load());
  console.log(`run: edit to running ${X.toFixed(2)} s (build ${B.toFixed(2)} s, push ${P.toFixed(2)} s); espruino CLI upload ${Y.toFixed(2)} s`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
