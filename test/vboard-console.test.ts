// The virtual board's console on TCP speaks enough of Espruino's REPL for a terminal and for
// the real Espruino CLI (EspruinoTools 0.1.67) to upload code, as to an ESP8266 on telnet.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { VirtualBoard, isComplete } from "../host/vboard/index";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(): Promise<VirtualBoard> {
  const dir = mkdtempSync(join(tmpdir(), "vboard-con-"));
  const b = new VirtualBoard({ storageDir: dir, consolePort: 0 });
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => b.stop());
  await b.boot();
  return b;
}

// A raw TCP terminal: everything received, and a wait for text after a mark.
async function terminal(port: number) {
  const s = net.connect(port, "127.0.0.1");
  await new Promise((r) => s.once("connect", r));
  let got = "";
  const waiters: Array<() => void> = [];
  s.on("data", (d) => {
    got += d.toString("latin1");
    for (const w of waiters.splice(0)) w();
  });
  cleanups.push(() => void s.destroy());
  const t = {
    get text() {
      return got;
    },
    send: (x: string) => s.write(Buffer.from(x, "latin1")),
    until: (pattern: string | RegExp, since = 0): Promise<string> =>
      new Promise((resolve) => {
        const check = () => {
          const part = got.slice(since);
          if (typeof pattern === "string" ? part.includes(pattern) : pattern.test(part)) resolve(part);
          else waiters.push(check);
        };
        check();
      }),
  };
  return t;
}

describe("REPL line discipline", () => {
  it("knows when brackets balance", () => {
    expect(isComplete("f(1)")).toBe(true);
    expect(isComplete("function f() {")).toBe(false);
    expect(isComplete('print("{")')).toBe(true);
    expect(isComplete("/* { */ x")).toBe(true);
    expect(isComplete("a = [1,\n2]")).toBe(true);
  });
});

describe("console over TCP", () => {
  it("echoes, prints =result and the prompt; \\x10 lines run silently", async () => {
    const b = await start();
    const t = await terminal(b.consolePort!);
    t.send("1+2\n");
    expect(await t.until(">")).toBe("1+2\r\n=3\r\n>");
    let mark = t.text.length;
    t.send('\x10print("quiet")\n\x10print("done")\n');
    expect(await t.until("done\r\n", mark)).toBe("quiet\r\ndone\r\n");
    mark = t.text.length;
    t.send('"s"\n');
    expect(await t.until(">", mark)).toBe('"s"\r\n="s"\r\n>');
  });

  it("accumulates multi-line input until brackets balance; ESC LF continues a line; Ctrl-C drops it", async () => {
    const b = await start();
    const t = await terminal(b.consolePort!);
    t.send("function f(a) {\n  return a * 2;\n}\n");
    await t.until("=undefined");
    let mark = t.text.length;
    t.send("f(21)\n");
    expect(await t.until(">", mark)).toContain("=42");
    mark = t.text.length;
    t.send("var q = 1 +\x1b\n 2\n");
    await t.until(">", mark);
    expect(await b.eval("q")).toBe(3);
    mark = t.text.length;
    t.send("this is not code(\x03");
    await t.until(">", mark);
    mark = t.text.length;
    t.send("7\n");
    expect(await t.until(">", mark)).toContain("=7");
  });

  it("answers the CLI's process.env query", async () => {
    const b = await start();
    const t = await terminal(b.consolePort!);
    t.send('\x10print("<","<<",JSON.stringify(process.env),">>",">")\n');
    const out = await t.until(">> >");
    const env = JSON.parse(out.slice(out.indexOf("< <<") + 4, out.indexOf(">> >")));
    expect(env.BOARD).toBe("ESP8266_BOARD");
    expect(env.VERSION).toBe("2v29");
  });

  it("echo(0) silences results; reset() clears RAM; save() survives a reboot; load() runs .bootcde", async () => {
    const b = await start();
    const t = await terminal(b.consolePort!);
    t.send("\x10echo(0)\n5\n\x10print('mark')\n");
    await t.until("mark");
    expect(t.text).not.toContain("=5");
    t.send("\x10echo(1)\n\x10var keep = 1\n\x10reset()\n\x10print(typeof keep)\n");
    await t.until("undefined\r\n");
    expect(t.text).toContain("espruino.com"); // reset() prints the banner
    t.send("\x10var saved = 7\n\x10save()\n\x10print('saved')\n");
    await t.until("saved\r\n");
    await b.reboot();
    expect(await b.eval("saved")).toBe(7);
    b.storage.write(".bootcde", Buffer.from('print("from bootcde")'));
    const mark = b.consoleOutput.length;
    t.send("\x10load()\n");
    await b.waitForOutput("from bootcde", mark);
  });

  it("board output while the prompt is up redraws the prompt after it", async () => {
    const b = await start();
    const t = await terminal(b.consolePort!);
    t.send("\n");
    await t.until(">");
    const mark = t.text.length;
    await b.eval('setTimeout(function () { print("async"); }, 1)');
    const out = await t.until(/async\r\n>$/, mark);
    expect(out.startsWith("\r")).toBe(true);
  });
});

