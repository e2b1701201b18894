// The runtime between an app and its link. The app's code calls report, on, publish and
// subscribe (re-exported by device/api.ts as `pinwire/device`); the link that runs (MQTT,
// mqtt-link.ts, or the gateway link in pw.ws) publishes what this gives it and hands over what
// arrives: up() on every new connection, incoming() for each message, tick() every 250 ms.
// It knows the app only through the build's module "pinwire:app" (host/app/declaration.ts
// appModule, typed in device/board.d.ts): codes, ranges, aliases, the catalogue.
//
// A message on the wire is `struct { uint8_t cmd; <payload> }` (docs/catalogue.md). An int32
// message is the 8-byte {cmd, 3 padding bytes, int32 LE}; a struct message's constant is a
// descriptor with its own encoder and decoder (device/struct-msg.ts), so only apps that
// declare one carry that code.
import { alloc, type Bytes, put, view } from "../shared/bytes";
import { fail } from "../shared/errors";
import {
  E_CONTROL_JSON,
  E_CONTROL_RANGE,
  E_CONTROL_TYPE,
  E_CONTROL_UNIT,
  E_CONTROL_UNKNOWN,
  E_MSG_CMD,
  E_MSG_LENGTH,
  E_MSG_NOT_COMMAND,
  E_MSG_RANGE,
} from "../shared/message-codes";
import { topicMatches } from "../shared/topic";
import { logTick } from "./log";
import type { Link } from "./modules";
import { otaIn, otaUp } from "./ota/attach";
import { VERSION } from "./version";
import { APP_CATALOGUE, APP_COMMANDS, APP_HASH, APP_NAME, APP_REPORTS, APP_VERSION } from "pinwire:app";

// A struct message's constant in the board bundle.
export interface StructMsg {
  c: number; // code
  z: number; // size on the wire
  e(v: any): Bytes; // value -> message
  d(b: Bytes): any; // message -> value
}
export type MsgRef = number | StructMsg;

// The link's side (publish, subscribe, its tick): pw.ws's gateway link is one, so it is
// declared with the modules' interface (modules.ts).
export type { Link };

// The runtime's own codes on the cmd topic (0..9, docs/catalogue.md).
export const RT_CATALOGUE = 1;

// The link: in MQTT mode the MQTT client itself (no adapter functions, each of which would cost
// the board JsVars), in gateway mode pw.ws's link.
let link: Link | null = null;
let base = ""; // pinwire/<id>/
let id = "";
const booted = getTime();
// Command handlers and struct command descriptors by code; latest report values by code (a
// number for int32, the message itself for a struct); the code reported last.
const handlers: { [code: number]: (v: any) => void } = {};
const structs: { [code: number]: StructMsg } = {};
const values: { [code: number]: number | Bytes } = {};
let last = 0;
// Owed to the link: the retained snapshot (a report since), the announcement (it could not all
// be queued), the catalogue (once per boot, and when a host asks).
let owedState = false;
let owedInfo = false;
let owedApp = true;
// The app's own subscriptions (filter -> function), and what routes a message to them: set by
// subscribe(), so an app that never subscribes carries neither that code nor topic matching.
const subs: { [filter: string]: (payload: Bytes, topic: string) => void } = {};
let route: ((topic: string, payload: Bytes) => void) | null = null;

function toSubs(topic: string, payload: Bytes): void {
  for (const f in subs) if (topicMatches(f, topic)) subs[f](payload, topic);
}

// Called by start(): the board's id and the link (which then hears the subscriptions the app
// made while it started).
export function run(boardId: string, l: Link): void {
  id = boardId;
  base = "pinwire/" + id + "/";
  link = l;
  setInterval(tick, 250);
  l.subscribe(base + "cmd", 1);
  for (const f in subs) l.subscribe(f, 1);
}

