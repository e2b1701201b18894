// Real TCP/TLS sockets for the board, with Espruino's synchronous connect: on the board
// `require("net").connect()` to a refused port throws at once. Node cannot connect
// synchronously, so the sockets live in a worker thread and the board's thread blocks on
// Atomics.wait until the worker reports "connected" or "failed". Keeping the socket in the
// worker (rather than probing and reconnecting) means the peer sees exactly one connection.
import { Worker } from "node:worker_threads";

const WORKER = `
const { parentPort } = require("node:worker_threads");
const net = require("node:net");
const tls = require("node:tls");
const socks = new Map();
parentPort.on("message", (m) => {
  if (m.op === "connect") {
    const flag = new Int32Array(m.sab);
    let settled = false;
    const settle = (v, code) => {
      if (settled) return;
      settled = true;
      Atomics.store(flag, 1, code || 0);
      Atomics.store(flag, 0, v);
      Atomics.notify(flag, 0);
    };
    let s;
    try {
      s = m.tls
        ? tls.connect({ host: m.host, port: m.port, servername: m.servername, ca: m.ca, cert: m.cert, key: m.key, rejectUnauthorized: m.rejectUnauthorized })
        : net.connect({ host: m.host, port: m.port });
    } catch (e) {
      settle(2, 0);
      return;
    }
    socks.set(m.id, s);
    s.setNoDelay(true);
    s.once("connect", () => settle(1));
    if (m.tls) s.once("secureConnect", () => parentPort.postMessage({ id: m.id, ev: "connect" }));
    else s.once("connect", () => parentPort.postMessage({ id: m.id, ev: "connect" }));
    s.on("data", (b) => parentPort.postMessage({ id: m.id, ev: "data", data: b.toString("latin1") }));
    s.on("end", () => parentPort.postMessage({ id: m.id, ev: "end" }));
    s.on("error", (e) => {
      if (!settled) settle(2, e.errno || -1);
      else parentPort.postMessage({ id: m.id, ev: "error", code: e.code || "", message: e.message });
    });
    s.on("close", () => {
      socks.delete(m.id);
      settle(2, -1);
      parentPort.postMessage({ id: m.id, ev: "close" });
    });
  } else {
    const s = socks.get(m.id);
    if (!s) return;
    if (m.op === "write") s.write(Buffer.from(m.data, "latin1"));
    else if (m.op === "end") s.end(() => s.destroy());
    else if (m.op === "destroy") { s.destroy(); socks.delete(m.id); }
  }
});
`;

export interface ConnectOptions {
  host: string;
  port: number;
  tls?: boolean;
  servername?: string;
  ca?: string;
  cert?: string;
  key?: string;
  rejectUnauthorized?: boolean;
}

export type SocketEvent =
  | { ev: "connect" }
  | { ev: "data"; data: string }
  | { ev: "end" }
  | { ev: "close" }
  | { ev: "error"; code: string; message: string };

export class ConnectError extends Error {
  constructor(
    message: string,
    readonly errno: number,
  ) {
    super(message);
  }
}

export class NetBridge {
  private worker?: Worker;
  private handlers = new Map<number, (e: SocketEvent) => void>();
  private nextId = 1;

  constructor(private connectTimeoutMs = 10000) {}

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(WORKER, { eval: true });
    w.on("message", (m: { id: number } & SocketEvent) => {
      const h = this.handlers.get(m.id);
      if (m.ev === "close") this.handlers.delete(m.id);
      if (h) h(m);
      this.refresh();
    });
    w.on("error", () => {});
    this.worker = w;
    return w;
  }

  // The worker keeps the process alive only while a socket is open, like the sockets would.
  private refresh(): void {
    if (!this.worker) return;
    if (this.handlers.size) this.worker.ref();
    else this.worker.unref();
  }

  get openSockets(): number {
    return this.handlers.size;
  }

  // Blocks until the TCP connection is up; throws ConnectError when refused or timed out.
  connect(o: ConnectOptions, onEvent: (e: SocketEvent) => void): number {
    const w = this.start();
    const id = this.nextId++;
    const sab = new SharedArrayBuffer(8);
    const flag = new Int32Array(sab);
    this.handlers.set(id, onEvent);
    this.refresh();
    w.postMessage({ op: "connect", id, sab, ...o });
    const r = Atomics.wait(flag, 0, 0, this.connectTimeoutMs);
    const state = Atomics.load(flag, 0);
    if (state !== 1) {
      this.handlers.delete(id);
      w.postMessage({ op: "destroy", id });
      this.refresh();
      const errno = Atomics.load(flag, 1);
      throw new ConnectError(r === "timed-out" ? "Connect timeout" : "Unable to connect (err " + errno + ")", errno);
    }
    return id;
  }

  write(id: number, data: string): void {
    if (this.handlers.has(id)) this.worker?.postMessage({ op: "write", id, data });
  }

  end(id: number): void {
    if (this.handlers.has(id)) this.worker?.postMessage({ op: "end", id });
  }

  destroy(id: number): void {
    if (!this.handlers.has(id)) return;
    this.handlers.delete(id);
    this.worker?.postMessage({ op: "destroy", id });
    this.refresh();
  }

  // Reboot: every socket goes, silently (the firmware that owned them is gone).
  destroyAll(): void {
    for (const id of [...this.handlers.keys()]) this.destroy(id);
  }

  async close(): Promise<void> {
    this.handlers.clear();
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }
}
