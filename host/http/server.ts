// The HTTP(S) front: the dashboard's static files at /, the shared codec built for the
// browser at /lib/, the device API (GET /api/devices, /api/devices/<id>, its /history;
// DELETE /api/devices/<id> forgets an offline device), and WebSocket upgrades routed to the
// gateway (/ws, /ws/<id>) or to the embedded broker (/mqtt). Every
// request and every browser upgrade passes the Host/Origin policy first (origin.ts).
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { Duplex } from "node:stream";
import { readFile, stat } from "node:fs/promises";
import { join, normalize, extname, sep, dirname } from "node:path";
import { createRequire } from "node:module";
import type { Bridge } from "../bridge/bridge";
import type { Gateway } from "../gateway/gateway";
import { tokenFromRequest, tokenMatches } from "../auth/token";
import type { Logger } from "../log";
import { OriginPolicy, type Refusal } from "./origin";
import { browserModules } from "./browser-modules";
import type { Admission } from "../broker/admission";

export interface HttpOptions {
  host: string;
  port: number;
  log: Logger;
  bridge: Bridge;
  gateway: Gateway;
  dashboardDir: string;
  token?: string | null;
  tls?: { cert: Buffer; key: Buffer };
  allowedHosts?: string[]; // Host names besides IPs, localhost, --host and the machine's name
  allowedOrigins?: string[]; // origins besides the host's own (browser pages elsewhere)
  // MQTT over WebSocket at /mqtt (the embedded broker); absent with an external broker.
  mqttUpgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  // Connections counted with the broker's (limits per address and in total).
  admission?: Admission;
}

export interface HttpFront {
  server: Server;
  port: number;
  url: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".map": "application/json",
};

// uPlot's dist files for the dashboard's chart, served from the installed package (no CDN,
// no copy in the repo); null when uplot is not installed.
const UPLOT_DIR = (() => {
  try {
    return join(dirname(createRequire(import.meta.url).resolve("uplot/package.json")), "dist");
  } catch {
    return null;
  }
})();
const UPLOT_PREFIX = "/vendor/uplot/";
const LIB_PREFIX = "/lib/";

