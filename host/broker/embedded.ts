// The embedded Aedes broker: MQTT on TCP (TLS when a cert is given) and MQTT over WebSocket
// through handleUpgrade() on the HTTP server's /mqtt path. Authentication and the per-device
// ACL live here so the broker itself enforces them, whoever the client is. Every connection
// passes pinwire's MQTT parser first (gate.ts), and QoS 0 deliveries are written by fanout.ts.
import { createServer as createTcpServer, type Server as NetServer, type Socket, type AddressInfo } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { Aedes, type Client } from "aedes";
import { WebSocketServer, createWebSocketStream } from "ws";
import type { Logger } from "../log";
import type { CredentialStore } from "../auth/credentials";
import { canPublish, canSubscribe, type Principal } from "../auth/acl";
import { flatten, type Emitter } from "./emitter";
import { qos0Fanout } from "./fanout";
import { guard } from "./gate";
import { indexRetained, type RetainedStore, type SubscribeEvents } from "./retained";

export interface EmbeddedBrokerOptions {
  host: string;
  port: number; // 0 = any free port
  log: Logger;
  // When set (non-empty store), every client must authenticate; otherwise clients are open.
  credentials?: CredentialStore | null;
  // In-process secret for the bridge's own connection; always accepted as role "bridge".
  bridgeUser?: { username: string; password: string };
  tls?: { cert: Buffer; key: Buffer };
  // In-memory device logins (the virtual board `pinwire start` adds), checked like stored ones.
  ephemeralDevices?: Map<string, string>;
}

export interface EmbeddedBroker {
  aedes: Aedes;
  port: number;
  url: string; // mqtt://host:port or mqtts://
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): Promise<void>;
}

type AuthedClient = Client & { pinwire?: Principal };

export async function startEmbeddedBroker(opts: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const log = opts.log.child({ c: "broker" });
  const store = opts.credentials && opts.credentials.size > 0 ? opts.credentials : null;
  const bridgeUser = opts.bridgeUser;

  const aedes = await Aedes.createBroker({
    authenticate(client, username, password, done) {
      const c = client as AuthedClient;
      const pass = password ? password.toString("utf8") : undefined;
      if (bridgeUser && username === bridgeUser.username && pass === bridgeUser.password) {
        c.pinwire = { kind: "bridge", id: username };
        return done(null, true);
      }
      const eph = username !== undefined ? opts.ephemeralDevices?.get(username) : undefined;
      if (eph !== undefined && pass === eph) {
        c.pinwire = { kind: "device", id: username! };
        return done(null, true);
      }
      if (!store) {
        c.pinwire = { kind: "open" };
        return done(null, true);
      }
      store.check(username, pass).then(
        (role) => {
          if (!role) {
            log.warn({ event: "auth-refused", client: client.id, username }, "bad username or password");
            const err = Object.assign(new Error("bad username or password"), { returnCode: 4 });
            return done(err as any, null);
          }
          c.pinwire = role === "bridge" ? { kind: "bridge", id: username! } : { kind: "device", id: username! };
          done(null, true);
        },
        (e) => done(Object.assign(new Error(String(e)), { returnCode: 3 }) as any, null),
      );
    },
    authorizePublish(client, packet, cb) {
      // client is null for a will published after its owner's session is gone: it was
      // authorised when the owner connected.
      const who: Principal = (client as AuthedClient | null)?.pinwire ?? { kind: "open" };
      if (client && !canPublish(who, packet.topic)) {
        log.warn({ event: "publish-denied", client: client.id, topic: packet.topic }, "publish denied");
        return cb(new Error("publish to " + packet.topic + " denied"));
      }
      cb(null);
    },
    authorizeSubscribe(client, sub, cb) {
      const who: Principal = (client as AuthedClient).pinwire ?? { kind: "open" };
      if (!canSubscribe(who, sub.topic)) {
        log.warn({ event: "subscribe-denied", client: client.id, topic: sub.topic }, "subscribe denied");
        return cb(null, null); // SUBACK 0x80 for this filter, the connection stays
      }
      cb(null, sub);
    },
    authorizeForward: qos0Fanout({ log }),
  });
  // Routing by a loop, not by recursion (emitter.ts): a long queue overflowed the stack.
  // (Aedes builds both in createBroker; its types do not name them.)
  const inner = aedes as unknown as { mq: Emitter; persistence: RetainedStore };
  flatten(inner.mq);
  // Retained messages by topic tree (retained.ts): a SUBSCRIBE scanned every one of them.
  indexRetained(inner.persistence, aedes as unknown as SubscribeEvents);

  aedes.on("client", (c) => log.info({ event: "connect", client: c.id }, "mqtt client connected"));
  aedes.on("clientDisconnect", (c) => log.info({ event: "disconnect", client: c.id }, "mqtt client disconnected"));
  aedes.on("clientError", (c, e) => log.warn({ event: "client-error", client: c?.id, err: e.message }, "mqtt client error"));
  aedes.on("connectionError", (c, e) => log.warn({ event: "connection-error", client: c?.id, err: e.message }, "mqtt connection error"));
  if (log.isLevelEnabled("debug")) {
    aedes.on("publish", (p, c) => {
      if (c) log.debug({ event: "publish", client: c.id, topic: p.topic, bytes: p.payload.length, retain: p.retain }, "publish");
    });
    aedes.on("subscribe", (subs, c) => log.debug({ event: "subscribe", client: c.id, subs }, "subscribe"));
  }

  const sockets = new Set<Socket>();
  const onConn = (sock: Socket) => {
    // Small publishes must not wait for Nagle + delayed ACK (a 40 ms stall per exchange).
    sock.setNoDelay(true);
    sockets.add(sock);
    sock.on("close", () => sockets.delete(sock));
    guard(sock, { log, addr: sock.remoteAddress + ":" + sock.remotePort });
    aedes.handle(sock);
  };
  const server: NetServer = opts.tls ? createTlsServer({ cert: opts.tls.cert, key: opts.tls.key }, onConn) : createTcpServer(onConn);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = (opts.tls ? "mqtts://" : "mqtt://") + (opts.host.includes(":") ? "[" + opts.host + "]" : opts.host) + ":" + port;
  log.info({ event: "listen", url }, "mqtt broker listening");

  // MQTT over WebSocket: browsers ask for the "mqtt" subprotocol.
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => (protocols.has("mqtt") ? "mqtt" : protocols.has("mqttv3.1") ? "mqttv3.1" : false),
  });
  wss.on("connection", (ws, req) => {
    const stream = createWebSocketStream(ws);
    stream.on("error", () => stream.destroy());
    guard(stream, { log, addr: req.socket.remoteAddress + ":" + req.socket.remotePort + " (ws)" });
    aedes.handle(stream as any, req);
  });

  return {
    aedes,
    port,
    url,
    handleUpgrade(req, socket, head) {
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
    },
    async close() {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      await new Promise<void>((r) => aedes.close(() => r()));
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
