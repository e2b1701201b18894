// The suites' in-process broker: Aedes on free loopback ports, MQTT over TCP (or TLS) and over
// WebSocket at /mqtt. It can be stopped and started again on the same ports (its state lost,
// as with a restart), takes Aedes options, and has a hook to tamper with what it forwards.
import http from "node:http";
import https from "node:https";
import net, { type AddressInfo } from "node:net";
import tls from "node:tls";
import { WebSocketServer, createWebSocketStream } from "ws";
import type { Aedes, AedesOptions } from "aedes";

// Return a changed packet to forward instead, or null to drop it.
export type Forward = (client: unknown, packet: { topic: string; payload: Buffer }) => { topic: string; payload: Buffer } | null | undefined;

export interface BrokerOptions {
  tls?: { cert: Buffer; key: Buffer }; // mqtts on the TCP port, wss on the WebSocket one
  aedes?: AedesOptions;
}

export interface TestBroker {
  aedes: Aedes; // the running instance (a new one after start())
  port: number; // MQTT over TCP/TLS
  wsPort: number; // MQTT over WebSocket, path /mqtt
  url: string; // mqtt://127.0.0.1:<port> (mqtts:// with TLS)
  forward: Forward | null;
  // Stops and starts the broker on the same ports (state is lost, as with a restart).
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

function listen(s: net.Server | http.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    s.once("error", reject);
    s.listen(port, "127.0.0.1", () => resolve((s.address() as AddressInfo).port));
  });
}

export async function startAedes(o: BrokerOptions = {}): Promise<TestBroker> {
  const { Aedes } = await import("aedes");
  let stopper: (() => Promise<void>) | null = null;
  const b: TestBroker = {
    aedes: null as unknown as Aedes,
    port: 0,
    wsPort: 0,
    url: "",
    forward: null,
    async start() {
      const user = o.aedes?.authorizeForward;
      const aedes = await Aedes.createBroker({
        ...o.aedes,
        authorizeForward: (client: any, packet: any) => {
          const p = user ? user(client, packet) : packet;
          return p && b.forward ? b.forward(client, p) : p;
        },
      } as AedesOptions);
      const socks = new Set<net.Socket>();
      const tcp = o.tls ? tls.createServer(o.tls, aedes.handle as any) : net.createServer(aedes.handle as any);
      const web = o.tls ? https.createServer(o.tls) : http.createServer();
      // "connection" is the TCP socket, under TLS too.
      for (const s of [tcp, web])
        s.on("connection", (c: net.Socket) => {
          socks.add(c);
          // Nagle plus delayed ACKs on the broker side would cap a round trip at ~40 ms.
          c.setNoDelay(true);
          c.on("close", () => socks.delete(c));
        });
      const wss = new WebSocketServer({ server: web, path: "/mqtt" });
      wss.on("connection", (ws, req) => aedes.handle(createWebSocketStream(ws) as any, req));
      b.port = await listen(tcp, b.port);
      b.wsPort = await listen(web, b.wsPort);
      b.url = (o.tls ? "mqtts" : "mqtt") + "://127.0.0.1:" + b.port;
      b.aedes = aedes;
      stopper = async () => {
        for (const c of wss.clients) c.terminate();
        for (const c of socks) c.destroy();
        await Promise.all([tcp, web].map((s) => new Promise<void>((r) => s.close(() => r()))));
        await new Promise<void>((r) => aedes.close(() => r()));
      };
    },
    async stop() {
      const s = stopper;
      stopper = null;
      if (s) await s();
    },
    close: () => b.stop(),
  };
  await b.start();
  return b;
}
