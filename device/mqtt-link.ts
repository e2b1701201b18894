// MQTT mode: the shared MQTT client over the pipe (TCP, TLS, or WebSocket with subprotocol
// "mqtt"). pinwire/<id>/status is "online" (retained; the will says "offline"), info is a
// retained JSON object, state carries every known report retained at QoS 1 (changed one
// last), cmd is subscribed, and a rejected command is reported on error as {"code":...}.
import { utf8Encode } from "../shared/bytes";
import { mqttClient, type MqttClient } from "../shared/mqtt/client";
import { appCommand, appSnapshot } from "./app";
import type { Url } from "./config";
import { pipe, pipeOpen } from "./pipe";
import { VERSION } from "./version";
import { otaAttach } from "./ota/attach";

let m: MqttClient;
let base: string;
let url: Url;
let online = false;
// A report could not be queued (offline, or the queue was full): send the snapshot later.
let dirty = false;
let again = false;

function up(): void {
  m.connected(pipe);
}

function down(): void {
  m.closed();
}

function open(): void {
  if (!pipeOpen(url, url.path, url.ws ? "mqtt" : null, up, m.data, down)) m.closed();
}

function pub(topic: string, payload: any, qos: number, retain: boolean): boolean {
  try {
    m.publish(base + topic, payload, qos, retain);
    return true;
  } catch (e) {
    return false;
  }
}

function state(last: number): void {
  dirty = !online || !pub("state", appSnapshot(last), 1, true);
}

// status, info and state on every new connection (a restarted broker may have lost its
// retained messages). If the queue refused one, the next ack tries again.
function announce(): void {
  again = !pub("status", "online", 1, true) || !pub("info", JSON.stringify({ id: base.split("/")[1], board: PINWIRE_BOARD, version: VERSION, memory: process.memory() }), 1, true);
  state(0);
}

function connected(): void {
  online = true;
  announce();
}

export function mqttStart(id: string, u: Url, keepalive: number): void {
  url = u;
  base = "pinwire/" + id + "/";
  m = mqttClient({
    clientId: "pinwire-" + id,
    keepalive: keepalive,
    username: u.user,
    password: u.pass != null ? utf8Encode(u.pass) : undefined,
    will: { topic: base + "status", payload: utf8Encode("offline"), qos: 1, retain: true },
    open: open,
    // Every queued packet holds JsVars: keep the ESP8266's queue short.
    window: PINWIRE_BOARD === "esp8266" ? 4 : 8,
    queue: PINWIRE_BOARD === "esp8266" ? 6 : 16,
  });
  m.onconnect = connected;
  m.onclose = function () {
    online = false;
  };
  m.onerror = function (e) {
    console.log("mqtt " + e.code);
  };
  m.onmessage = function (t, p) {
    appCommand(p);
  };
  m.onack = function () {
    if (again) announce();
    else if (dirty) state(0);
  };
  m.subscribe(base + "cmd", 1);
  otaAttach(m, id); // OTA script push (engineer G): pinwire/<id>/ota, after the handlers above
  m.tick(Date.now());
  m.connect();
}

export function mqttSend(cmd: number): void {
  state(cmd);
}

export function mqttError(code: string): void {
  pub("error", JSON.stringify({ code: code }), 0, false);
}

export function mqttTick(now: number): void {
  m.tick(now);
}
