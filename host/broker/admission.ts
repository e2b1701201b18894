// Connections at once, in total and per address, shared by every listener of the host (the
// broker's MQTT port and the HTTP port with its WebSocket upgrades): without it 20,500 idle
// sockets used up the process's file descriptors, after which logins and HTTP failed. A
// socket over a limit is closed as soon as it is accepted (before it can cost more than its
// descriptor), with a `connection-limit` line.
//
// Per address, an IPv6 /64 counts as one address (one host can use all of its 2^64), and
// 127.0.0.1 and ::1 are not limited: every local client (the bridge, a virtual board, a
// benchmark) shares them, so a limit there would limit them all; the total still applies.
import { isIP, type Socket } from "node:net";
import type { Logger } from "../log";
import { LimitLog } from "./limit-log";

export interface AdmissionOptions {
  log: Logger;
  connections: number;
  connectionsPerAddress: number;
}

// The key an address is counted under: the IPv4 address (also when IPv4-mapped), an IPv6
// address's /64 prefix, or null for 127.0.0.1 and ::1.
export function addressKey(addr: string | undefined): string | null {
  if (!addr) return "?";
  const v4 = addr.startsWith("::ffff:") && isIP(addr.slice(7)) === 4 ? addr.slice(7) : addr;
  if (isIP(v4) === 4) return v4 === "127.0.0.1" ? null : v4;
  if (addr === "::1") return null;
  return expand6(addr).slice(0, 4).join(":") + "::/64";
}

// The eight 16-bit groups of an IPv6 address, zone id dropped.
function expand6(a: string): string[] {
  const s = a.split("%")[0];
  const [head, tail] = s.includes("::") ? s.split("::") : [s, null];
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const fill = tail === null ? [] : new Array(8 - h.length - t.length).fill("0");
  return [...h, ...fill, ...t].map((g) => g.toLowerCase().replace(/^0+(?=.)/, ""));
}

export class Admission {
  private total = 0;
  private byAddress = new Map<string, number>();
  private limitLog: LimitLog;

  constructor(private o: AdmissionOptions) {
    this.limitLog = new LimitLog(o.log.child({ c: "limits" }));
  }

  get open(): number {
    return this.total;
  }

  // Counts the socket until it closes; false (and the socket destroyed) when over a limit.
  admit(sock: Socket, listener: string): boolean {
    const key = addressKey(sock.remoteAddress);
    const n = key === null ? 0 : this.byAddress.get(key) ?? 0;
    let why: string | null = null;
    if (this.total >= this.o.connections) why = "connections";
    else if (key !== null && n >= this.o.connectionsPerAddress) why = "connections-per-address";
    if (why) {
      sock.on("error", () => {});
      sock.destroy();
      const limit = why === "connections" ? this.o.connections : this.o.connectionsPerAddress;
      this.limitLog.hit(
        "connection-limit",
        { limit: why, max: limit, addr: sock.remoteAddress, listener, open: this.total },
        "connection refused: " + (why === "connections" ? limit + " connections open (--max-connections)" : limit + " connections from " + key + " (--max-connections-per-address)"),
        "connection-limit:" + why,
      );
      return false;
    }
    this.total++;
    if (key !== null) this.byAddress.set(key, n + 1);
    sock.once("close", () => {
      this.total--;
      if (key === null) return;
      const m = (this.byAddress.get(key) ?? 1) - 1;
      if (m) this.byAddress.set(key, m);
      else this.byAddress.delete(key);
    });
    return true;
  }
}
