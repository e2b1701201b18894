// The messages between the VirtualBoard (the host's thread: the world around the chip) and the
// board thread (host/vboard/worker.ts: the chip running board code). Nothing else crosses: the
// board thread holds no reference to the host's objects, only this channel and two shared
// buffers (a socket connect's answer, the watchdog's last kick).
import type { BoardName } from "./profile";
import type { WifiOptions } from "./wifi";

export interface WorkerInit {
  board: BoardName;
  pool?: BoardName; // another build's JsVar pool
  storageDir: string;
  storageBytes: number; // Storage capacity
  wifi?: WifiOptions;
  syntaxGate: boolean;
  connectTimeoutMs: number;
  watchdog: SharedArrayBuffer; // Int32Array [last kick (ms since epoch), armed timeout ms (0: none), waiting on the host (1)]
  epoch: number; // Date.now() the kicks count from
  resetReason: string; // why this power-on happened ("power on", "soft wdt", ...)
}

export type ToBoard =
  | { op: "boot"; id: number; script?: string }
  | { op: "eval"; id: number; code: string }
  | { op: "console"; id: number; data: string }
  | { op: "query"; id: number; what: "memory" | "state" | "detail" }
  | { op: "drive"; pin: string; level: 0 | 1 | undefined }
  | { op: "analog"; pin: string; value: number }
  | { op: "settled"; id: number }
  | { op: "wifi"; up: boolean; reason?: string }
  | { op: "sock"; id: number; ev: SocketEvent }
  | { op: "stop"; id: number };

export type SocketEvent =
  | { ev: "connect" }
  | { ev: "data"; data: string }
  | { ev: "end" }
  | { ev: "close" }
  | { ev: "error"; code: string; message: string };

export interface ConnectRequest {
  host: string;
  port: number;
  tls: boolean;
  servername?: string;
  ca?: string;
  cert?: string;
  key?: string;
  rejectUnauthorized?: boolean;
}

export interface PinState {
  mode?: string;
  out?: 0 | 1;
  pwm?: { duty: number; freq: number };
  pulse?: { value: 0 | 1; ms: number };
  watches: number;
}

export interface BoardState {
  timers: number;
  watches: Record<string, number>;
  wifi: string;
}

export type FromBoard =
  | { ev: "output"; text: string }
  | { ev: "terminal"; text: string }
  | { ev: "uncaught"; name: string; message: string }
  | { ev: "booted"; ok: boolean }
  | { ev: "reset" }
  | { ev: "reply"; id: number; value?: unknown; error?: { name: string; message: string } }
  | { ev: "pin"; name: string; state: PinState }
  | { ev: "storage"; name: string; offset?: number; size?: number }
  | { ev: "connect"; id: number; req: ConnectRequest; flag: SharedArrayBuffer }
  | { ev: "sock"; id: number; op: "write" | "end" | "destroy"; data?: string }
  | { ev: "watchdog"; timeoutMs: number };

// Watchdog buffer slots.
export const WD_KICK = 0;
export const WD_TIMEOUT = 1;
export const WD_WAITING = 2;
