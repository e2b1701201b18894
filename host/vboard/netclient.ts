// The board's side of its sockets. Espruino's connect is synchronous (a refused port throws at
// once), so the board thread asks the host thread (host/vboard/nethost.ts, which holds the real
// TCP/TLS sockets) and blocks on Atomics.wait until it answers "connected" or "failed". The
// socket stays on the host side, so the peer sees exactly one connection.
import type { ConnectRequest, FromBoard, SocketEvent } from "./protocol";

export class ConnectError extends Error {
  constructor(
    message: string,
    readonly errno: number,
  ) {
    super(message);
  }
}

export class NetClient {
  private handlers = new Map<number, (e: SocketEvent) => void>();
  private nextId = 1;

  constructor(
    private post: (m: FromBoard) => void,
    private connectTimeoutMs = 10000,
    private waiting?: (blocked: boolean) => void, // the watchdog does not count the wait
  ) {}

  get openSockets(): number {
    return this.handlers.size;
  }

  // Blocks until the TCP connection is up; throws ConnectError when refused or timed out.
  connect(req: ConnectRequest, onEvent: (e: SocketEvent) => void): number {
    const id = this.nextId++;
    const flag = new SharedArrayBuffer(8);
    const f = new Int32Array(flag);
    this.handlers.set(id, onEvent);
    this.post({ ev: "connect", id, req, flag });
    this.waiting?.(true);
    const r = Atomics.wait(f, 0, 0, this.connectTimeoutMs);
    this.waiting?.(false);
    if (Atomics.load(f, 0) !== 1) {
      this.handlers.delete(id);
      this.post({ ev: "sock", id, op: "destroy" });
      const errno = Atomics.load(f, 1);
      throw new ConnectError(r === "timed-out" ? "Connect timeout" : "Unable to connect (err " + errno + ")", errno);
    }
    return id;
  }

  // An event the host thread reports for socket `id`.
  deliver(id: number, e: SocketEvent): void {
    const h = this.handlers.get(id);
    if (e.ev === "close") this.handlers.delete(id);
    h?.(e);
  }

  write(id: number, data: string): void {
    if (this.handlers.has(id)) this.post({ ev: "sock", id, op: "write", data });
  }

  end(id: number): void {
    if (this.handlers.has(id)) this.post({ ev: "sock", id, op: "end" });
  }

  destroy(id: number): void {
    if (!this.handlers.delete(id)) return;
    this.post({ ev: "sock", id, op: "destroy" });
  }

  // Reboot: every socket goes, silently (the firmware that owned them is gone).
  destroyAll(): void {
    for (const id of [...this.handlers.keys()]) this.destroy(id);
  }
}
