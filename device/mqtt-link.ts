// MQTT mode: the shared MQTT client over the pipe (TCP, TLS, or WebSocket with subprotocol
// "mqtt"). pinwire/<id>/status is "online" (retained; the will says "offline"), info is a
// retained JSON object, cmd is subscribed, and a rejected command is reported on error as
// {"code":...}. On state, each change goes out at once as its 8-byte message (QoS 1), and the
// retained message is kept a snapshot of every known report (changed one last), refreshed at
// most once a tick, so a late subscriber (the bridge after a restart) rebuilds the whole state.
import { type Bytes, utf8Encode } from "../shared/bytes";
import { encodeMessage } from "../shared/messages";
import { mqttClient, type MqttClient } from "../shared/mqtt/client";
import { appCommand, appSnapshot } from "./app";
import type { Url } from "./config";
import { pipe, pipeOpen } from "./pipe";
import { VERSION } from "./version";
import { otaAttach, otaIn, otaUp } from "./ota/attach";

let m: MqttClient;
let base: string;
let devId: string;
let ota: string; // the OTA topic
let url: Url;
let online = false;
// The retained snapshot is behind (a change since, or it could not be queued): cmd of the
// latest change, 0 when up to date.
let snap = 0;
let again = false;

function up(): void {
  m.connected(pipe);
}

function down(): void {
  m.closed();
}

function data(b: Bytes): void {
  m.data(b);
}

function open(): void {
  if (!pipeOpen(url, url.path, url.ws ? "mqtt" : null, up, data, down)) m.closed();
}

function pub(topic: string, payload: any, qos: number, retain: boolean): boolean {
  try {
    m.publish(base + topic, payload, qos, retain);
    return true;
  } catch (e) {
    return false;
  }
}

// Queues the retained snapshot; if the queue is full it stays owed for the next tick.
function snapshot(): void {
  if (online && pub("state", appSnapshot(snap), 1, true)) snap = 0;
}

// status, info and state on every new connection (a restarted broker may have lost its
// retained messages). If the queue refused one, the next ack tries again.
function announce(): void {
  again = !pub("status", "online", 1, true) || !pub("info", JSON.stringify({ id: devId, board: PINWIRE_BOARD, version: VERSION, memory: process.memory() }), 1, true);
  snap = snap || -1;
  snapshot();
}

function connected(): void {
  online = true;
  announce();
  otaUp();
}

export function mqttStart(id: string, u: Url, keepalive: number): void {
  url = u;
  devId = id;
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
    if (t === ota) otaIn(p);
    else appCommand(p);
  };
  m.onack = function () {
    if (again) announce();
  };
  m.subscribe(base + "cmd", 1);
  ota = otaAttach(m, id); // OTA script push: pinwire/<id>/ota
  m.tick(Date.now());
  m.connect();
}

// A change: its 8-byte message now (not retained: the retained one stays the snapshot),
// the snapshot on the next tick. Offline, only the snapshot is owed (sent on connect).
export function mqttSend(cmd: number, value: number): void {
  snap = cmd;
  if (online) pub("state", encodeMessage(cmd, value), 1, false);
}

export function mqttError(code: string): void {
  pub("error", JSON.stringify({ code: code }), 0, false);
}

export function mqttTick(now: number): void {
  m.tick(now);
  if (snap) snapshot();
}
