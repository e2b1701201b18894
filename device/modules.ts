// The interface between a script and the runtime's Storage modules, declared once. `pinwire
// flash` installs the modules (pw.ota, pw.ws: scripts/device-bundle.mjs MODULES builds them)
// and a push replaces only the script, so a script built later calls modules built earlier:
// what it calls of them and what it hands them is this interface, and MODULES_VERSION names it.
// Change a member (its name, its arguments, what it returns) and the version goes up; the
// script's loader (mods.ts) then refuses modules of another version, saying so, instead of
// calling what is not there. The modules share no globals with the script (no `global.pw`):
// each carries its own copy of the helpers it uses and takes the script's functions as
// arguments (TcpFns, GatewayApp), so those are part of the interface too.
// test/device-module-interface.test.ts loads each built module and checks that it exports
// exactly MODULE_EXPORTS' names, with MODULES_VERSION.
// Only types from platform-neutral files: host code (the test, the installers) reads this file
// too.
import type { Bytes } from "../shared/bytes";
import type { Url } from "./config";

// 2: the Link is publish/subscribe/tick, the MQTT client's own names.
export const MODULES_VERSION = 2;

// pw.ota's receiver for one broker connection.
export interface OtaReceiver {
  m(payload: Bytes): void; // a message on pinwire/<id>/ota
  h(): void; // the broker is up: confirm a script on trial, or report a rollback
  i(): boolean; // no push in progress (the script may then unload the module)
}

// The MQTT client as pw.ota uses it: its publish only. The script's client is built apart
// from the module, so the members the minifier renames (the "_" ones) differ between them.
export interface OtaClient {
  publish(topic: string, payload: Bytes | string, qos?: number, retain?: boolean): number;
}

export interface PwOta {
  v: number; // MODULES_VERSION
  o(m: OtaClient, id: string): OtaReceiver;
}

// What hears from a connection (tcp.ts, pw.ws's WebSocket): connected(transport), data(bytes)
// per chunk, closed() once.
export interface Sink {
  connected(t: { write(b: Bytes): void; close(): void }): void;
  data(b: Bytes): void;
  closed(): void;
}

// A link as the runtime drives it (runtime.ts): publish (false, or a throw, when it could not
// be queued now), subscribe, and its tick. The MQTT client is one as it stands (the same
// method names), so MQTT mode needs no adapter functions.
export interface Link {
  publish(topic: string, payload: Bytes | string, qos: number, retain: boolean): unknown;
  subscribe(filter: string, qos: number): unknown;
  tick(now: number): void;
}

// The runtime's functions the script hands pw.ws's gateway link (ws-link.ts).
export interface GatewayApp {
  c: (b: Bytes) => void; // the runtime's command()
  s: () => Bytes; // snapshot()
  i: (topic: string, b: Bytes) => void; // incoming()
  u: () => void; // up()
  o: (u: Url, path: string, protocol: string | null, s: Sink) => boolean; // pipeOpen
}

// The script's TCP functions (tcp.ts), lent to pw.ws's WebSocket.
export interface TcpFns {
  o(host: string, port: number, tls: boolean, s: Sink): boolean; // open; false: refused at once
  w(b: Bytes): void; // write
  c(): void; // close
}

export interface PwWs {
  v: number; // MODULES_VERSION
  // A WebSocket over TCP to u (path, subprotocol); the sink hears connected(ws), data(bytes),
  // closed(). False when the TCP connect was refused at once.
  p(u: Url, path: string, protocol: string | null, sink: Sink, tcp: TcpFns): boolean;
  // The binary gateway link (ws-link.ts), the runtime's Link.
  g(id: string, u: Url, app: GatewayApp): Link;
}

export interface StorageModules {
  "pw.ota": PwOta;
  "pw.ws": PwWs;
}
export type ModuleName = keyof StorageModules;

// Each module's export names, held by the compiler to the interfaces above (every member,
// nothing else) and by the test to what the built module exports. Host-side only: nothing on
// the board reads it, so the bundle leaves it out.
export const MODULE_EXPORTS: { [K in ModuleName]: { [P in keyof StorageModules[K]]-?: true } } = {
  "pw.ota": { v: true, o: true },
  "pw.ws": { v: true, p: true, g: true },
};
