// `pinwire devices` and `pinwire forget`: the device list of a running pinwire, and removing
// offline devices from it (what they left retained on the broker, their Home Assistant
// entities), through its HTTP API, so they work with the embedded broker or an external one
// and need only the dashboard/API token.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { pinwireHome } from "./auth/credentials";

// A failure the user can fix (server not reachable, token refused): one line, exit 1.
export class ApiError extends Error {}

interface ApiFlags {
  url: string;
  token?: string;
  tokenFile: string;
}

function token(f: ApiFlags): string | null {
  if (f.token) return f.token;
  if (process.env.PINWIRE_TOKEN) return process.env.PINWIRE_TOKEN;
  return existsSync(f.tokenFile) ? readFileSync(f.tokenFile, "utf8").trim() || null : null;
}

async function call(f: ApiFlags, method: "GET" | "DELETE", path: string): Promise<{ status: number; body: any }> {
  const t = token(f);
  let r: Response;
  try {
    r = await fetch(new URL(path, f.url.replace(/\/?$/, "/")), { method, headers: t ? { authorization: "Bearer " + t } : {} });
  } catch (e) {
    throw new ApiError("cannot reach pinwire at " + f.url + " (" + ((e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message) + "): is it running? (--url)");
  }
  if (r.status === 401) throw new ApiError("the token was refused by " + f.url + ": give --token, or --token-file with the file pinwire keeps it in");
  return { status: r.status, body: await r.json().catch(() => null) };
}

function apiOptions(cmd: Command): Command {
  return cmd
    .option("--url <url>", "the pinwire host's HTTP address", "http://127.0.0.1:8080")
    .option("--token <token>", "dashboard/API token (or PINWIRE_TOKEN)")
    .option("--token-file <file>", "file holding the token", join(pinwireHome(), "token"));
}

function age(iso: string | null): string {
  if (!iso) return "-";
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return s < 120 ? s + " s ago" : s < 7200 ? Math.round(s / 60) + " min ago" : Math.round(s / 3600) + " h ago";
}

export function registerDeviceCommands(program: Command, out: (s: string) => void = (s) => process.stdout.write(s)): void {
  apiOptions(program.command("devices").description("list the devices a running pinwire knows: status, app, last seen"))
    .option("--json", "print the API's JSON")
    .action(async (o) => {
      const { body } = await call(o, "GET", "api/devices");
      if (o.json) return out(JSON.stringify(body, null, 2) + "\n");
      const rows = (body as any[]).map((d) => [d.id, d.status, d.app ? d.app.name + " " + d.app.version : "(no catalogue)", age(d.lastSeen)]);
      const w = [0, 1, 2].map((i) => Math.max(0, ...rows.map((r) => r[i].length)));
      for (const r of rows) out(r.map((c: string, i: number) => (i < 3 ? c.padEnd(w[i]) : c)).join("  ") + "\n");
      if (!rows.length) out("no devices\n");
    });

  apiOptions(program.command("forget").description("remove offline devices: their retained status, info, catalogue and state on the broker, and their Home Assistant entities"))
    .argument("[ids...]", "device ids")
    .option("--offline", "every device that is offline")
    .action(async (ids: string[], o, cmd: Command) => {
      if (!ids.length && !o.offline) cmd.error("error: name the devices to forget, or give --offline", { exitCode: 2 });
      if (o.offline) {
        const { body } = await call(o, "GET", "api/devices");
        ids = [...ids, ...(body as any[]).filter((d) => d.status !== "online").map((d) => d.id)];
      }
      let failed = 0;
      for (const id of [...new Set(ids)]) {
        const { status, body } = await call(o, "DELETE", "api/devices/" + encodeURIComponent(id));
        if (status === 200) out("forgot " + id + "\n");
        else {
          failed++;
          out(id + ": " + (status === 404 ? "no such device" : status === 409 ? "online; stop it first (it would announce itself again)" : (body?.error ?? "HTTP " + status)) + "\n");
        }
      }
      if (!ids.length) out("no offline devices\n");
      if (failed) process.exitCode = 1;
    });
}
