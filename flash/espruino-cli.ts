// Runs the `espruino` CLI (EspruinoTools 0.1.67) as a child process. It needs --no-ble (no
// dbus here), a --board file listing the built-in modules (else it looks modules up online),
// and a deadline: after an upload it sometimes never exits.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const require = createRequire(import.meta.url);
export const ESPRUINO_CLI = require.resolve("espruino/bin/espruino-cli.js");

export const BUILTIN_MODULES = ["Storage", "net", "dgram", "http", "crypto", "heatshrink", "Wifi", "ESP8266", "ESP32", "TelnetServer", "tls", "neopixel", "Flash"];

// Writes the --board file into dir and returns its path.
export function boardFile(dir: string, board: string): string {
  const f = join(dir, "board-" + board + ".json");
  writeFileSync(f, JSON.stringify({ info: { id: board.toUpperCase(), builtin_modules: BUILTIN_MODULES } }));
  return f;
}

export interface CliRun {
  // Resolves with the exit code (null when killed); output holds stdout+stderr.
  done: Promise<number | null>;
  output(): string;
  kill(): void;
}

export function runEspruinoCli(args: string[], timeoutMs: number): CliRun {
  const child = spawn(process.execPath, [ESPRUINO_CLI, "--no-ble", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const add = (b: Buffer) => {
    output = (output + b.toString("latin1")).slice(-20000);
  };
  child.stdout.on("data", add);
  child.stderr.on("data", add);
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const done = new Promise<number | null>((resolve) => {
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.on("error", (e) => {
      clearTimeout(timer);
      output += String(e);
      resolve(-1);
    });
  });
  return { done, output: () => output, kill: () => void (child.exitCode === null && child.kill("SIGKILL")) };
}
