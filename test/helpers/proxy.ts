// The suites' TCP proxy, between a client (a board, the bridge, the pusher) and its server (a
// broker, a console). It counts the bytes both ways, can cut every connection, can hold new
// connections back (their bytes kept until release()), and either
//   - passes bytes through, optionally rewritten by `transform` (a transmission error), or
//   - with `mqtt`, parses the packets both ways (mqtt-packet) and asks `rule` whether to pass,
//     drop or cut at each one, recording every packet it sees per connection.
// Nothing here sleeps: until() waits for a condition, checked after every event.
import net, { type AddressInfo } from "node:net";
import mqttPacket from "mqtt-packet";

export type Verdict = "pass" | "drop" | "cut";
// dir: "up" client -> server, "down" server -> client; conn: 0 for the first connection.
export type Rule = (dir: "up" | "down", p: mqttPacket.Packet, conn: number) => Verdict;

export interface ProxyOptions {
  mqtt?: boolean;
  // Raw mode: what to forward instead of a chunk.
  transform?: (dir: "up" | "down", chunk: Buffer, conn: number) => Buffer;
}

export interface Proxy {
  port: number;
  up: number; // bytes client -> server
  down: number; // bytes server -> client
  rule: Rule; // mqtt mode
  // Every packet seen (forwarded or not), per connection and direction (mqtt mode).
  seen: Array<{ up: mqttPacket.Packet[]; down: mqttPacket.Packet[] }>;
  cuts: number;
  cut(): void; // drops every open connection (clients reconnect through the proxy)
  hold(): void; // new connections wait, their bytes kept, until release()
  release(): void;
  until(pred: () => boolean): Promise<void>;
  close(): Promise<void>;
}

export async function startProxy(target: number, o: ProxyOptions = {}): Promise<Proxy> {
  const checks: (() => void)[] = [];
  const poke = () => {
    for (const c of checks.slice()) c();
  };
  const socks = new Set<net.Socket>();
  let held: (() => void)[] | null = null;
  const px: Proxy = {
    port: 0,
    up: 0,
    down: 0,
    rule: () => "pass",
    seen: [],
    cuts: 0,
    cut() {
      for (const s of socks) s.destroy();
    },
    hold() {
      held = [];
    },
    release() {
      const h = held ?? [];
      held = null;
      for (const f of h) f();
    },
    until: (pred) =>
      new Promise((resolve) => {
        const check = () => pred() && (checks.splice(checks.indexOf(check), 1), resolve());
        checks.push(check);
        check();
      }),
    close: async () => {},
  };
  const server = net.createServer((a) => {
    const conn = px.seen.length;
    const log = { up: [] as mqttPacket.Packet[], down: [] as mqttPacket.Packet[] };
    px.seen.push(log);
    // Nagle's algorithm would hold small packets (ACKs) for the peer's delayed ACK (40 ms).
    a.setNoDelay(true);
    socks.add(a);
    let b: net.Socket | null = null;
    const early: Buffer[] = [];
    let dead = false;
    const end = (): void => {
      if (dead) return;
      dead = true;
      px.cuts++;
      a.destroy();
      b?.destroy();
      socks.delete(a);
      if (b) socks.delete(b);
      poke();
    };
    const forward = (dir: "up" | "down", d: Buffer, to: () => net.Socket | null) => {
      if (dir === "up") px.up += d.length;
      else px.down += d.length;
      if (!o.mqtt) {
        const out = o.transform ? o.transform(dir, d, conn) : d;
        const s = to();
        if (s) s.write(out);
        else early.push(out);
      }
      poke();
    };
    // mqtt mode: one parser per direction, packets regenerated on the way.
    const parsers = o.mqtt
      ? (["up", "down"] as const).map((dir) => {
          const parser = mqttPacket.parser({ protocolVersion: 4 });
          parser.on("packet", (p: mqttPacket.Packet) => {
            if (dead) return;
            log[dir].push(p);
            const v = px.rule(dir, p, conn);
            if (v === "cut") return end();
            if (v === "pass") {
              const bytes = mqttPacket.generate(p, { protocolVersion: 4 });
              const s = dir === "up" ? b : a;
              if (s) s.write(bytes);
              else early.push(bytes);
            }
            poke();
          });
          parser.on("error", () => end());
          return parser;
        })
      : null;
    a.on("data", (d) => {
      forward("up", d, () => b);
      parsers?.[0].parse(d);
    });
    a.on("close", end);
    a.on("error", end);
    const connect = () => {
      if (dead) return;
      b = net.connect(target, "127.0.0.1");
      b.setNoDelay(true);
      socks.add(b);
      for (const e of early.splice(0)) b.write(e);
      b.on("data", (d) => {
        forward("down", d, () => a);
        parsers?.[1].parse(d);
      });
      b.on("close", end);
      b.on("error", end);
    };
    if (held) held.push(connect);
    else connect();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  px.port = (server.address() as AddressInfo).port;
  px.close = () =>
    new Promise<void>((r) => {
      px.cut();
      server.close(() => r());
    });
  return px;
}
