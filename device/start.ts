// The runtime's start, before the app's code runs (device/autostart.ts): read pinwire.json, vet
// it (and parse the link's URL), then bring up WiFi (not on the Linux build) and the link the
// config chooses, and tick it every 250 ms. A missing or bad config leaves the board idle with a
// message and the app's parts running: no crash loop.
import { configFile, linkMode, type Url, vetConfig } from "./config";
import { mod } from "./mods";
import { mqttStart } from "./mqtt-link";
import { wifiStart } from "./wifi";
import { pipeOpen } from "./pipe";
import { command, incoming, run, snapshot, up } from "./runtime";

let id = "";
let url: Url;
let mqtt = true;
let keepalive = 30;
// Once WiFi is up.
function go(): void {
  if (mqtt) run(id, mqttStart(id, url, keepalive));
  else {
    // The gateway link, in pw.ws.
    const M = mod("pw.ws");
    if (M) run(id, M.g(id, url, { c: command, s: snapshot, i: incoming, u: up, o: pipeOpen }));
  }
}

// The log is started before the app's code runs (device/autostart.ts calls logStart first,
// then this), so that what the app logs while it starts reaches the host too.
export function start(): void {
  const cfg = configFile();
  const u: Url | string = typeof cfg === "string" ? cfg : vetConfig(cfg, PINWIRE_BOARD);
  if (typeof u === "string") {
    console.log("pinwire: pinwire.json " + u + (u === "no-tls" ? " (no TLS on " + PINWIRE_BOARD + ")" : "") + ": idle");
    return;
  }
  id = cfg.id;
  url = u;
  mqtt = linkMode(cfg) === "mqtt";
  if (typeof cfg.keepalive === "number") keepalive = cfg.keepalive;
  if (PINWIRE_BOARD === "linux") go();
  else wifiStart(cfg.wifi, go);
}