describe("console without TCP", () => {
  it("consoleInput feeds the REPL and the terminal event carries echo, results and prompt", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vboard-con-"));
    const b = new VirtualBoard({ storageDir: dir });
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    cleanups.push(() => b.stop());
    await b.boot();
    let term = "";
    b.on("terminal", (t: string) => (term += t));
    await b.consoleInput("6*7\r\n");
    expect(term).toBe("6*7\r\n=42\r\n>");
    expect(b.consolePort).toBeUndefined();
  });
});

// Runs the real Espruino CLI against the board's console; resolves when it reports the upload.
async function cliUpload(b: VirtualBoard, dir: string, file: string, boardInfo: object, extra: string[] = []): Promise<string> {
  const boardJson = join(dir, "board.json");
  writeFileSync(boardJson, JSON.stringify({ info: boardInfo }));
  const cli = spawn(join("node_modules", ".bin", "espruino"), ["--no-ble", "-p", "tcp://127.0.0.1:" + b.consolePort, "--board", boardJson, ...extra, file], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  const uploaded = new Promise<void>((r) => {
    const add = (d: Buffer) => {
      log += d;
      if (log.includes("Upload Complete")) r();
    };
    cli.stdout.on("data", add);
    cli.stderr.on("data", add);
  });
  // The CLI may hang after an upload: stop it once done, or after 20 s at worst.
  const exited = new Promise<void>((r) => cli.on("exit", () => r()));
  const guard = setTimeout(() => cli.kill(), 20000);
  cleanups.push(async () => {
    clearTimeout(guard);
    if (cli.exitCode === null) cli.kill();
    await exited;
  });
  await Promise.race([uploaded, exited]);
  return log;
}

describe("upload with the Espruino CLI", () => {
  const modules = ["Storage", "net", "Wifi", "crypto"];

  it("uploads over tcp:// to RAM; the code writes .bootcde, which runs after a virtual reset", async () => {
    const b = await start();
    const dir = mkdtempSync(join(tmpdir(), "vboard-cli-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const script = join(dir, "up.js");
    writeFileSync(
      script,
      [
        "var x = 1;",
        "function twice(a) {",
        "  return a * 2;",
        "}",
        "if (x)",
        "  x = twice(x) + 1;",
        'require("Storage").write(".bootcde", "print(\\"booted \\" + (40 + 2))");',
        'print("uploaded", x);',
        "",
      ].join("\n"),
    );
    const log = await cliUpload(b, dir, script, { builtin_modules: modules });
    await b.waitForOutput("uploaded 3");
    expect(log).toContain("Upload Complete");
    expect(b.storage.read(".bootcde")?.toString()).toBe('print("booted " + (40 + 2))');
    const mark = b.consoleOutput.length;
    await b.reboot();
    await b.waitForOutput("booted 42", mark);
    expect(b.consoleOutput).not.toContain("Uncaught");
  });

  it("saves to flash (SAVE_ON_SEND): piecewise Storage.write of .bootcde, then load()", async () => {
    const b = await start();
    const dir = mkdtempSync(join(tmpdir(), "vboard-cli-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const script = join(dir, "app.js");
    // Over the CLI's 1024-byte chunk, so it takes two pieces.
    const code = "// " + "pad ".repeat(300) + '\nvar greet = "from flash";\nsetTimeout(function () { print(greet, E.toString([104, 105])); }, 1);\n';
    writeFileSync(script, code);
    const writes: Array<[string, number | undefined, number | undefined]> = [];
    b.on("storage", (name: string, offset?: number, size?: number) => writes.push([name, offset, size]));
    const mark = b.consoleOutput.length;
    await cliUpload(b, dir, script, { binary_version: "2v29", builtin_modules: modules }, ["--config", "SAVE_ON_SEND=1"]);
    await b.waitForOutput("from flash hi", mark);
    expect(b.storage.read(".bootcde")?.toString()).toBe(code);
    expect(writes.filter((w) => w[0] === ".bootcde")).toEqual([
      [".bootcde", 0, code.length],
      [".bootcde", 1024, undefined],
    ]);
  });
});
