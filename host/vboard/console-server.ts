// The board's console on TCP, as an ESP8266 serves it on telnet port 23: bytes in go to the
// REPL, board output goes to every connected client.
import net from "node:net";

export class ConsoleServer {
  private server = net.createServer();
  private clients = new Set<net.Socket>();

  constructor(private onInput: (data: string) => void) {
    this.server.on("connection", (s) => {
      s.setNoDelay(true);
      this.clients.add(s);
      s.on("data", (b) => this.onInput(b.toString("latin1")));
      s.on("error", () => {});
      s.on("close", () => this.clients.delete(s));
    });
  }

  listen(port: number, host = "127.0.0.1"): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.server.off("error", reject);
        resolve((this.server.address() as net.AddressInfo).port);
      });
    });
  }

  write(text: string): void {
    if (!this.clients.size) return;
    const b = Buffer.from(text, "latin1");
    for (const c of this.clients) c.write(b);
  }

  close(): Promise<void> {
    for (const c of this.clients) c.destroy();
    return new Promise((r) => this.server.close(() => r()));
  }
}
