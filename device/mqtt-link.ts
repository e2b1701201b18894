// MQTT mode: the shared MQTT client over the pipe (TCP, TLS, or WebSocket with subprotocol
// "mqtt"), as the runtime's link (device/runtime.ts says what goes on which topic). The client
// is its own transport sink and calls the runtime directly: no adapter functions, each of
// which would cost the board RAM.
import { type Bytes, utf8Encode } from "../shared/bytes";
import { mqttClient, type MqttClient } from "../shared/mqtt/client";
import type { Url } from "./config";
import { otaAttach } from "./ota/attach";
import { pipeOpen } from "./pipe";
import { incoming, up, type Link } from "./runtime";

let m: MqttClient;
let url: Url;

function open(): void {
  if (!pipeOpen(url, url.path, url.ws ? "mqtt" : null, m)) m.closed();
}

function failed(e: { code: string }): void {
  console.log("mqtt " + e.code);
}

function pub(topic: string, payload: Bytes | string, qos: number, retain: boolean): boolean {
  try {
    m.publish(topic, payload, qos, retain);
    return true;
  } catch (e) {
    // Queue full or a bad topic: the caller tries again on a later tick, or drops it.
    return false;
  }
}

function sub(filter: string): void {
  m.subscribe(filter, 1);
}

export function mqttStart(id: string, u: Url, keepalive: number): Link {
  url = u;
  m = mqttClient({
    clientId: "pinwire-" + id,
    keepalive: keepalive,
    username: u.user,
    password: u.pass != null ? utf8Encode(u.pass) : undefined,
    will: { topic: "pinwire/" + id + "/status", payload: utf8Encode("offline"), qos: 1, retain: true },
    open: open,
    // Every queued packet holds JsVars: keep the ESP8266's queue short.
    window: PINWIRE_BOARD === "esp8266" ? 4 : 8,
    queue: PINWIRE_BOARD === "esp8266" ? 6 : 16,
  });
  m.onconnect = up;
  m.onerror = failed;
  m.onmessage = incoming;
  otaAttach(m, id); // OTA script push: pinwire/<id>/ota
  m.tick(Date.now());
  m.connect();
  return { p: pub, u: sub, t: tick };
}

function tick(now: number): void {
  m.tick(now);
}
