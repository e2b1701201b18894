// Opens the link's connection: TCP (or TLS), or a WebSocket over it for ws:// and wss://. The
// WebSocket half is the Storage module `pw.ws` (device/ws-module.ts), loaded on the first
// WebSocket open and given the TCP functions: boards on plain MQTT never define its functions.
// Either way the sink (the MQTT client, or the gateway link) hears connected(transport),
// data(bytes) and closed(), and writes to and closes the transport it was given.
import type { Url } from "./config";
import { mod } from "./mods";
import { type Sink, tcpClose, tcpOpen, tcpWrite } from "./tcp";

// Returns false when refused at once (nothing follows).
export function pipeOpen(u: Url, path: string, protocol: string | null, s: Sink): boolean {
  if (!u.ws) return tcpOpen(u.host, u.port, u.tls, s);
  const M = mod("pw.ws");
  return !!M && M.p(u, path, protocol, s, { o: tcpOpen, w: tcpWrite, c: tcpClose });
}
