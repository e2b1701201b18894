// Board entry: read pinwire.json from Storage, vet it (and parse the link's URL), start the drivers and the
// application, bring up WiFi (not on the Linux build) and the link the config chooses.
// A missing or bad config leaves the board idle with a message: no crash loop.
import { linkMode, type Url, vetConfig } from "./config";
import { encodeMessage } from "../shared/messages";
import { appCommand, appSnapshot, appStart } from "./app";
import { mod } from "./mods";
import { mqttError, mqttSend, mqttStart, mqttTick } from "./mqtt-link";
import { pipe, pipeOpen } from "./pipe";
import { VERSION } from "./version";
import type { GatewayLink } from "./ws-link";
import { wifiStart } from "./wifi";

// Default wiring; "pins" in the config overrides any of it (null leaves a part out).
// esp8266 NodeMCU/Wemos: servo GPIO15 (D8), encoder CLK GPIO12 (D6) / DT GPIO13 (D7),
//   light A0, LED GPIO14 (D5).
// esp32 DevKit: servo GPIO18, encoder GPIO32/33, light GPIO34 (ADC1_CH6, ADC1 works with
//   WiFi on), LED GPIO19; servo and LED on LEDC PWM.
// linux: pins do nothing there; analogRead would print an error, so no light sensor.
const PINS: any =
  PINWIRE_BOARD === "esp8266"
    ? { servo: "D15", clk: "D12", dt: "D13", light: "A0", led: "D14" }
    : PINWIRE_BOARD === "esp32"
      ? { servo: "D18", clk: "D32", dt: "D33", light: "D34", led: "D19" }
      : { servo: "D15", clk: "D12", dt: "D13", light: null, led: "D14" };

function boot(): void {
  let cfg: any = null;
  let u: Url | string = "missing";
  try {
    const s = global.require("Storage").read("pinwire.json");
    if (s) {
      u = "json";
      cfg = JSON.parse(s);
    }
  } catch (e) {}
  if (cfg) u = vetConfig(cfg, PINWIRE_BOARD);
  if (typeof u === "string") {
    const err = u;
    console.log("pinwire: pinwire.json " + err + (err === "no-tls" ? " (no TLS on " + PINWIRE_BOARD + ")" : "") + ": idle");
    return;
  }
  const pins = PINS;
  for (const k in cfg.pins) pins[k] = cfg.pins[k];
  const mqtt = linkMode(cfg) === "mqtt";
  // The gateway link lives in the WebSocket module (pw.ws), given what it uses of the app.
  let g: GatewayLink | null = null;
  if (!mqtt) {
    const M = mod("pw.ws");
    if (!M) return;
    g = M.g(cfg.id, u, { c: appCommand, s: appSnapshot, e: encodeMessage, o: pipeOpen, p: pipe, v: VERSION }) as GatewayLink;
  }
  appStart(cfg, pins, g ? g.s : mqttSend, g ? function () {} : mqttError);
  const go = function () {
    if (!g) mqttStart(cfg.id, u, typeof cfg.keepalive === "number" ? cfg.keepalive : 30);
    // The one timer of the link: the MQTT client's clock, or the gateway link's.
    setInterval(function () {
      if (g) g.t(Date.now());
      else mqttTick(Date.now());
    }, 250);
  };
  if (PINWIRE_BOARD === "linux") go();
  else wifiStart(cfg.wifi, go);
}

boot();