// The request target as a URL, or null when it does not parse (e.g. "//"): a malformed
// request gets a 400, it must not take the server down.
function requestUrl(req: IncomingMessage): URL | null {
  try {
    return new URL(req.url ?? "/", "http://x");
  } catch {
    return null;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const s = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", "content-length": Buffer.byteLength(s), ...headers });
  res.end(s);
}

// CORS for an allowed page on another origin, so it can read /api (with the token as a header).
function corsHeaders(origin: string | null): Record<string, string> {
  return origin ? { "access-control-allow-origin": origin, vary: "Origin" } : {};
}

export async function startHttp(opts: HttpOptions): Promise<HttpFront> {
  const log = opts.log.child({ c: "http" });
  const root = normalize(opts.dashboardDir + sep);
  const lib = await browserModules();
  const policy = new OriginPolicy({ bindHost: opts.host, tls: !!opts.tls, allowedHosts: opts.allowedHosts, allowedOrigins: opts.allowedOrigins });
  const refused = (req: IncomingMessage, path: string, r: Refusal) =>
    log.warn({ event: "origin-refused", rule: r.rule, value: r.value, addr: req.socket.remoteAddress, path }, r.why);

  async function serveStatic(req: IncomingMessage, res: ServerResponse, pathname: string, root: string): Promise<void> {
    let rel: string;
    try {
      rel = decodeURIComponent(pathname);
    } catch {
      return sendJson(res, 400, { error: "bad path" });
    }
    if (rel.endsWith("/")) rel += "index.html";
    const file = normalize(join(root, rel));
    if (!file.startsWith(root) || rel.includes("\0")) return sendJson(res, 404, { error: "not found" });
    try {
      const st = await stat(file);
      if (!st.isFile()) return sendJson(res, 404, { error: "not found" });
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "content-length": body.length, "cache-control": "no-cache" });
      res.end(req.method === "HEAD" ? undefined : body);
    } catch {
      sendJson(res, 404, { error: "not found" });
    }
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const url = requestUrl(req);
    if (!url) return sendJson(res, 400, { error: "bad request target" });
    const path = url.pathname;
    if (path === "/healthz" && (req.method === "GET" || req.method === "HEAD")) return sendJson(res, 200, { ok: true });
    const no = policy.check(req);
    if (no) {
      refused(req, path, no);
      return sendJson(res, 403, { error: no.why });
    }
    const api = path === "/api" || path.startsWith("/api/");
    const cors = api ? corsHeaders(policy.foreignOrigin(req)) : {};
    if (api && req.method === "OPTIONS" && cors["access-control-allow-origin"]) {
      res.writeHead(204, { ...cors, "access-control-allow-methods": "GET, HEAD, DELETE", "access-control-allow-headers": "authorization", "access-control-max-age": "600" });
      return res.end();
    }
    const forget = api && req.method === "DELETE";
    if (req.method !== "GET" && req.method !== "HEAD" && !forget) return sendJson(res, 405, { error: "method not allowed" });
    if (api) {
      if (opts.token && !tokenMatches(opts.token, tokenFromRequest(req, url))) {
        log.warn({ event: "token-refused", addr: req.socket.remoteAddress, path }, "missing or wrong token");
        return sendJson(res, 401, { error: "token required" }, cors);
      }
      if (path === "/api/devices" && !forget) return sendJson(res, 200, opts.bridge.devices(), cors);
      const m = /^\/api\/devices\/([^/]+)(\/history)?$/.exec(path);
      if (!m) return sendJson(res, 404, { error: "not found" }, cors);
      let id = "";
      try {
        id = decodeURIComponent(m[1]);
      } catch {
        return sendJson(res, 400, { error: "bad path" }, cors);
      }
      if (forget) {
        if (m[2]) return sendJson(res, 405, { error: "method not allowed" }, cors);
        const r = opts.bridge.forget(id);
        if (r === "unknown") return sendJson(res, 404, { error: "unknown device" }, cors);
        if (r === "online") return sendJson(res, 409, { error: "device " + id + " is online: it would announce itself again; stop it first" }, cors);
        log.info({ event: "device-forgotten", id, addr: req.socket.remoteAddress }, "device forgotten");
        return sendJson(res, 200, { id, forgotten: true }, cors);
      }
      const body = m[2] ? opts.bridge.history(id) : opts.bridge.device(id);
      return body ? sendJson(res, 200, body, cors) : sendJson(res, 404, { error: "unknown device" }, cors);
    }
    if (path.startsWith(LIB_PREFIX)) {
      const body = lib.get(path.slice(LIB_PREFIX.length));
      if (!body) return sendJson(res, 404, { error: "not found" });
      res.writeHead(200, { "content-type": TYPES[".js"], "content-length": body.length, "cache-control": "no-cache" });
      return res.end(req.method === "HEAD" ? undefined : body);
    }
    const vendor = UPLOT_DIR !== null && path.startsWith(UPLOT_PREFIX);
    const served = vendor ? serveStatic(req, res, path.slice(UPLOT_PREFIX.length - 1), normalize(UPLOT_DIR + sep)) : serveStatic(req, res, path, root);
    served.catch((e) => {
      log.error({ err: String(e) }, "static file error");
      if (!res.headersSent) sendJson(res, 500, { error: "internal error" });
    });
  };

  const server: Server = opts.tls ? createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key }, onRequest) : createHttpServer(onRequest);
  const sockets = new Set<Socket>();
  server.on("connection", (s: Socket) => {
    if (opts.admission && !opts.admission.admit(s, "http")) return;
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  if (opts.tls) server.on("secureConnection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });

  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => socket.destroy());
    const url = requestUrl(req);
    if (!url) return void socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    // Browsers always send Origin on a WebSocket upgrade; boards and CLI clients send none.
    const no = req.headers.origin === undefined ? null : policy.check(req);
    if (no) {
      refused(req, url.pathname, no);
      return void socket.end("HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: " + Buffer.byteLength(no.why) + "\r\n\r\n" + no.why);
    }
    if (url.pathname === "/mqtt" && opts.mqttUpgrade) return opts.mqttUpgrade(req, socket, head);
    if (opts.gateway.handleUpgrade(req, socket, head, url)) return;
    socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host.includes(":") ? "[" + opts.host + "]" : opts.host;
  const url = (opts.tls ? "https://" : "http://") + host + ":" + port;
  log.info({ event: "listen", url }, "http listening");
  return {
    server,
    port,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
