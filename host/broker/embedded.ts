// The embedded Aedes broker: MQTT on TCP (TLS when a cert is given) and MQTT over WebSocket
// through handleUpgrade() on the HTTP server's /mqtt path. Authentication, the per-device
// ACL (topics and client ids) and the size and connection limits live here so the broker
// itself enforces them, whoever the client is. Every connection passes pinwire's MQTT parser
// first (gate.ts), and QoS 0 deliveries are written by fanout.ts.
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer as createTcpServer, type Server as NetServer, type Socket, type AddressInfo } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { Aedes, type AuthenticateError, type Client } from "aedes";
import { WebSocketServer, createWebSocketStream } from "ws";
import type { Logger } from "../log";
import type { CredentialStore } from "../auth/credentials";
import { LoginGuard } from "../auth/login-guard";
import { canPublish, canSubscribe, clientIdRefusal, type Principal } from "../auth/acl";
import { Admission } from "./admission";
import { flatten, type Emitter } from "./emitter";
import { qos0Fanout } from "./fanout";
import { guard, type Gate } from "./gate";
import { formatBytes, resolveLimits, type Limits } from "./limits";
import { LimitLog } from "./limit-log";
import { indexRetained, type RetainedStore, type SubscribeEvents } from "./retained";

export interface EmbeddedBrokerOptions {
  host: string;
  port: number; // 0 = any free port
  log: Logger;
  // When set (non-empty store), every client must authenticate; otherwise clients are open.
  credentials?: CredentialStore | null;
  // Password checks (rate limits, equal cost); default one of its own on `credentials`.
  logins?: LoginGuard;
  // In-process secret for the bridge's own connection; always accepted as role "bridge".
  bridgeUser?: { username: string; password: string };
  tls?: { cert: Buffer; key: Buffer };
  // In-memory device logins (the virtual board `pinwire start` adds), checked like stored ones.
  ephemeralDevices?: Map<string, string>;
  limits?: Partial<Limits>;
  // Connections counted with the host's other listeners; default one of its own.
  admission?: Admission;
}

export interface EmbeddedBroker {
  aedes: Aedes;
  port: number;
  url: string; // mqtt://host:port or mqtts://
  limits: Limits;
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): Promise<void>;
}

type AuthedClient = Client & { pinwire?: Principal; clean: boolean };

// The host's own bridge link reads everything the broker has for it (a fleet's retained
// messages after a reconnect): it may have more queued than a client.
const BRIDGE_QUEUED_BYTES = 64 * 1024 * 1024;

// Messages Aedes routes at once (its default is 100); the rest wait in its queue. Each takes
// a couple of event-loop turns (a setImmediate, a write callback), so at 100 a 10,000-device
// fleet (4,000 state messages a second and their acks) was routed at only a little more than it
// arrived: after any pause the queue took a second to drain, and commands waited behind it
// (bench:fleet, p99 0.2-1 s). Memory does not depend on it: a publisher's next packets are not
// read before its last ones are routed, so what waits is in memory either way.
const ROUTING_CONCURRENCY = 2000;

// Constant-time comparison of secrets (the bridge's, the virtual boards').
function sameSecret(a: string, b: string | undefined): boolean {
  if (b === undefined) return false;
  const d = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(d(a), d(b));
}

// A CONNACK refusal for Aedes: 2 identifier rejected, 3 server unavailable, 4 bad user name or
// password, 5 not authorised.
const refusal = (message: string, returnCode: 2 | 3 | 4 | 5) => Object.assign(new Error(message), { returnCode }) as unknown as AuthenticateError;
type Done = (err: AuthenticateError | null, ok: boolean | null) => void;

