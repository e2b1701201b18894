// Which browsers may talk to the host: checks against cross-site requests (a page on another
// origin opening /ws, /ws/<id> or /mqtt, or calling /api) and DNS rebinding (a page whose own
// name was made to resolve to this host, so its requests look same-origin).
//
// - Host: every HTTP request and every browser upgrade must name this host by an IP address,
//   localhost (or *.localhost), the --host name, the machine's hostname (or <hostname>.local),
//   or a configured name. A rebinding attacker's requests carry the attacker's name.
// - Origin: browsers send it on every WebSocket upgrade and every cross-origin request; it
//   must be this host's own origin (same host and port as the Host header) or a configured one.
// Boards and command-line clients send no Origin: their upgrades are not browser requests and
// are not checked here (they are authenticated by credentials or the token, as before).
import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";
import { hostname as machineName } from "node:os";

export interface OriginPolicyOptions {
  bindHost: string; // --host
  tls: boolean; // the server's own scheme is https
  // Extra names the Host header may carry: "pinwire.lan"; ".lan" for lan and every name under
  // it; "*" for any (turns the DNS-rebinding check off).
  allowedHosts?: string[];
  // Extra origins allowed besides the host's own: "https://panel.example"; "*" for any.
  allowedOrigins?: string[];
}

export interface Refusal {
  rule: "host" | "origin";
  value: string; // what the request carried
  why: string; // one sentence for the client and the log
}

// An origin as the browser serialises it (lower-case scheme and host, default port left out),
// or null if the text is not scheme://host[:port] with an http(s) scheme ("null" included).
export function normalizeOrigin(text: string): string | null {
  if (!/^https?:\/\/[^/?#@\s]+\/?$/i.test(text)) return null;
  try {
    return new URL(text).origin;
  } catch {
    return null;
  }
}

interface HostPort {
  hostname: string; // lower case, IPv6 without brackets
  port: string; // "" when the header has none
}

// A Host header: a name or IP (IPv6 in brackets) and an optional port; null for anything else.
function parseHost(h: string): HostPort | null {
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9_.-]+)(?::(\d{1,5}))?$/i.exec(h);
  return m ? { hostname: bare(m[1]), port: m[2] ?? "" } : null;
}

// A Host pattern for --allowed-host: a name, ".suffix", or "*".
export function isHostPattern(text: string): boolean {
  return text === "*" || /^\.?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(text);
}

function bare(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, "").toLowerCase();
}

export class OriginPolicy {
  private names: string[];
  private suffixes: string[];
  private anyHost: boolean;
  private origins: Set<string>;
  private anyOrigin: boolean;
  private scheme: string; // the server's own, for a Host header without a port

  constructor(o: OriginPolicyOptions) {
    const hosts = (o.allowedHosts ?? []).map((h) => h.toLowerCase());
    this.anyHost = hosts.includes("*");
    this.suffixes = hosts.filter((h) => h.startsWith(".")).concat(".localhost");
    const me = machineName().toLowerCase();
    this.names = hosts.filter((h) => !h.startsWith(".") && h !== "*").concat("localhost", me, me + ".local");
    const bind = bare(o.bindHost);
    if (!isIP(bind)) this.names.push(bind);
    const origins = o.allowedOrigins ?? [];
    this.anyOrigin = origins.includes("*");
    this.origins = new Set(origins.map(normalizeOrigin).filter((x): x is string => x !== null));
    this.scheme = o.tls ? "https:" : "http:";
  }

  hostAllowed(hostname: string): boolean {
    const h = bare(hostname);
    if (this.anyHost || isIP(h) || this.names.includes(h)) return true;
    return this.suffixes.some((s) => h === s.slice(1) || h.endsWith(s));
  }

  // A request without a Host header is not from a browser (they always send one): allowed.
  checkHost(req: IncomingMessage): Refusal | null {
    const h = req.headers.host;
    if (h === undefined) return null;
    const p = parseHost(h);
    if (p && this.hostAllowed(p.hostname)) return null;
    const name = p ? p.hostname : "<name>";
    return { rule: "host", value: h, why: "host '" + (p ? p.hostname : h) + "' is not allowed: start pinwire with --allowed-host " + name + " to serve it under that name" };
  }

  // No Origin header: not a browser's cross-origin request, allowed.
  checkOrigin(req: IncomingMessage): Refusal | null {
    const o = req.headers.origin;
    if (o === undefined || this.anyOrigin) return null;
    const n = normalizeOrigin(o);
    if (n !== null && (this.origins.has(n) || this.sameOrigin(req, n))) return null;
    return { rule: "origin", value: o, why: "origin " + o + " is not allowed: start pinwire with --allowed-origin " + (n ?? "<origin>") + " to let its pages in" };
  }

  // An allowed origin other than the host's own: it gets CORS headers on /api.
  foreignOrigin(req: IncomingMessage): string | null {
    const o = req.headers.origin;
    if (o === undefined) return null;
    const n = normalizeOrigin(o);
    if (n === null || this.sameOrigin(req, n)) return null;
    return this.anyOrigin || this.origins.has(n) ? n : null;
  }

  // Same host name and port as the Host header (the port the browser connected to).
  private sameOrigin(req: IncomingMessage, origin: string): boolean {
    const h = req.headers.host === undefined ? null : parseHost(req.headers.host);
    if (!h) return false;
    const o = new URL(origin);
    const dflt = (scheme: string) => (scheme === "https:" ? "443" : "80");
    return bare(o.hostname) === h.hostname && (o.port || dflt(o.protocol)) === (h.port || dflt(this.scheme));
  }

  // Both checks, for a request a browser may have made.
  check(req: IncomingMessage): Refusal | null {
    return this.checkHost(req) ?? this.checkOrigin(req);
  }
}
