// pinwire.json: the per-board configuration written to Storage at flash time (a script
// update never touches it). Pure functions, so host tools can vet a config for a board
// before flashing: checkConfig(cfg, board) returns null or an error code.
//
// {"id": "dev1",
//  "broker": "mqtt://user:pass@host:1883" | "mqtts://..." | "ws://host:8080/mqtt" | "wss://...",
//  "gateway": "ws://host:8080/ws/dev1",   binary WebSocket mode (host/gateway)
//  "mode": "mqtt" | "ws",                 optional: default "mqtt" when a broker is set
//  "wifi": {"ssid": "...", "password": "..."},  optional (absent: the board's saved WiFi)
//  "pins": {"<part>": "D4" | {"<role>": "D5", ...} | null}   overrides the app's pins; null = absent
//  "parts": {"<part>": {"<option>": n, ...}}   overrides the app's part options (device/parts/)
//  "otaKey": "<hex>",                     optional: OTA images must be signed with it
//  "keepalive": 30}                       MQTT keepalive in seconds

export interface Url {
  tls: boolean;
  ws: boolean;
  host: string;
  port: number;
  path: string; // begins with "/"
  user?: string;
  pass?: string;
}

// scheme://[user[:pass]@]host[:port][/path]; null when malformed or an unknown scheme.
export function parseUrl(u: unknown): Url | null {
  if (typeof u !== "string") return null;
  const i = u.indexOf("://");
  if (i < 0) return null;
  const scheme = u.substring(0, i);
  const tls = scheme === "mqtts" || scheme === "wss";
  const ws = scheme === "ws" || scheme === "wss";
  if (!tls && !ws && scheme !== "mqtt") return null;
  let rest = u.substring(i + 3);
  let path = "/";
  const s = rest.indexOf("/");
  if (s >= 0) {
    path = rest.substring(s);
    rest = rest.substring(0, s);
  }
  const r: Url = { tls: tls, ws: ws, host: "", port: ws ? (tls ? 443 : 80) : tls ? 8883 : 1883, path: path };
  const at = rest.lastIndexOf("@");
  if (at >= 0) {
    const cred = rest.substring(0, at);
    rest = rest.substring(at + 1);
    const c = cred.indexOf(":");
    r.user = c < 0 ? cred : cred.substring(0, c);
    if (c >= 0) r.pass = cred.substring(c + 1);
  }
  const c = rest.lastIndexOf(":");
  if (c >= 0) {
    const p = rest.substring(c + 1);
    r.port = +p;
    rest = rest.substring(0, c);
    if (!p || !(r.port > 0 && r.port < 65536 && r.port % 1 === 0)) return null;
  }
  r.host = rest;
  return rest ? r : null;
}

// The id is a topic level: printable ASCII without / + # and not empty.
export function validId(id: unknown): boolean {
  if (typeof id !== "string" || !id || id.length > 64) return false;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c < 33 || c > 126 || c === 47 || c === 43 || c === 35) return false;
  }
  return true;
}

// Which link the board uses: "mqtt" (broker) or "ws" (binary gateway).
export function linkMode(cfg: any): string {
  return cfg.mode || (cfg.broker ? "mqtt" : "ws");
}

// The link's URL when cfg can run on board; else an error code (a string):
// "config" not an object, "id", "mode", "broker", "gateway" (missing or bad URL),
// "no-tls" (mqtts:// or wss:// on a board without TLS: esp8266), "wifi", "pins", "parts".
// The board vets and parses in one go (main.ts); host tools use checkConfig.
export function vetConfig(cfg: any, board: string): Url | string {
  if (!cfg || typeof cfg !== "object") return "config";
  if (!validId(cfg.id)) return "id";
  const mode = linkMode(cfg);
  if (mode !== "mqtt" && mode !== "ws") return "mode";
  const u = parseUrl(mode === "mqtt" ? cfg.broker : cfg.gateway);
  if (!u || (mode === "ws" && !u.ws)) return mode === "mqtt" ? "broker" : "gateway";
  if (u.tls && board === "esp8266") return "no-tls";
  if (cfg.wifi != null && (typeof cfg.wifi !== "object" || typeof cfg.wifi.ssid !== "string")) return "wifi";
  if (cfg.pins != null && typeof cfg.pins !== "object") return "pins";
  if (cfg.parts != null && typeof cfg.parts !== "object") return "parts";
  return u;
}

// null when cfg can run on board; else vetConfig's error code.
export function checkConfig(cfg: any, board: string): string | null {
  const r = vetConfig(cfg, board);
  return typeof r === "string" ? r : null;
}

// The board's pinwire.json, parsed; else why not: "missing", or "json" (not JSON).
export function configFile(): any {
  const s = global.require("Storage").read("pinwire.json");
  if (s === undefined) return "missing";
  try {
    return JSON.parse(s);
  } catch (e) {
    return "json";
  }
}
