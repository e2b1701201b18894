// One pino logger per process. Components take a child logger (`log.child({c: "gateway"})`)
// so every line names its source; `--verbose` lowers the level to "debug", where packets
// and frames are logged.
import pino, { type Logger } from "pino";
import pretty from "pino-pretty";

export type { Logger };

export interface LogOptions {
  verbose?: boolean;
  level?: string; // overrides verbose, e.g. "silent" in tests
  destination?: NodeJS.WritableStream | number; // default: stdout (fd 1)
}

export function createLogger(opts: LogOptions = {}): Logger {
  const level = opts.level ?? (opts.verbose ? "debug" : "info");
  const dest = opts.destination ?? 1;
  // A person at a terminal gets readable lines; pipes and files get one JSON object a line
  // (PINWIRE_LOG=json forces JSON on a terminal too).
  const human = dest === 1 && process.stdout.isTTY && process.env.PINWIRE_LOG !== "json";
  const stream = human
    ? pretty({ colorize: true, sync: true, singleLine: true, translateTime: "HH:MM:ss.l", ignore: "pid,hostname,app" })
    : typeof dest === "number"
      ? pino.destination({ dest, sync: true })
      : dest;
  return pino({ level, base: { app: "pinwire" }, timestamp: pino.stdTimeFunctions.isoTime }, stream as any);
}

// A logger that drops everything: the default for library use and most tests.
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}

// A thrown value as one line for a log or a close reason: a ProtocolError's rule code (and its
// detail when it has one), an Error's message, anything else as text.
export function errorText(e: unknown): string {
  const o = e as { code?: unknown; message?: unknown; name?: unknown } | null;
  if (o && o.name === "ProtocolError" && typeof o.code === "string") return o.code + (typeof o.message === "string" && o.message && o.message !== o.code ? ": " + o.message : "");
  if (e instanceof Error) return e.message;
  return String(e);
}
