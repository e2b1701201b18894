// Puts the host together: broker (embedded Aedes, or an external one by URL), bridge,
// gateway, HTTP front and HA discovery, with the security rules applied up front.
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import type { Logger } from "../log";
import { CredentialStore, generateSecret } from "../auth/credentials";
import { LoginGuard, type Rate } from "../auth/login-guard";
import { Admission } from "../broker/admission";
import { startEmbeddedBroker, type EmbeddedBroker } from "../broker/embedded";
import { resolveLimits, type Limits } from "../broker/limits";
import { Bridge } from "./bridge";
import type { LinkFactory } from "./link";
import { sharedLink } from "./link-shared";
import { Gateway } from "../gateway/gateway";
import { startHttp, type HttpFront } from "../http/server";
import { attachDiscovery } from "../discovery/ha";

export interface ServiceOptions {
  log: Logger;
  host: string; // bind address for HTTP and the embedded broker; default 127.0.0.1
  port: number; // HTTP (dashboard, /api, /ws, /mqtt); 0 = free port
  mqttPort: number; // embedded broker TCP port; 0 = free port
  broker?: string | null; // external broker URL: mqtt://, mqtts://, ws://, wss://
  brokerUsername?: string;
  brokerPassword?: string;
  brokerCa?: Buffer;
  credentials: CredentialStore;
  token?: string | null; // dashboard/API token
  tls?: { cert: Buffer; key: Buffer };
  allowedHosts?: string[]; // Host names browsers may use besides IPs, localhost, host, the machine's name
  allowedOrigins?: string[]; // browser origins allowed besides the dashboard's own
  discovery?: boolean; // default true
  discoveryPrefix?: string;
  shareGroup?: string;
  dashboardDir?: string;
  linkFactory?: LinkFactory;
  highWaterBytes?: number;
  // Ids of virtual devices started with the service: each gets an in-memory login to the
  // embedded broker (returned in Service.simLogins) so they work with credentials enforced.
  simDevices?: string[];
  // Size and connection limits (host/broker/limits.ts); each unset one has its default.
  limits?: Partial<Limits>;
  // Failed password logins allowed per address and per user (host/auth/login-guard.ts), and
  // how long any failure takes to be answered.
  logins?: { perAddress?: Rate; perUser?: Rate; failAfterMs?: number };
}

export interface Service {
  httpUrl: string;
  httpPort: number;
  mqttUrl: string; // what devices and the bridge use
  token: string | null;
  bridge: Bridge;
  gateway: Gateway;
  broker: EmbeddedBroker | null;
  http: HttpFront;
  simLogins: Map<string, string>; // id -> password (embedded broker only)
  close(): Promise<void>;
}

// Thrown for a configuration that must not run; the CLI prints the message and exits 2.
export class ConfigError extends Error {}

export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

// The bridge reaches the embedded broker over loopback when it listens on every interface.
function localUrl(broker: EmbeddedBroker, host: string): string {
  const h = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? "[" + host + "]" : host;
  return (broker.url.startsWith("mqtts:") ? "mqtts://" : "mqtt://") + h + ":" + broker.port;
}

export const DEFAULT_DASHBOARD_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "dashboard");

// Beyond localhost: device credentials are mandatory and the dashboard/API need a token
// (the given one, or a generated one the caller prints).
export function securityPlan(host: string, credentials: CredentialStore, token?: string | null): { token: string | null; generatedToken: boolean } {
  if (isLoopback(host)) return { token: token ?? null, generatedToken: false };
  if (credentials.size === 0)
    throw new ConfigError(
      "refusing to listen on " + host + " without device credentials: anyone on the network could drive your boards.\n" +
        "Add one with `pinwire user add <device-id>` (stored in " + (credentials.path ?? "the credentials file") + "), or keep the default --host 127.0.0.1.",
    );
  if (token) return { token, generatedToken: false };
  return { token: generateSecret(24), generatedToken: true };
}

