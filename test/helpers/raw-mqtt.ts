// A raw MQTT 3.1.1 client over one TCP socket for the broker suites: bytes out as given (or
// encoded by shared/mqtt/generator.ts), every packet the server sends parsed and kept, waits
// for a packet or for the close (events, no sleeps).
import net from "node:net";
import { encode } from "../../shared/mqtt/generator";
import type { Packet, PublishPacket } from "../../shared/mqtt/packet";
import { CLIENT_DECODERS, MqttParser } from "../../shared/mqtt/parser";

export class RawMqtt {
  readonly sock: net.Socket;
  readonly packets: Packet[] = [];
  readonly closed: Promise<void>;
  readonly opened: Promise<void>;
  bytesIn = 0;
  private parser = new MqttParser(CLIENT_DECODERS);
  private waiters: (() => void)[] = [];

  // localAddress: the address to connect from (127.0.0.2... stand for other hosts).
  constructor(port: number, host = "127.0.0.1", localAddress?: string) {
    this.sock = net.connect({ host, port, localAddress });
    this.sock.setNoDelay(true);
    this.opened = new Promise((resolve, reject) => {
      this.sock.once("connect", () => resolve());
      this.sock.once("error", reject);
    });
    this.sock.on("error", () => {});
    this.sock.on("data", (d: Buffer) => {
      this.bytesIn += d.length;
      try {
        for (const p of this.parser.push(new Uint8Array(d))) this.packets.push(p);
      } catch {
        this.sock.destroy();
      }
      this.wake();
    });
    this.closed = new Promise((r) =>
      this.sock.on("close", () => {
        r();
        this.wake();
      }),
    );
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  get isClosed(): boolean {
    return this.sock.destroyed;
  }

  send(b: Uint8Array | Packet): void {
    this.sock.write(b instanceof Uint8Array ? b : encode(b));
  }

  // The first packet (received or to come) matching pred; rejects when the connection closes first.
  async next<P extends Packet = Packet>(pred: (p: Packet) => boolean, from = 0): Promise<P> {
    let i = from;
    for (;;) {
      for (; i < this.packets.length; i++) if (pred(this.packets[i])) return this.packets[i] as P;
      if (this.sock.destroyed) throw new Error("connection closed; received " + JSON.stringify(this.packets.map((p) => p.type)));
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  // Resolves once cond() holds, checked now and after each chunk received; rejects on close.
  async until(cond: () => boolean): Promise<void> {
    while (!cond()) {
      if (this.sock.destroyed) throw new Error("connection closed; received " + this.packets.length + " packets");
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  // Resolves once n PUBLISH packets (on topic, when given) have arrived.
  async received(n: number, topic?: string): Promise<PublishPacket[]> {
    let count = 0;
    await this.next((p) => p.type === 3 && (topic === undefined || (p as PublishPacket).topic === topic) && ++count >= n);
    return this.publishes(topic);
  }

  // Resolves with the CONNACK return code.
  async connack(): Promise<number> {
    const p = await this.next((p) => p.type === 2);
    return (p as { returnCode: number }).returnCode;
  }

  publishes(topic?: string): PublishPacket[] {
    return this.packets.filter((p): p is PublishPacket => p.type === 3 && (topic === undefined || p.topic === topic));
  }

  // CONNECT (clean, keepalive 0 unless given) and its CONNACK return code.
  static async login(port: number, o: { clientId: string; username?: string; password?: string; keepalive?: number; from?: string }): Promise<{ c: RawMqtt; rc: number }> {
    const c = new RawMqtt(port, "127.0.0.1", o.from);
    await c.opened;
    c.send({
      type: 1,
      clientId: o.clientId,
      clean: true,
      keepalive: o.keepalive ?? 0,
      username: o.username,
      password: o.password === undefined ? undefined : new TextEncoder().encode(o.password),
    });
    const rc = await c.connack().catch(() => -1);
    return { c, rc };
  }

  // Subscribes and resolves once the SUBACK is in, with its return codes.
  async subscribe(id: number, subs: { topic: string; qos: number }[]): Promise<number[]> {
    this.send({ type: 8, id, subs });
    const p = await this.next((p) => p.type === 9 && (p as { id: number }).id === id);
    return (p as { granted: number[] }).granted;
  }

  close(): Promise<void> {
    this.sock.destroy();
    return this.closed;
  }
}