// Publishes under pinwire/<id>/: false when there is no link yet or it could not queue it.
export function pub(topic: string, payload: Bytes | string, qos: number, retain: boolean): boolean {
  return send(base + topic, payload, qos, retain);
}

// False when there is no link yet or it could not queue the message (the MQTT client's queue
// is full, or a bad topic): the caller tries again on a later tick, or drops it.
function send(topic: string, payload: Bytes | string, qos: number, retain: boolean): boolean {
  try {
    return !!link && link.publish(topic, payload, qos, retain) !== false;
  } catch (e) {
    return false;
  }
}

// The 8-byte message (cmd, value).
export function int32Message(code: number, v: number): Bytes {
  const b = alloc(8);
  b[0] = code;
  b[4] = v & 255;
  b[5] = (v >> 8) & 255;
  b[6] = (v >> 16) & 255;
  b[7] = (v >> 24) & 255;
  return b;
}

// The app reports a message: sent now, at QoS 0 and not retained, and kept as the latest value
// for the retained snapshot on the next tick, at QoS 1. A report in flight would hold JsVars
// until its ack and a burst of them would fill the ESP8266's small queue (and be dropped); at
// QoS 0 each goes out at once, and whatever a lost connection takes with it the snapshot,
// resent until acknowledged, puts right: every viewer ends at the latest value.
export function report(m: MsgRef, v: any): void {
  let b: Bytes;
  if (typeof m === "number") {
    b = int32Message(m, v);
    values[(last = m)] = v;
  } else values[(last = m.c)] = b = m.e(v);
  owedState = true;
  pub("state", b, 0, false);
}

// The app handles a command: fn(value) for each accepted message of that code.
export function on(m: MsgRef, fn: (v: any) => void): void {
  if (typeof m === "number") handlers[m] = fn;
  else {
    handlers[m.c] = fn;
    structs[m.c] = m;
  }
}

export function publish(topic: string, payload: Bytes | string, qos?: number, retain?: boolean): void {
  send(topic, payload, qos || 0, !!retain);
}

export function subscribe(filter: string, fn: (payload: Bytes, topic: string) => void): void {
  subs[filter] = fn;
  route = toSubs;
  if (link) link.subscribe(filter, 1);
}

// Every report's latest message back to back, declaration order, the one reported last at the
// end: a reader that keeps only the last message sees the change, and a late one the whole
// state (docs/catalogue.md).
export function snapshot(): Bytes {
  const r = APP_REPORTS();
  let n = 0;
  for (let i = 0; i < r.length; i++) {
    const v = values[r[i]];
    if (v !== undefined) n += typeof v === "number" ? 8 : v.length;
  }
  const b = alloc(n);
  let o = 0;
  for (let k = 0; k <= r.length; k++) {
    // k < r.length: the others in order; k == r.length: the last one
    const c = k < r.length ? r[k] : last;
    const v = values[c];
    if (v === undefined || (k < r.length && c === last)) continue;
    const msg = typeof v === "number" ? int32Message(c, v) : v;
    put(b, msg, o);
    o += msg.length;
  }
  return view(b, 0, o);
}

// The link is (re)connected: the announcement is owed, and the next tick makes it. Not at
// once: this is called from inside the link's data handler (the CONNACK, the WebSocket's
// handshake answer), whose chunk and decoding are still alive, and what the announcement
// allocates on top could run an ESP8266 out of memory, after which Espruino drops the handler.
export function up(): void {
  owedInfo = true;
}