export async function startService(opts: ServiceOptions): Promise<Service> {
  const log = opts.log;
  const plan = securityPlan(opts.host, opts.credentials, opts.token);
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const c of closers.reverse()) await c().catch((e) => log.error({ err: String(e) }, "close failed"));
  };
  try {
    const limits = resolveLimits(opts.limits);
    // One count of connections for every listener, one password check for broker and gateway.
    const admission = new Admission({ log, connections: limits.connections, connectionsPerAddress: limits.connectionsPerAddress });
    const logins = opts.credentials.size > 0 ? new LoginGuard({ store: opts.credentials, ...opts.logins }) : undefined;
    if (logins) closers.push(() => logins.close());
    let broker: EmbeddedBroker | null = null;
    let mqttUrl: string;
    const simLogins = new Map<string, string>();
    let username = opts.brokerUsername;
    let password = opts.brokerPassword;
    if (opts.broker) {
      const u = new URL(opts.broker);
      if (!["mqtt:", "mqtts:", "ws:", "wss:"].includes(u.protocol)) throw new ConfigError("--broker must be an mqtt://, mqtts:// or ws:// URL, got " + opts.broker);
      if (u.username) username = decodeURIComponent(u.username);
      if (u.password) password = decodeURIComponent(u.password);
      u.username = "";
      u.password = "";
      mqttUrl = u.toString();
    } else {
      // The bridge's own broker login: a per-process secret, never written anywhere.
      username = "pinwire-bridge-" + randomBytes(4).toString("hex");
      password = generateSecret();
      for (const id of opts.simDevices ?? []) simLogins.set(id, generateSecret());
      broker = await startEmbeddedBroker({
        ephemeralDevices: simLogins,
        host: opts.host,
        port: opts.mqttPort,
        log,
        credentials: opts.credentials,
        bridgeUser: { username, password },
        tls: opts.tls,
        limits,
        admission,
        logins,
      });
      closers.push(() => broker!.close());
      mqttUrl = broker.url;
    }

    const link = (opts.linkFactory ?? sharedLink)({
      url: broker ? localUrl(broker, opts.host) : mqttUrl,
      clientId: "pinwire-bridge-" + randomBytes(4).toString("hex"),
      username,
      password,
      ca: opts.brokerCa ?? opts.tls?.cert,
      rejectUnauthorized: broker ? false : undefined,
      log,
    });
    await link.connect();
    const bridge = new Bridge({ link, log });
    closers.push(() => bridge.stop());
    if (opts.discovery !== false) {
      const stop = attachDiscovery(bridge, log, { prefix: opts.discoveryPrefix, shareGroup: opts.shareGroup });
      closers.push(async () => stop());
    }
    await bridge.start();

    const gateway = new Gateway({ bridge, log, token: plan.token, credentials: opts.credentials, logins, highWaterBytes: opts.highWaterBytes });
    closers.push(() => gateway.close());
    const http = await startHttp({
      host: opts.host,
      port: opts.port,
      log,
      bridge,
      gateway,
      dashboardDir: opts.dashboardDir ?? DEFAULT_DASHBOARD_DIR,
      token: plan.token,
      tls: opts.tls,
      allowedHosts: opts.allowedHosts,
      allowedOrigins: opts.allowedOrigins,
      mqttUpgrade: broker ? broker.handleUpgrade : undefined,
      admission,
    });
    closers.push(() => http.close());
    // The token itself is never logged: the caller has it in Service.token (the CLI keeps it in a file).
    if (plan.generatedToken) log.warn({ event: "token-generated" }, "dashboard/API token generated for " + http.url + " (not logged)");
    return { httpUrl: http.url, httpPort: http.port, mqttUrl, token: plan.token, bridge, gateway, broker, http, simLogins, close: closeAll };
  } catch (e) {
    await closeAll();
    const err = e as NodeJS.ErrnoException;
    if (err && err.code === "EADDRINUSE") {
      throw new ConfigError(
        "port in use: " + err.message.replace(/^listen EADDRINUSE: /, "") + ". Another pinwire or an MQTT broker (mosquitto?) is running there: " +
          "pick other ports with --port / --mqtt-port, or use that broker with --broker mqtt://127.0.0.1:1883.",
      );
    }
    throw e;
  }
}
