// pinwire command line. Usage errors print what is wrong plus the usage and exit with 2;
// refused configurations (e.g. --host 0.0.0.0 without credentials) also exit with 2.
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { readFileSync } from "node:fs";
import { createLogger, type Logger } from "./log";
import { join } from "node:path";
import { CredentialStore, defaultCredentialsPath, generateSecret, isValidId, pinwireHome } from "./auth/credentials";
import { loadOrCreateToken } from "./auth/token";
import { startService, securityPlan, ConfigError, type Service } from "./bridge/service";
import { isHostPattern, normalizeOrigin } from "./http/origin";
import { defaultLimits, formatBytes, parseBytes, type Limits } from "./broker/limits";
import { registerFlashCommands } from "../flash/cli";
import { registerAppCommands } from "./cli-app";
import { registerDeviceCommands, ApiError } from "./cli-devices";
import { BOARDS } from "../shared/boards";

function port(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535) throw new InvalidArgumentError("must be a port number 0-65535");
  return n;
}

function brokerUrl(v: string): string {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new InvalidArgumentError("must be a URL like mqtt://host:1883, mqtts://host:8883 or ws://host:9001/mqtt");
  }
  if (!["mqtt:", "mqtts:", "ws:", "wss:"].includes(u.protocol)) throw new InvalidArgumentError("scheme must be mqtt, mqtts, ws or wss");
  return v;
}

// Repeatable, comma-separated list options: each value checked, all collected.
function listOf(check: (item: string) => string) {
  return (v: string, prev: string[] = []): string[] => prev.concat(v.split(",").map((x) => x.trim()).filter(Boolean).map(check));
}

const originItem = (v: string): string => {
  if (v !== "*" && normalizeOrigin(v) === null) throw new InvalidArgumentError("'" + v + "' is not an origin like https://panel.example or http://host:8080 (or *)");
  return v;
};

const hostItem = (v: string): string => {
  if (!isHostPattern(v)) throw new InvalidArgumentError("'" + v + "' is not a host name like pinwire.lan, .lan (and every name under it) or *");
  return v;
};

// The environment's list (PINWIRE_ALLOWED_HOSTS / _ORIGINS), checked like the flag's values.
function envList(name: string, check: (item: string) => string): string[] {
  const v = process.env[name];
  if (!v) return [];
  try {
    return listOf(check)(v);
  } catch (e) {
    throw new ConfigError(name + ": " + (e as Error).message);
  }
}

function count(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || !Number.isSafeInteger(n)) throw new InvalidArgumentError("must be a whole number of at least 1");
  return n;
}

function size(v: string): number {
  const n = parseBytes(v);
  if (n === null) throw new InvalidArgumentError("must be a size in bytes like 65536, 64k or 1m");
  return n;
}

function deviceId(v: string): string {
  if (!isValidId(v)) throw new InvalidArgumentError("use letters, digits, '_' and '-' (at most 64)");
  return v;
}

interface ServeFlags {
  host: string;
  port: number;
  mqttPort: number;
  broker?: string;
  brokerUser?: string;
  brokerPass?: string;
  brokerCa?: string;
  credentials: string;
  token?: string;
  tokenFile: string;
  cert?: string;
  key?: string;
  allowedHost?: string[];
  allowedOrigin?: string[];
  discovery: boolean;
  discoveryPrefix: string;
  shareGroup?: string;
  dashboard?: string;
  verbose?: boolean;
  sim?: boolean;
  maxConnections?: number;
  maxConnectionsPerAddress?: number;
  maxLoginBytes?: number;
  maxPacket?: number;
  maxRetained?: number;
  maxRetainedTotal?: number;
  maxQueued?: number;
  loginFailuresPerAddress?: number;
  loginFailuresPerUser?: number;
}

// The limits given on the command line (the rest keep their defaults).
function limitFlags(f: ServeFlags): Partial<Limits> {
  const l: Partial<Limits> = {};
  if (f.maxConnections) l.connections = f.maxConnections;
  if (f.maxConnectionsPerAddress) l.connectionsPerAddress = f.maxConnectionsPerAddress;
  if (f.maxLoginBytes) l.loginBytes = f.maxLoginBytes;
  if (f.maxPacket) l.packetBytes = f.maxPacket;
  if (f.maxRetained) l.retainedBytes = f.maxRetained;
  if (f.maxRetainedTotal) l.retainedTotalBytes = f.maxRetainedTotal;
  if (f.maxQueued) l.queuedBytes = f.maxQueued;
  return l;
}