// status, info, the snapshot and (when owed) the catalogue, on every new connection: a
// restarted broker may have lost its retained messages; and OTA reports what runs. The
// catalogue at QoS 0: it is long, and a host that misses it asks again (RT_CATALOGUE). What
// could not be queued stays owed, and the next tick tries again.
function announce(): void {
  const mem = process.memory();
  const st = global.require("Storage").readJSON("pw.st", 1) || {};
  const info = {
    id: id,
    board: PINWIRE_BOARD,
    runtime: VERSION,
    app: APP_NAME,
    version: APP_VERSION,
    hash: APP_HASH,
    script: st.v || "",
    memory: { free: mem.free, total: mem.total },
    up: Math.round(getTime() - booted),
  };
  owedInfo = !pub("status", "online", 1, true) || !pub("info", JSON.stringify(info), 1, true);
  if (owedApp && !owedInfo && pub("app", APP_CATALOGUE(), 0, true)) owedApp = false;
  owedState = true;
  otaUp();
}

// A message from the link: a command, an OTA message, or one for the app's subscriptions.
export function incoming(topic: string, payload: Bytes): void {
  if (topic === base + "cmd") command(payload);
  else if (topic === base + "ota") otaIn(payload);
  else if (route) route(topic, payload);
}

// Every 250 ms, from run() on: the link's clock, then what is owed goes out.
function tick(): void {
  const now = Date.now();
  (link as Link).tick(now);
  const announced = owedInfo;
  if (owedInfo) announce();
  if (owedState && pub("state", snapshot(), 1, true)) owedState = false;
  // Log lines wait for the next tick after an announcement: Aedes (1.2.0) routes a retained
  // message a microtask after a plain one its client sent right after it, and then drops the
  // retained one as a duplicate at every subscriber (moscajs/aedes#994): a boot's log line
  // made the info and the catalogue vanish.
  if (!announced) logTick(now);
}

// One command: a message, a JSON control, or a runtime code. A refused one is logged and
// reported on pinwire/<id>/error; it never throws.
export function command(b: Bytes): void {
  try {
    let f: string[] | null = null;
    let v: any;
    let o: any = null;
    // The command table (APP_COMMANDS): entry i as fields, looked up by code (field 0) or by
    // control alias (field 3).
    const t = APP_COMMANDS().split(";");
    let by = 0;
    let key = "" + b[0];
    if (b[0] === 123) {
      // {"control": alias, "value": n, "unit": u}
      try {
        o = JSON.parse(E.toString(b));
      } catch (e) {}
      if (!o || typeof o !== "object") fail(E_CONTROL_JSON);
      by = 3;
      key = "" + o.control;
    }
    for (let i = 0; i < t.length && !f; i++) {
      f = t[i].split(" ");
      if (f[by] !== key) f = null;
    }
    if (by) {
      if (!f || !o.control) return fail(E_CONTROL_UNKNOWN);
      v = o.value;
      if (f[1] !== "*") {
        if (o.unit !== undefined && o.unit !== f[4]) fail(E_CONTROL_UNIT);
        if (typeof v !== "number" || v !== v || v === Infinity || v === -Infinity) fail(E_CONTROL_TYPE);
        v = Math.round(v);
        if (v < +f[1] || v > +f[2]) fail(E_CONTROL_RANGE);
      } else if (!v || typeof v !== "object") fail(E_CONTROL_TYPE);
    } else {
      const c = b[0];
      if (c === RT_CATALOGUE) {
        owedApp = true;
        owedInfo = true;
        return;
      }
      if (!f) return fail(APP_REPORTS().indexOf(c) < 0 ? E_MSG_CMD : E_MSG_NOT_COMMAND);
      if (f[1] === "*") {
        if (b.length !== +f[2]) fail(E_MSG_LENGTH);
        v = structs[c].d(b);
      } else {
        if (b.length !== 8) fail(E_MSG_LENGTH);
        v = b[4] | (b[5] << 8) | (b[6] << 16) | (b[7] << 24);
        if (v < +f[1] || v > +f[2]) fail(E_MSG_RANGE);
      }
    }
    const h = handlers[+(f as string[])[0]];
    if (h) h(v);
  } catch (x: any) {
    const code = x && x.code ? x.code : "" + x;
    console.log("pinwire: bad command " + code);
    pub("error", JSON.stringify({ code: code }), 0, false);
  }
}
