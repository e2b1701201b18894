// The board's log: everything printed with console.log (the app's log() included) and every
// uncaught error also goes to the link (MQTT: pinwire/<id>/log, one line per message), so
// `pinwire logs <id>` shows what the console would. Rate-limited so that a chatty script
// cannot flood the broker or the board's RAM: a burst of 5 lines, then 2 lines a second;
// lines before the link is up (a boot error) wait, up to 4; the rest are counted and the
// count is logged once lines flow again. Plain functions, no closures: each costs RAM.
import { pub } from "./runtime";

let print: (s: string) => void;
let tokens = 5;
let at = 0;
let dropped = 0;
const held: string[] = [];

function sink(line: string): boolean {
  return pub("log", line, 0, false);
}

// console.log's stand-in: the line printed as console.log would, then logged.
function logged(): void {
  let s = "";
  for (let i = 0; i < arguments.length; i++) {
    const a = arguments[i];
    s += (i ? " " : "") + (a !== null && typeof a === "object" ? JSON.stringify(a) : a);
  }
  print(s);
  if (!held.length && tokens >= 1 && sink(s)) tokens--;
  else if (held.length < 4) held.push(s);
  else dropped++;
}

function uncaught(e: any): void {
  console.log("Uncaught " + e);
}

// Every tick: refills the budget and sends what waited.
export function logTick(now: number): void {
  tokens = Math.min(5, tokens + (now - at) / 500);
  at = now;
  while (held.length && tokens >= 1 && sink(held[0])) {
    held.shift();
    tokens--;
  }
  if (dropped && !held.length && tokens >= 1 && sink("pinwire: " + dropped + " log lines dropped")) {
    dropped = 0;
    tokens--;
  }
}

// From boot on: console.log also logs to the link, and uncaught errors are logged (Espruino
// then no longer prints them itself: console.log does).
export function logStart(): void {
  print = console.log;
  console.log = logged;
  process.on("uncaughtException", uncaught);
}

// The app's log(...): console.log (logged() once the runtime has started), under the name its
// callers read as logging.
export function log(...args: any[]): void {
  console.log.apply(console, args);
}