function serveOptions(cmd: Command): Command {
  return cmd
    .option("--host <addr>", "bind address (anything but loopback needs device credentials)", "127.0.0.1")
    .option("--port <n>", "HTTP port: dashboard, /api, /ws, /mqtt", port, 8080)
    .option("--mqtt-port <n>", "embedded broker MQTT port (8883 with --cert)", port, 1883)
    .option("--broker <url>", "use an external broker (mqtt://, mqtts://, ws://, wss://) instead of the embedded one", brokerUrl)
    .option("--broker-user <name>", "username for the external broker")
    .option("--broker-pass <password>", "password for the external broker (or PINWIRE_BROKER_PASSWORD)")
    .option("--broker-ca <file>", "CA certificate trusted for an mqtts/wss broker")
    .option("--credentials <file>", "device credentials file", defaultCredentialsPath())
    .option("--token <token>", "dashboard/API token (generated into --token-file when serving beyond localhost)")
    .option("--token-file <file>", "where a generated token is kept (mode 0600; reused at the next start)", join(pinwireHome(), "token"))
    .option("--cert <file>", "TLS certificate (PEM): serves HTTPS/WSS and MQTT over TLS")
    .option("--key <file>", "TLS private key (PEM)")
    .option("--allowed-host <names>", "host names browsers may reach this host by, besides IPs, localhost, --host and the machine's name (repeatable, comma-separated; .lan = lan and names under it; or PINWIRE_ALLOWED_HOSTS)", listOf(hostItem))
    .option("--allowed-origin <origins>", "browser origins besides the dashboard's own that may use /ws, /mqtt and /api (repeatable, comma-separated; or PINWIRE_ALLOWED_ORIGINS)", listOf(originItem))
    .option("--no-discovery", "do not publish Home Assistant discovery")
    .option("--discovery-prefix <prefix>", "Home Assistant discovery prefix", "homeassistant")
    .option("--share-group <name>", "shared-subscription group for HA commands when several bridges share a broker")
    .option("--dashboard <dir>", "serve another dashboard directory")
    .option("--max-connections <n>", "connections at once, MQTT and HTTP together (default: the open-file limit less 128, here " + LIMITS.connections + ")", count)
    .option("--max-connections-per-address <n>", "connections at once from one address or IPv6 /64; 127.0.0.1 and ::1 are not limited per address (default " + LIMITS.connectionsPerAddress + ")", count)
    .option("--max-login-bytes <size>", "bytes an MQTT connection may send before its login is accepted (default " + formatBytes(LIMITS.loginBytes) + ")", size)
    .option("--max-packet <size>", "largest MQTT packet after login, and WebSocket message on /mqtt (default " + formatBytes(LIMITS.packetBytes) + ")", size)
    .option("--max-retained <size>", "largest retained payload (default " + formatBytes(LIMITS.retainedBytes) + ")", size)
    .option("--max-retained-total <size>", "retained payloads kept in all (default " + formatBytes(LIMITS.retainedTotalBytes) + ")", size)
    .option("--max-queued <size>", "bytes queued to one subscriber before its QoS 0 messages are dropped and a QoS 1/2 one is disconnected (default " + formatBytes(LIMITS.queuedBytes) + ")", size)
    .option("--login-failures-per-address <n>", "failed password logins allowed per address per minute (default 10)", count)
    .option("--login-failures-per-user <n>", "failed password logins allowed per user name per minute (default 20)", count)
    .option("-v, --verbose", "log packets and frames");
}

const LIMITS = defaultLimits();

async function serve(flags: ServeFlags, log: Logger, withSim: boolean): Promise<Service> {
  if (!!flags.cert !== !!flags.key) throw new ConfigError("--cert and --key go together");
  const credentials = CredentialStore.load(flags.credentials);
  // A token this host needs and was not given lives in a file, never in the log.
  let token = flags.token ?? null;
  let tokenFile: string | null = null;
  if (securityPlan(flags.host, credentials, token).generatedToken) {
    token = loadOrCreateToken(flags.tokenFile, () => generateSecret(24)).token;
    tokenFile = flags.tokenFile;
  }
  const svc = await startService({
    log,
    host: flags.host,
    port: flags.port,
    mqttPort: flags.mqttPort,
    broker: flags.broker ?? null,
    brokerUsername: flags.brokerUser,
    brokerPassword: flags.brokerPass ?? process.env.PINWIRE_BROKER_PASSWORD,
    brokerCa: flags.brokerCa ? readFileSync(flags.brokerCa) : undefined,
    credentials,
    token,
    tls: flags.cert && flags.key ? { cert: readFileSync(flags.cert), key: readFileSync(flags.key) } : undefined,
    allowedHosts: [...envList("PINWIRE_ALLOWED_HOSTS", hostItem), ...(flags.allowedHost ?? [])],
    allowedOrigins: [...envList("PINWIRE_ALLOWED_ORIGINS", originItem), ...(flags.allowedOrigin ?? [])],
    discovery: flags.discovery,
    discoveryPrefix: flags.discoveryPrefix,
    shareGroup: flags.shareGroup,
    dashboardDir: flags.dashboard,
    simDevices: withSim && !flags.broker ? ["sim1"] : [],
    limits: limitFlags(flags),
    logins: {
      perAddress: flags.loginFailuresPerAddress ? { burst: flags.loginFailuresPerAddress, perMinute: flags.loginFailuresPerAddress } : undefined,
      perUser: flags.loginFailuresPerUser ? { burst: flags.loginFailuresPerUser, perMinute: flags.loginFailuresPerUser } : undefined,
    },
  });
  logReady(log, svc, tokenFile);
  if (withSim) await startSims(log, svc, flags);
  return svc;
}

