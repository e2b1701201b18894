// The real Espruino 2v29 interpreter (Linux builds shaped like the chips) as a test rig: one
// process per board in its own scratch directory (its Storage is the file espruino.flash there),
// driven through its console the way the `espruino` CLI drives a board: `\x10`-prefixed lines
// (no echo), Storage written in pieces through atob, each file checked by CRC-32.
//
// Where the interpreters come from: PINWIRE_ESPRUINO_BIN (a directory), else ../shared/espruino/bin
// beside the repository. espruinoBinDir() says what is missing when neither has them.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { crc32 } from "../../shared/crc32";
import { root } from "../../scripts/device-bundle.mjs";

// The pools: the ESP8266's fixed 1,700 JsVars, an ESP32-like 2,500, and the stock 64-bit build.
export const POOLS = {
  esp8266: "espruino-esp8266-1700",
  esp32: "espruino-esp32-2500",
  stock: "espruino",
} as const;
export type Pool = keyof typeof POOLS;

export const ESPRUINO_BIN_ENV = "PINWIRE_ESPRUINO_BIN";

// The directory holding the interpreters, or throws naming what is missing.
export function espruinoBinDir(): string {
  const env = process.env[ESPRUINO_BIN_ENV];
  const candidates = env ? [resolve(env)] : [resolve(root, "..", "shared", "espruino", "bin")];
  for (const d of candidates) if (Object.values(POOLS).every((b) => existsSync(join(d, b)))) return d;
  const where = candidates[0];
  const missing = Object.values(POOLS).filter((b) => !existsSync(join(where, b)));
  throw new Error(
    "the real-interpreter suite needs Espruino 2v29 Linux builds: " +
      missing.join(", ") +
      " not found in " +
      where +
      (env ? " (from " + ESPRUINO_BIN_ENV + ")" : " (set " + ESPRUINO_BIN_ENV + " to the directory that holds them)"),
  );
}

export interface StorageFile {
  name: string;
  data: Buffer;
}

export interface Memory {
  free: number;
  usage: number;
  total: number;
}

let serial = 0;

export class Espruino {
  private out = "";
  private waiters: Array<() => void> = [];
  private exited: Promise<number | null>;
  private closed = false;

  private constructor(
    readonly pool: Pool,
    readonly dir: string,
    private readonly p: ChildProcessWithoutNullStreams,
  ) {
    p.stdout.setEncoding("latin1");
    p.stdout.on("data", (d: string) => {
      this.out += d;
      for (const w of this.waiters.slice()) w();
    });
    // The interpreter's own start-up chatter ("espruino: ...") goes to stderr; keep it too.
    p.stderr.setEncoding("latin1");
    p.stderr.on("data", (d: string) => {
      this.out += d;
    });
    this.exited = new Promise((r) => p.on("exit", (code) => r(code)));
  }

  // Starts an interpreter on an empty Storage and waits for its prompt.
  static async start(pool: Pool): Promise<Espruino> {
    const dir = mkdtempSync(join(tmpdir(), "pinwire-espruino-"));
    // Standard input stays an open pipe: at end of input the Linux port injects garbage.
    const p = spawn(join(espruinoBinDir(), POOLS[pool]), [], { cwd: dir, stdio: ["pipe", "pipe", "pipe"] });
    const e = new Espruino(pool, dir, p);
    await e.waitFor(/>\s*$/, 10000);
    return e;
  }

  // Everything the interpreter printed so far (from `from`).
  output(from = 0): string {
    return this.out.slice(from);
  }

  get mark(): number {
    return this.out.length;
  }

  // Resolves with the match once the output from `from` on matches re.
  waitFor(re: RegExp, timeoutMs = 10000, from = 0): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const m = this.out.slice(from).match(re);
        if (!m) return false;
        clearTimeout(t);
        this.waiters.splice(this.waiters.indexOf(check), 1);
        resolve(m);
        return true;
      };
      const t = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(check), 1);
        reject(new Error("espruino (" + this.pool + "): no " + re + " within " + timeoutMs + " ms; it printed:\n" + this.out.slice(from).slice(-3000)));
      }, timeoutMs);
      this.waiters.push(check);
      check();
    });
  }

  // One console line, not echoed (the CLI's \x10 prefix).
  send(line: string): void {
    this.p.stdin.write("\x10" + line + "\n");
  }

  // Runs `expr` on the board and resolves with its value as JSON (parsed).
  async eval<T = unknown>(expr: string, timeoutMs = 10000): Promise<T> {
    const tag = "PWR" + ++serial + ":";
    const from = this.mark;
    this.send(`print(${JSON.stringify(tag)}+JSON.stringify(${expr}))`);
    const m = await this.waitFor(new RegExp(tag + "(.*)\\r?\\n"), timeoutMs, from);
    return JSON.parse(m[1]) as T;
  }

  // Free JsVars now (process.memory() collects garbage first).
  memory(): Promise<Memory> {
    return this.eval<Memory>("process.memory()");
  }

  // Writes files into Storage as the espruino CLI does (384-byte pieces through atob), then
  // reads each one's CRC-32 back and compares.
  async writeFiles(files: StorageFile[]): Promise<void> {
    for (const f of files) {
      for (let i = 0; i < f.data.length || i === 0; i += 384) {
        const part = f.data.subarray(i, i + 384);
        this.send(`require("Storage").write(${JSON.stringify(f.name)},atob(${JSON.stringify(part.toString("base64"))}),${i}${i === 0 ? "," + f.data.length : ""})`);
        // One piece at a time: the console has no flow control beyond its buffer.
        if ((i / 384) % 4 === 3) await this.eval("0");
        if (!f.data.length) break;
      }
    }
    const crcs = await this.eval<number[]>(`${JSON.stringify(files.map((f) => f.name))}.map(function(n){return E.CRC32(require("Storage").read(n))})`, 20000);
    files.forEach((f, i) => {
      if (crcs[i] >>> 0 !== crc32(f.data)) throw new Error("Storage file " + f.name + " reads back with another CRC-32");
    });
  }

  // Restarts the interpreter into .bootcde, as a reset of the board does, and resolves once the
  // console answers again. Console bytes that arrive while the interpreter restarts can be
  // dropped (the restart clears its input line), so the first answer is asked for again until it
  // comes, each time after the previous request had a second to be answered.
  async boot(): Promise<void> {
    this.send("load()");
    for (let i = 0; ; i++) {
      try {
        await this.eval("1", 1000);
        return;
      } catch (e) {
        if (i >= 30) throw e;
      }
    }
  }

  // SIGINT: the Linux port's signal hook interrupts running code ("Execution Interrupted"), the
  // one way to stop a script stuck in a loop (console input waits for the idle loop).
  interrupt(): void {
    this.p.kill("SIGINT");
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.p.stdin.write("\x04");
    const t = setTimeout(() => this.p.kill("SIGKILL"), 2000);
    await this.exited;
    clearTimeout(t);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
