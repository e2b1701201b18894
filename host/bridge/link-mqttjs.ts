// BrokerLink over the `mqtt` npm package: a second implementation, used to compare against.
import mqtt, { type MqttClient } from "mqtt";
import type { BrokerLink, LinkOptions, MessageHandler, PublishOptions } from "./link";

export function mqttjsLink(opts: LinkOptions): BrokerLink {
  let client: MqttClient | null = null;
  const handlers: MessageHandler[] = [];
  const reconnectHandlers: (() => void)[] = [];
  return {
    connect() {
      return new Promise((resolve, reject) => {
        const c = mqtt.connect(opts.url, {
          clientId: opts.clientId,
          username: opts.username,
          password: opts.password,
          protocolVersion: 4,
          clean: true,
          reconnectPeriod: 1000,
          ca: opts.ca,
          rejectUnauthorized: opts.rejectUnauthorized,
          will: opts.will ? { topic: opts.will.topic, payload: Buffer.from(opts.will.payload), retain: opts.will.retain, qos: 0 } : undefined,
        });
        client = c;
        let first = true;
        c.on("connect", () => {
          if (first) {
            first = false;
            resolve();
          } else for (const h of reconnectHandlers) h();
        });
        c.on("error", (e) => {
          if (first) {
            first = false;
            c.end(true);
            reject(e);
          }
        });
        c.on("message", (topic, payload, packet) => {
          for (const h of handlers) h(topic, payload, packet.retain);
        });
      });
    },
    publish(topic, payload, po: PublishOptions = {}) {
      client!.publish(topic, typeof payload === "string" ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.length), {
        qos: po.qos ?? 0,
        retain: po.retain ?? false,
      });
    },
    subscribe(filters) {
      return new Promise((resolve, reject) =>
        client!.subscribe(filters, { qos: 0 }, (err, granted) => {
          if (err) return reject(err);
          const bad = (granted ?? []).filter((g) => g.qos === 128);
          if (bad.length) return reject(new Error("subscription refused: " + bad.map((g) => g.topic).join(", ")));
          resolve();
        }),
      );
    },
    unsubscribe(filters) {
      return new Promise((resolve, reject) => client!.unsubscribe(filters, (err) => (err ? reject(err) : resolve())));
    },
    onMessage(h) {
      handlers.push(h);
    },
    onReconnect(h) {
      reconnectHandlers.push(h);
    },
    close() {
      return new Promise((resolve) => (client ? client.end(false, {}, () => resolve()) : resolve()));
    },
  };
}