// The "ready" line. The URL goes out without the token (logs are collected, copied and
// pasted): it says where the token is instead.
export function logReady(log: Logger, svc: Pick<Service, "httpUrl" | "mqttUrl" | "broker" | "token">, tokenFile: string | null): void {
  const where = !svc.token ? null : tokenFile ? "the token is in " + tokenFile : "the token is the one given with --token";
  const info = { event: "ready", http: svc.httpUrl, mqtt: svc.mqttUrl, embeddedBroker: !!svc.broker, ws: svc.httpUrl.replace(/^http/, "ws") + "/ws/<id>", tokenFile };
  log.info(info, "pinwire ready: dashboard " + svc.httpUrl + "/" + (where ? " (" + where + ": open the dashboard with ?token=<token> or enter it there)" : ""));
}

// A virtual board so that `npm start` shows something moving with no hardware attached.
async function startSims(log: Logger, svc: Service, flags: ServeFlags): Promise<void> {
  const { startVirtualBoard } = await import("./sim/virtual-board");
  const id = "sim1";
  const broker = svc.broker ? (svc.broker.url.startsWith("mqtts") ? "mqtts" : "mqtt") + "://127.0.0.1:" + svc.broker.port : svc.mqttUrl;
  const password = svc.simLogins.get(id);
  const sim = await startVirtualBoard({ id, broker, username: password ? id : flags.brokerUser, password: password ?? flags.brokerPass, log }).catch((e) => {
    log.warn({ event: "sim-unavailable", err: String(e?.message ?? e) }, "virtual board not started");
    return null;
  });
  if (sim) onShutdown(() => sim.stop());
}

// `npm start` adds a virtual board only when no real one is plugged in over USB, so a user
// with a board sees their board, and a user without one still sees something move.
export async function boardAttached(log: Logger, list?: () => Promise<{ path: string }[]>): Promise<boolean> {
  let paths: string[] = [];
  try {
    const { listPorts, usablePorts } = await import("../flash/ports");
    paths = usablePorts((await (list ?? listPorts)()) as never).map((p) => p.path);
  } catch (e) {
    // Listing ports is best-effort (no permission, no serial support): fall back to the sim.
    log.debug({ event: "port-list-failed", err: String((e as Error)?.message ?? e) }, "could not list serial ports");
  }
  if (!paths.length) return false;
  log.info(
    { event: "board-attached", ports: paths },
    "board attached at " + paths.join(", ") + ": no virtual board (flash it with `pinwire flash`; `pinwire sim` starts a virtual one anyway)",
  );
  return true;
}

