// A loopback TCP port in front of the board's console, so the `espruino` CLI (which opens only
// listed serial ports or tcp://) reaches any port we opened ourselves, and so we can count the
// bytes it sends (progress) and read what the board answers (verification) on the way.
import { createServer, type Server, type Socket } from "node:net";
import type { ConsoleLink } from "./ports";

export interface ConsoleRelay {
  url: string; // tcp://127.0.0.1:<port> for the CLI's -p
  sent(): number; // bytes the CLI sent to the board so far
  // Resolves with the first match of re in the board's output (from now on), or rejects with
  // the code when the relay closes first.
  expect(re: RegExp): Promise<RegExpMatchArray>;
  close(): Promise<void>;
}

export function startConsoleRelay(link: ConsoleLink, onSent?: (n: number) => void): Promise<ConsoleRelay> {
  let sent = 0;
  let client: Socket | null = null;
  let out = "";
  const waiters: { re: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  link.onData((b) => {
    client?.write(b);
    // Keep a tail long enough for any marker split across reads.
    out = (out + b.toString("latin1")).slice(-4096);
    for (let i = 0; i < waiters.length; i++) {
      const m = out.match(waiters[i].re);
      if (m) {
        out = out.slice((m.index ?? 0) + m[0].length);
        waiters.splice(i--, 1)[0].resolve(m);
      }
    }
  });
  const server: Server = createServer((s) => {
    // One CLI at a time; a second connection would interleave two uploads.
    if (client) return void s.destroy();
    client = s;
    s.setNoDelay(true);
    s.on("data", (b) => {
      sent += b.length;
      link.write(b);
      onSent?.(sent);
    });
    s.on("close", () => {
      if (client === s) client = null;
    });
    s.on("error", () => {});
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      resolve({
        url: "tcp://127.0.0.1:" + port,
        sent: () => sent,
        expect: (re) => new Promise((r) => waiters.push({ re, resolve: r })),
        close: () =>
          new Promise<void>((r) => {
            client?.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}
