// Test rig for shared/mqtt/client.ts: the in-process Aedes broker (helpers/broker.ts), the
// client driven by a fake clock over a real socket transport, an `mqtt` npm client as the
// peer, and the TCP proxy (helpers/proxy.ts, parsing with mqtt-packet) that can drop packets
// or cut the connection at a chosen packet. Nothing here sleeps: waits are on events.
import net from "node:net";
import type { AddressInfo } from "node:net";
import mqtt from "mqtt";
import mqttPacket from "mqtt-packet";
import type { AedesOptions } from "aedes";
import { startAedes, type TestBroker } from "./helpers/broker";
import { startProxy as proxy, type Proxy } from "./helpers/proxy";
import { mqttClient, type MqttClient, type MqttClientOptions } from "../shared/mqtt/client";
import type { ProtocolError } from "../shared/errors";
import { openTcp, type TcpOptions } from "../host/net/tcp-transport";
import { openWs } from "../host/net/ws-transport";

export type Kind = "tcp" | "ws";

// The suites' one broker and one proxy (test/helpers), in this rig's spelling: a proxy here
// always parses MQTT.
export type Broker = TestBroker;
export const startBroker = (opts?: AedesOptions): Promise<Broker> => startAedes({ aedes: opts });
export type { Proxy, Rule, Verdict } from "./helpers/proxy";
export const startProxy = (target: number): Promise<Proxy> => proxy(target, { mqtt: true });

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
}

// Closes a server and every connection it accepted (close() alone waits for them).
function closer(server: net.Server): () => Promise<void> {
  const socks = new Set<net.Socket>();
  server.on("connection", (s: net.Socket) => {
    socks.add(s);
    s.on("close", () => socks.delete(s));
  });
  return () =>
    new Promise((resolve) => {
      for (const s of socks) s.destroy();
      server.close(() => resolve());
    });
}

export interface Received {
  topic: string;
  text: string;
  qos: number;
  retain: boolean;
  dup: boolean;
}

// Calls every registered check after each event, so a test awaits a condition, not a delay.
class Waiter {
  private checks: Array<() => void> = [];
  poke = (): void => {
    for (const c of this.checks.slice()) c();
  };
  until(pred: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (!pred()) return;
        this.checks.splice(this.checks.indexOf(check), 1);
        resolve();
      };
      this.checks.push(check);
      check();
    });
  }
}

export interface Rig {
  c: MqttClient;
  now(): number;
  // Moves the fake clock and ticks the client.
  advance(ms: number): void;
  until(pred: () => boolean): Promise<void>;
  messages: Received[];
  acks: Array<[number, number]>;
  subacks: Array<[number, number[]]>;
  errors: string[];
  connects: boolean[]; // sessionPresent of each CONNACK accepted
  opens: number[]; // fake-clock time of each open()
  closes: number;
  bytesIn: number; // bytes the transport has passed to data()
  // The socket of the current attempt, to break it from the test.
  socket(): net.Socket;
}

export interface RigOptions extends Partial<MqttClientOptions> {
  kind?: Kind;
  port: number; // TCP port, or the WebSocket port when kind is "ws"
  tls?: TcpOptions["tls"];
  start?: number; // fake clock at creation
}

export function rig(o: RigOptions): Rig {
  let now = o.start ?? 1_000_000;
  const w = new Waiter();
  let sock: net.Socket | null = null;
  const r: Rig = {
    c: null as unknown as MqttClient,
    now: () => now,
    advance(ms) {
      now += ms;
      r.c.tick(now);
    },
    until: (pred) => w.until(pred),
    messages: [],
    acks: [],
    subacks: [],
    errors: [],
    connects: [],
    opens: [],
    closes: 0,
    bytesIn: 0,
    socket: () => sock as net.Socket,
  };
  const opts: MqttClientOptions = {
    clientId: "c-" + Math.random().toString(16).slice(2, 10),
    random: () => 0.5,
    ...o,
    open() {
      r.opens.push(now);
      const to = { host: "127.0.0.1", port: o.port, tls: o.tls };
      const t = o.kind === "ws" ? openWs(c, to) : openTcp(c, to);
      sock = t.socket;
      w.poke();
    },
  };
  const c = mqttClient(opts);
  r.c = c;
  const data = c.data;
  c.data = (b) => {
    r.bytesIn += b.length;
    data.call(c, b);
    w.poke();
  };
  c.onmessage = (topic, payload, p) => {
    // The payload is a view into the socket's chunk: copy it out at once.
    r.messages.push({ topic, text: Buffer.from(payload).toString(), qos: p.qos, retain: p.retain, dup: p.dup });
    w.poke();
  };
  c.onack = (id, type) => {
    r.acks.push([id, type]);
    w.poke();
  };
  c.onsuback = (id, granted) => {
    r.subacks.push([id, granted.slice()]);
    w.poke();
  };
  c.onerror = (e: ProtocolError) => {
    r.errors.push(e.code);
    w.poke();
  };
  c.onconnect = (sp) => {
    r.connects.push(sp);
    w.poke();
  };
  c.onclose = () => {
    r.closes++;
    w.poke();
  };
  c.tick(now);
  return r;
}

// The `mqtt` npm client on the other side, recording what it receives.
export interface Peer {
  client: mqtt.MqttClient;
  got: Received[];
  until(pred: () => boolean): Promise<void>;
  end(): Promise<void>;
}

export async function peer(port: number, opts: mqtt.IClientOptions = {}): Promise<Peer> {
  const client = await mqtt.connectAsync("mqtt://127.0.0.1:" + port, { reconnectPeriod: 0, ...opts });
  const w = new Waiter();
  const got: Received[] = [];
  client.on("message", (topic, payload, p) => {
    got.push({ topic, text: payload.toString(), qos: p.qos, retain: p.retain, dup: p.dup });
    w.poke();
  });
  return { client, got, until: (pred) => w.until(pred), end: () => client.endAsync(true) };
}

// A tiny raw MQTT server for what a broker won't do on request: answer CONNECT with a chosen
// CONNACK (or not at all), then stay silent. Records each connection's received bytes' packets.
export interface RawServer {
  port: number;
  conns: net.Socket[];
  packets: mqttPacket.Packet[];
  until(pred: () => boolean): Promise<void>;
  close(): Promise<void>;
}

export async function rawServer(connack: ((conn: number) => number | null) | number | null): Promise<RawServer> {
  const w = new Waiter();
  const rs: RawServer = { port: 0, conns: [], packets: [], until: (p) => w.until(p), close: async () => {} };
  const server = net.createServer((s) => {
    const conn = rs.conns.length;
    rs.conns.push(s);
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    parser.on("packet", (p: mqttPacket.Packet) => {
      rs.packets.push(p);
      if (p.cmd === "connect") {
        const rc = typeof connack === "function" ? connack(conn) : connack;
        if (rc !== null) s.write(mqttPacket.generate({ cmd: "connack", returnCode: rc, sessionPresent: false }));
      }
      w.poke();
    });
    s.on("data", (d) => parser.parse(d));
    s.on("error", () => {});
    s.on("close", w.poke);
    w.poke();
  });
  const closeServer = closer(server);
  rs.port = await listen(server);
  rs.close = closeServer;
  return rs;
}
