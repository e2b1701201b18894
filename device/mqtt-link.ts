// MQTT mode: the shared MQTT client over the pipe (TCP, TLS, or WebSocket with subprotocol
// "mqtt"), as the runtime's link (device/runtime.ts says what goes on which topic). The client
// is its own transport sink and calls the runtime directly: no adapter functions, each of
// which would cost the board RAM.
import { mqttClientCore, type MqttClientCore } from "../shared/mqtt/client";
import type { Url } from "./config";
import { otaAttach } from "./ota/attach";
import { pipeOpen } from "./pipe";
import { incoming, up, type Link } from "./runtime";

let m: MqttClientCore;
let url: Url;

function open(): void {
  if (!pipeOpen(url, url.path, url.ws ? "mqtt" : null, m)) m.closed();
}

function failed(e: { code: string }): void {
  console.log("mqtt " + e.code);
}

export function mqttStart(id: string, u: Url, keepalive: number): Link {
  url = u;
  m = mqttClientCore({
    clientId: "pinwire-" + id,
    keepalive: keepalive,
    username: u.user,
    password: u.pass != null ? u.pass : undefined,
    will: { topic: "pinwire/" + id + "/status", payload: "offline", qos: 1, retain: true },
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
  return m;
}
