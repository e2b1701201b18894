// The real TCP/TLS sockets of one virtual board, on the host's thread: the board thread asks
// for a connect and blocks until the answer is in the shared flag (see netclient.ts); data and
// events go to the board as messages.
import net from "node:net";
import tls from "node:tls";
import type { ConnectRequest, SocketEvent } from "./protocol";

export class NetHost {
  private socks = new Map<number, net.Socket>();

  constructor(private deliver: (id: number, e: SocketEvent) => void) {}

  get openSockets(): number {
    return this.socks.size;
  }

  connect(id: number, m: ConnectRequest, flagBuffer: SharedArrayBuffer): void {
    const flag = new Int32Array(flagBuffer);
    let settled = false;
    const settle = (v: 1 | 2, code = 0) => {
      if (settled) return;
      settled = true;
      Atomics.store(flag, 1, code);
      Atomics.store(flag, 0, v);
      Atomics.notify(flag, 0);
    };
    let s: net.Socket;
    try {
      s = m.tls
        ? tls.connect({ host: m.host, port: m.port, servername: m.servername, ca: m.ca, cert: m.cert, key: m.key, rejectUnauthorized: m.rejectUnauthorized })
        : net.connect({ host: m.host, port: m.port });
    } catch {
      settle(2);
      return;
    }
    this.socks.set(id, s);
    s.setNoDelay(true);
    s.once("connect", () => settle(1));
    s.once(m.tls ? "secureConnect" : "connect", () => this.deliver(id, { ev: "connect" }));
    s.on("data", (b) => this.deliver(id, { ev: "data", data: b.toString("latin1") }));
    s.on("end", () => this.deliver(id, { ev: "end" }));
    s.on("error", (e: NodeJS.ErrnoException) => {
      if (!settled) settle(2, e.errno || -1);
      else this.deliver(id, { ev: "error", code: e.code || "", message: e.message });
    });
    s.on("close", () => {
      settle(2, -1);
      if (this.socks.get(id) !== s) return;
      this.socks.delete(id);
      this.deliver(id, { ev: "close" });
    });
  }

  write(id: number, data: string): void {
    this.socks.get(id)?.write(Buffer.from(data, "latin1"));
  }

  end(id: number): void {
    const s = this.socks.get(id);
    s?.end(() => s.destroy());
  }

  destroy(id: number): void {
    const s = this.socks.get(id);
    if (!s) return;
    this.socks.delete(id);
    s.destroy();
  }

  destroyAll(): void {
    for (const id of [...this.socks.keys()]) this.destroy(id);
  }
}
