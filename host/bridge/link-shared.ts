// BrokerLink over pinwire's own MQTT client (shared/mqtt/client.ts), the same state machine
// the boards run, carried by a Node TCP/TLS socket or a WebSocket (host/net). Between the two
// sits publishGuard: a PUBLISH the client would refuse (a retained one with U+0000 in its topic
// from a lax broker) is logged and skipped instead of closing the link, which would only bring
// the same retained message back after the reconnect.
import { mqttClient, type MqttClient } from "../../shared/mqtt/client";
import { isProtocolError } from "../../shared/errors";
import { openTcp } from "../net/tcp-transport";
import { openWs } from "../net/ws-transport";
import { describeTopic, publishGuard } from "../net/publish-guard";
import { describe as describeCode, MQTT_CLIENT_TEXT } from "../../shared/error-text";
import type { BrokerLink, LinkOptions, MessageHandler, PublishOptions } from "./link";

const TICK_MS = 250;

function defaultPort(protocol: string): number {
  return protocol === "mqtt:" ? 1883 : protocol === "mqtts:" ? 8883 : protocol === "ws:" ? 80 : 443;
}

export function sharedLink(opts: LinkOptions): BrokerLink {
  const u = new URL(opts.url);
  const host = u.hostname.replace(/^\[|\]$/g, "");
  const port = u.port ? Number(u.port) : defaultPort(u.protocol);
  const secure = u.protocol === "mqtts:" || u.protocol === "wss:";
  const tls = secure ? { ca: opts.ca, rejectUnauthorized: opts.rejectUnauthorized !== false } : undefined;
  const handlers: MessageHandler[] = [];
  const reconnectHandlers: (() => void)[] = [];
  const waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void; filter: string }>();
  let lastSocketError: Error | null = null;
  let timer: NodeJS.Timeout | null = null;
  let connectedOnce = false;
  let onFirst: ((e?: Error) => void) | null = null;
  let closing = false;

  const client: MqttClient = mqttClient({
    clientId: opts.clientId,
    clean: true,
    keepalive: 30,
    username: opts.username,
    password: opts.password !== undefined ? new TextEncoder().encode(opts.password) : undefined,
    will: opts.will ? { topic: opts.will.topic, payload: opts.will.payload, qos: 0, retain: opts.will.retain } : undefined,
    // Rides out bursts and short broker outages; beyond that publishes are dropped (the
    // bridge carries live values: the next one supersedes what was lost).
    queue: 5000,
    window: 64,
    open: () => {
      const sinkOpts = { host, port, tls, onError: (e: Error) => (lastSocketError = e) };
      if (u.protocol === "ws:" || u.protocol === "wss:") openWs(guard, { ...sinkOpts, path: u.pathname || "/mqtt" });
      else openTcp(guard, sinkOpts);
    },
  });
  const guard = publishGuard(client, (s) =>
    opts.log?.warn(
      { event: "publish-skipped", rule: s.rule, why: describeCode(s.rule), ...describeTopic(s.topic), qos: s.qos, retain: s.retain, acked: s.acked },
      "skipped a PUBLISH from the broker that breaks " + s.rule + (s.retain ? " (retained: clear it on the broker)" : ""),
    ),
  );

  client.onconnect = () => {
    if (!connectedOnce) {
      connectedOnce = true;
      onFirst?.();
    } else for (const h of reconnectHandlers) h();
  };
  client.onerror = (e) => {
    const text = MQTT_CLIENT_TEXT[e.code] ?? e.code;
    const err = new Error(e.message ? text + ": " + e.message : text);
    if (!connectedOnce) onFirst?.(err);
    if (e.code === "suback-refused") for (const [id, w] of waiting) if (w.filter === e.message) (waiting.delete(id), w.reject(err));
  };
  client.onclose = () => {
    // A broker that is not there at start is an error, not something to wait for.
    if (!connectedOnce && !closing) onFirst?.(lastSocketError ?? new Error("connection to " + opts.url + " closed"));
  };
  client.onmessage = (topic, payload, p) => {
    for (const h of handlers) h(topic, payload, p.retain);
  };
  client.onsuback = (id, granted) => {
    const w = waiting.get(id);
    if (!w) return;
    waiting.delete(id);
    if (granted[0] === 0x80) w.reject(new Error("subscription refused: " + w.filter));
    else w.resolve();
  };
  client.onack = (id) => {
    const w = waiting.get(id);
    if (w) (waiting.delete(id), w.resolve());
  };

  const track = (filter: string, id: number) => new Promise<void>((resolve, reject) => waiting.set(id, { resolve, reject, filter }));

  return {
    connect() {
      return new Promise<void>((resolve, reject) => {
        onFirst = (e) => {
          onFirst = null;
          if (e) {
            closing = true;
            client.end();
            if (timer) clearInterval(timer);
            reject(e);
          } else resolve();
        };
        client.tick(Date.now());
        timer = setInterval(() => client.tick(Date.now()), TICK_MS);
        client.connect();
      });
    },
    publish(topic, payload, po: PublishOptions = {}) {
      try {
        client.publish(topic, payload, po.qos ?? 0, po.retain ?? false);
      } catch (e) {
        // queue-full while the broker is away: the bridge carries live values, the next one supersedes.
        if (!isProtocolError(e) || e.code !== "queue-full") throw e;
      }
    },
    subscribe(filters) {
      return Promise.all(filters.map((f) => track(f, client.subscribe(f, 0)))).then(() => {});
    },
    unsubscribe(filters) {
      return Promise.all(filters.map((f) => track(f, client.unsubscribe(f)))).then(() => {});
    },
    onMessage(h) {
      handlers.push(h);
    },
    // The client restores its subscriptions itself after a reconnect; this only reports it.
    onReconnect(h) {
      reconnectHandlers.push(h);
    },
    async close() {
      closing = true;
      if (timer) clearInterval(timer);
      client.end();
      for (const w of waiting.values()) w.reject(new Error("link closed"));
      waiting.clear();
    },
  };
}
