// A logger whose JSON lines land in an array, for tests that assert what was logged (the
// broker's protocol-violation and slow-subscriber lines). pino writes to it synchronously.
import { Writable } from "node:stream";
import { createLogger, type Logger } from "../host/log";

export interface LogLine {
  event?: string;
  rule?: string;
  client?: string;
  dropped?: number;
  connack?: number;
}

export function capturedLog(level = "info"): { log: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const line of chunk.toString().split("\n")) if (line) lines.push(JSON.parse(line));
      cb();
    },
  });
  return { log: createLogger({ level, destination: sink }), lines };
}