const shutdownHooks: (() => Promise<void> | void)[] = [];
function onShutdown(f: () => Promise<void> | void): void {
  shutdownHooks.push(f);
}
function installSignals(log: Logger): void {
  // A stray rejected promise is a bug to log, not a reason to drop every board and browser.
  process.on("unhandledRejection", (e) => log.error({ event: "unhandled-rejection", err: String((e as Error)?.stack ?? e) }, "unhandled rejection"));
  let stopping = false;
  const stop = async (sig: string) => {
    if (stopping) process.exit(130);
    stopping = true;
    log.info({ event: "shutdown", signal: sig }, "shutting down");
    for (const f of shutdownHooks.reverse()) await Promise.resolve(f()).catch(() => {});
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

export function buildProgram(): Command {
  const program = new Command("pinwire")
    .description("TypeScript runtime and toolchain for Espruino boards: broker, bridge and dashboard")
    .showHelpAfterError()
    .exitOverride();

  const runServe = (withSim: boolean) => async (flags: ServeFlags, cmd: Command) => {
    // MQTT over TLS listens on its usual port unless one was asked for.
    if (flags.cert && cmd.getOptionValueSource("mqttPort") === "default") flags.mqttPort = 8883;
    const log = createLogger({ verbose: flags.verbose });
    const svc = await serve(flags, log, withSim && flags.sim !== false && !(await boardAttached(log)));
    onShutdown(() => svc.close());
    installSignals(log);
  };

  serveOptions(program.command("start").description("broker + bridge + dashboard, and a virtual board (sim1) to play with when no board is attached over USB"))
    .option("--no-sim", "do not start the virtual board")
    .action(runServe(true));
  serveOptions(program.command("bridge").description("broker + bridge + dashboard (no virtual board)")).action(runServe(false));

  program
    .command("sim")
    .description("run a virtual board (the board bundle on the virtual Espruino) against a broker")
    .requiredOption("--id <id>", "device id", deviceId)
    .requiredOption("--broker <url>", "broker URL", brokerUrl)
    .option("--username <name>", "device username (defaults to the id when --password is given)")
    .option("--password <password>", "device password")
    .addOption(new Option("--board <name>", "board profile").choices([...BOARDS]).default("esp8266"))
    .option("--console <port>", "serve the board's console (REPL) on this TCP port, for the espruino CLI (0: a free port)", port)
    .option("-v, --verbose", "log packets")
    .action(async (o) => {
      const log = createLogger({ verbose: o.verbose });
      const { startVirtualBoard } = await import("./sim/virtual-board");
      const sim = await startVirtualBoard({
        id: o.id,
        broker: o.broker,
        board: o.board,
        username: o.username ?? (o.password ? o.id : undefined),
        password: o.password,
        log,
        consolePort: o.console,
      });
      onShutdown(() => sim.stop());
      installSignals(log);
    });

  const user = program.command("user").description("manage device credentials (scrypt-hashed JSON file)");
  user
    .command("add <id>")
    .description("add or replace a user; prints a generated password unless --password is given")
    .option("--password <password>", "the password (default: generated)")
    .addOption(new Option("--role <role>", "device, or bridge (may use every topic)").choices(["device", "bridge"]).default("device"))
    .option("--credentials <file>", "credentials file", defaultCredentialsPath())
    .action(async (id: string, o) => {
      deviceIdOrFail(id);
      const store = CredentialStore.load(o.credentials);
      const password = o.password ?? generateSecret();
      await store.add(id, password, o.role);
      store.save();
      process.stdout.write("added " + o.role + " '" + id + "' to " + store.path + "\n");
      if (!o.password) process.stdout.write("password: " + password + "\n");
    });
  user
    .command("remove <id>")
    .description("remove a user")
    .option("--credentials <file>", "credentials file", defaultCredentialsPath())
    .action((id: string, o) => {
      const store = CredentialStore.load(o.credentials);
      if (!store.remove(id)) throw new ConfigError("no user '" + id + "' in " + store.path);
      store.save();
      process.stdout.write("removed '" + id + "'\n");
    });
  user
    .command("list")
    .description("list users")
    .option("--credentials <file>", "credentials file", defaultCredentialsPath())
    .action((o) => {
      for (const u of CredentialStore.load(o.credentials).list()) process.stdout.write(u.id + "\t" + u.role + "\n");
    });
  registerAppCommands(program); // init, build, run, logs, test (cli-app.ts)
  registerFlashCommands(program); // flash, firmware, push (flash/cli.ts)
  registerDeviceCommands(program); // devices, forget (cli-devices.ts)
  return program;
}

function deviceIdOrFail(id: string): void {
  if (!isValidId(id)) throw new ConfigError("invalid id '" + id + "': use letters, digits, '_' and '-' (at most 64)");
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and --version exit 0; every usage error 2 (commander already printed it)
      process.exit(e.exitCode === 0 ? 0 : 2);
    }
    if (e instanceof ApiError) {
      process.stderr.write("pinwire: " + e.message + "\n");
      process.exit(1);
    }
    if (e instanceof ConfigError) {
      process.stderr.write("pinwire: " + e.message + "\n");
      process.exit(2);
    }
    // A build's problems, each at its file and line (host/app/project.ts BuildError).
    if (e instanceof Error && Array.isArray((e as { diagnostics?: unknown }).diagnostics)) {
      const n = (e as unknown as { diagnostics: unknown[] }).diagnostics.length;
      process.stderr.write(e.message + "\n\npinwire: the build failed: " + n + " error" + (n === 1 ? "" : "s") + "\n");
      process.exit(1);
    }
    process.stderr.write("pinwire: " + (e instanceof Error ? e.message : String(e)) + "\n");
    process.exit(1);
  }
}

// Run when executed directly (tsx host/cli.ts ...), not when imported by tests.
if (process.argv[1] && /cli\.[cm]?[jt]s$/.test(process.argv[1])) void main(process.argv);