export async function startEmbeddedBroker(opts: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const log = opts.log.child({ c: "broker" });
  const store = opts.credentials && opts.credentials.size > 0 ? opts.credentials : null;
  const bridgeUser = opts.bridgeUser;
  const limits = resolveLimits(opts.limits);
  const ownLogins = store && !opts.logins ? new LoginGuard({ store }) : null;
  const logins = opts.logins ?? ownLogins;
  const admission = opts.admission ?? new Admission({ log, connections: limits.connections, connectionsPerAddress: limits.connectionsPerAddress });
  const limitLog = new LimitLog(log);
  // Per connection (the socket, or the WebSocket's stream): its gate and remote address.
  const gates = new WeakMap<object, Gate>();
  const addrs = new WeakMap<object, string | undefined>();
  const isDevice = (id: string) => opts.ephemeralDevices?.has(id) === true || store?.get(id)?.role === "device";

  // The principal's login, once its client id passes the ACL: the gate then lets packets up
  // to the after-login size through.
  function accept(c: AuthedClient, who: Principal, done: Done): void {
    const no = clientIdRefusal(who, c.id, isDevice);
    // A client id in use by another principal is not taken over ([MQTT-3.1.4-2] would close
    // the one connected): refused instead.
    const holder = (aedes as unknown as { clients: Record<string, AuthedClient | undefined> }).clients[c.id];
    const taken = !no && holder && holder !== c && holder.pinwire && !samePrincipal(holder.pinwire, who) ? "client id " + c.id + " is in use by another login" : null;
    if (no || taken) {
      log.warn({ event: "client-id-refused", client: c.id, who: who.kind === "open" ? "open" : who.kind + " " + who.id, why: no ?? taken }, "CONNECT refused: " + (no ?? taken));
      return done(refusal(no ?? taken!, 2), null);
    }
    c.pinwire = who;
    gates.get(c.conn)?.loggedIn();
    done(null, true);
  }

  const aedes = await Aedes.createBroker({
    concurrency: ROUTING_CONCURRENCY,
    authenticate(client, username, password, done) {
      const c = client as AuthedClient;
      const pass = password ? password.toString("utf8") : undefined;
      if (bridgeUser && username === bridgeUser.username && sameSecret(bridgeUser.password, pass)) return accept(c, { kind: "bridge", id: username }, done);
      const eph = username !== undefined ? opts.ephemeralDevices?.get(username) : undefined;
      if (eph !== undefined && sameSecret(eph, pass)) return accept(c, { kind: "device", id: username! }, done);
      if (!store || !logins) return accept(c, { kind: "open" }, done);
      const addr = addrs.get(c.conn);
      logins.check(username, pass, addr).then(
        (r) => {
          if ("role" in r) return accept(c, r.role === "bridge" ? { kind: "bridge", id: username! } : { kind: "device", id: username! }, done);
          if (r.refused === "bad") {
            log.warn({ event: "auth-refused", client: client.id, username, addr }, "bad username or password");
            return done(refusal("bad username or password", 4), null);
          }
          if (r.refused === "limited") {
            limitLog.hit("auth-rate-limited", { client: client.id, username, addr }, "login refused without a check: too many failed logins from this address or for this user");
            return done(refusal("too many failed logins", 5), null);
          }
          limitLog.hit("auth-busy", { client: client.id, username, addr }, "login refused: too many logins waiting for their password check");
          done(refusal("server busy", 3), null);
        },
        (e) => done(refusal(String(e), 3), null),
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
      if (packet.retain && packet.payload.length > limits.retainedBytes) {
        log.warn(
          { event: "retained-too-large", client: client?.id, topic: packet.topic, bytes: packet.payload.length, max: limits.retainedBytes },
          "retained PUBLISH of " + packet.payload.length + " bytes refused: over " + formatBytes(limits.retainedBytes) + " (--max-retained)",
        );
        return cb(new Error("retained payload too large"));
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
    authorizeForward: qos0Fanout({
      log,
      maxBuffered: limits.queuedBytes,
      maxBufferedFor: (c) => {
        const who = (c as AuthedClient).pinwire;
        return who?.kind === "bridge" && who.id === bridgeUser?.username ? BRIDGE_QUEUED_BYTES : limits.queuedBytes;
      },
    }),
  });
  // Routing by a loop, not by recursion (emitter.ts): a long queue overflowed the stack.
  // (Aedes builds both in createBroker; its types do not name them.)
  const inner = aedes as unknown as { mq: Emitter; persistence: RetainedStore };
  flatten(inner.mq);
  // Retained messages by topic tree (retained.ts): a SUBSCRIBE scanned every one of them.
  const retained = indexRetained(inner.persistence, aedes as unknown as SubscribeEvents, undefined, {
    maxBytes: limits.retainedTotalBytes,
    full: (topic, bytes) =>
      limitLog.hit("retained-store-full", { topic, bytes, held: retained.bytes, max: limits.retainedTotalBytes }, "retained message on a new topic not kept: the retained store holds " + formatBytes(limits.retainedTotalBytes) + " (--max-retained-total)"),
  });

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

  // One connection into Aedes behind the gate. Aedes would wait for 'drain' after a QoS 1/2
  // write to a subscriber whose socket is full, holding one of its routing slots meanwhile (a
  // stalled subscriber held up everyone); the queued-bytes limit (fanout.ts) bounds that
  // socket instead, so the wait is turned off.
  function handle(conn: Duplex, addr: string | undefined, label: string, req?: IncomingMessage): void {
    addrs.set(conn, addr);
    gates.set(conn, guard(conn, { log, addr: label, loginBytes: limits.loginBytes, maxPacketSize: limits.packetBytes }));
    const client = aedes.handle(conn as any, req as any) as unknown as { waitForDrain(done: (err: Error | null, c: unknown) => void): void };
    client.waitForDrain = (done) => setImmediate(done, null, client);
  }

  const sockets = new Set<Socket>();
  const onConn = (sock: Socket) => {
    if (!admission.admit(sock, "mqtt")) return;
    // Small publishes must not wait for Nagle + delayed ACK (a 40 ms stall per exchange).
    sock.setNoDelay(true);
    sockets.add(sock);
    sock.on("close", () => sockets.delete(sock));
    handle(sock, sock.remoteAddress, sock.remoteAddress + ":" + sock.remotePort);
  };
  // Under TLS the limit applies to the TCP connection, before its handshake.
  const server: NetServer = opts.tls ? createTlsServer({ cert: opts.tls.cert, key: opts.tls.key }, onConn) : createTcpServer(onConn);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = (opts.tls ? "mqtts://" : "mqtt://") + (opts.host.includes(":") ? "[" + opts.host + "]" : opts.host) + ":" + port;
  log.info({ event: "listen", url, limits }, "mqtt broker listening");

  // MQTT over WebSocket: browsers ask for the "mqtt" subprotocol. ws holds a whole message
  // before the gate sees it: messages are limited to the after-login packet size.
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: limits.packetBytes,
    handleProtocols: (protocols) => (protocols.has("mqtt") ? "mqtt" : protocols.has("mqttv3.1") ? "mqttv3.1" : false),
  });
  wss.on("connection", (ws, req) => {
    const stream = createWebSocketStream(ws);
    stream.on("error", () => stream.destroy());
    handle(stream, req.socket.remoteAddress, req.socket.remoteAddress + ":" + req.socket.remotePort + " (ws)", req);
  });

  return {
    aedes,
    port,
    url,
    limits,
    handleUpgrade(req, socket, head) {
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
    },
    async close() {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      await new Promise<void>((r) => aedes.close(() => r()));
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      await ownLogins?.close();
    },
  };
}

function samePrincipal(a: Principal, b: Principal): boolean {
  return a.kind === b.kind && (a.kind === "open" || (b.kind !== "open" && a.id === b.id));
}
