// The host's size and connection limits: what one connection may make the process hold, and
// how many connections it takes, so that no client (logged in or not) can grow the process
// without bound or use up its file descriptors. Each has a CLI flag (host/cli.ts) and a
// ServiceOptions field; each refusal is logged (host/README.md, "Limits").
import { readFileSync } from "node:fs";

export interface Limits {
  // Bytes a connection may send before its login is accepted: the CONNECT and anything sent
  // behind it. A CONNECT is a client id, a user name, a password and a will: small.
  loginBytes: number;
  // The largest MQTT packet after login (fixed header included). Also the largest WebSocket
  // message on /mqtt (ws buffers a whole message before anything reads it).
  packetBytes: number;
  // The largest payload a PUBLISH with the retain flag may carry: retained messages stay in
  // memory and are served again (the bridge lists info and catalogues on /api/devices).
  retainedBytes: number;
  // All retained payloads together; a new retained topic beyond it is routed but not kept.
  retainedTotalBytes: number;
  // Bytes queued on one subscriber's socket: above it QoS 0 messages to it are dropped, and a
  // subscriber with a QoS 1/2 delivery due is disconnected (its session keeps what it is owed).
  queuedBytes: number;
  // Connections at once (MQTT over TCP and HTTP, WebSocket upgrades included), in total and
  // from one address (an IPv6 /64 counts as one; 127.0.0.1 and ::1 are not limited per
  // address: every local client shares them).
  connections: number;
  connectionsPerAddress: number;
}

// File descriptors kept for everything but client sockets (listeners, files, the log).
const FD_RESERVE = 128;

// The soft limit on open files (Node raises it to the hard limit at start), or null.
export function openFileLimit(): number | null {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync("/proc/self/limits", "utf8"));
    return m && m[1] !== "unlimited" ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

export function defaultLimits(fds = openFileLimit()): Limits {
  return {
    loginBytes: 16 * 1024,
    packetBytes: 128 * 1024,
    retainedBytes: 64 * 1024,
    retainedTotalBytes: 256 * 1024 * 1024,
    queuedBytes: 1024 * 1024,
    connections: Math.max(16, (fds ?? 20000) - FD_RESERVE),
    connectionsPerAddress: 256,
  };
}

export function resolveLimits(over: Partial<Limits> = {}): Limits {
  const l = defaultLimits();
  for (const k of Object.keys(l) as (keyof Limits)[]) if (over[k] !== undefined) l[k] = over[k]!;
  return l;
}

// "65536", "64k", "64KiB", "1m", "1MiB" (k and m are 1024 and 1024 * 1024); null when not a size.
export function parseBytes(v: string): number | null {
  const m = /^(\d+)\s*(k|kib|kb|m|mib|mb)?$/i.exec(v.trim());
  if (!m) return null;
  const unit = (m[2] ?? "").toLowerCase();
  const n = Number(m[1]) * (unit.startsWith("k") ? 1024 : unit.startsWith("m") ? 1024 * 1024 : 1);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

export function formatBytes(n: number): string {
  if (n >= 1 << 20 && n % (1 << 20) === 0) return n / (1 << 20) + " MiB";
  if (n >= 1024 && n % 1024 === 0) return n / 1024 + " KiB";
  return n + " bytes";
}
