// The dashboard/API bearer token. Browsers cannot set headers on a WebSocket, so the
// token is also accepted as ?token= in the URL (the dashboard reads it from its own URL).
import { timingSafeEqual, createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export function tokenFromRequest(req: IncomingMessage, url: URL): string | null {
  const h = req.headers.authorization;
  if (h && h.startsWith("Bearer ")) return h.slice(7).trim();
  return url.searchParams.get("token");
}

// Compare digests so the comparison time does not depend on the length or the prefix.
export function tokenMatches(expected: string, given: string | null): boolean {
  if (given === null) return false;
  const a = createHash("sha256").update(expected).digest();
  const b = createHash("sha256").update(given).digest();
  return timingSafeEqual(a, b);
}

// Basic credentials of a board connecting to the gateway (Authorization: Basic, or
// ?user=&pass= for clients that cannot set headers).
export function basicFromRequest(req: IncomingMessage, url: URL): { user: string; pass: string } | null {
  const h = req.headers.authorization;
  if (h && h.startsWith("Basic ")) {
    const s = Buffer.from(h.slice(6).trim(), "base64").toString("utf8");
    const i = s.indexOf(":");
    if (i >= 0) return { user: s.slice(0, i), pass: s.slice(i + 1) };
  }
  const user = url.searchParams.get("user");
  const pass = url.searchParams.get("pass");
  return user !== null && pass !== null ? { user, pass } : null;
}

// The dashboard/API token kept in a file (mode 0600) rather than in the log: read it if the
// file holds one, else generate one and write it there. The same token then survives a
// restart (bookmarks keep working); deleting the file makes the next start pick a new one.
export function loadOrCreateToken(file: string, generate: () => string): { token: string; created: boolean } {
  if (existsSync(file)) {
    const t = readFileSync(file, "utf8").trim();
    if (t) return { token: t, created: false };
  }
  const token = generate();
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = file + ".tmp";
  writeFileSync(tmp, token + "\n", { mode: 0o600 });
  renameSync(tmp, file);
  return { token, created: true };
}
