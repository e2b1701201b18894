// Device and bridge credentials, stored as a JSON file of scrypt hashes (never the password).
// The file is small and rewritten whole; writes go to a temp file then rename, so a crash
// never leaves half a file. Mode 0600: hashes are still worth protecting from other users.
import { scrypt, randomBytes, timingSafeEqual } from "node:crypto";
import { readFileSync, writeFileSync, renameSync, mkdirSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { homedir } from "node:os";

export type Role = "device" | "bridge";

export interface UserRecord {
  role: Role;
  salt: string; // hex
  hash: string; // hex, KEY_LEN bytes
  N: number;
  r: number;
  p: number;
}

export interface CredentialsFile {
  version: 1;
  users: Record<string, UserRecord>;
}

const KEY_LEN = 32;
// scrypt cost: N=2^14 is node's default and takes ~30-50 ms, fine for a connect.
const N = 16384;
const R = 8;
const P = 1;
// What a new record costs to check (login-guard.ts checks unknown users at the same cost).
export const SCRYPT_DEFAULTS = { N, r: R, p: P, keylen: KEY_LEN };

// Where pinwire keeps its files: $PINWIRE_HOME, else ~/.pinwire.
export function pinwireHome(): string {
  return process.env.PINWIRE_HOME || join(homedir(), ".pinwire");
}

export function defaultCredentialsPath(): string {
  return join(pinwireHome(), "credentials.json");
}

// Ids become topic levels and HA object ids: keep them to [A-Za-z0-9_-].
export function isValidId(id: string): boolean {
  return /^[A-Za-z0-9_-]{1,64}$/.test(id);
}

function scryptAsync(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, KEY_LEN, { N: n, r, p, maxmem: 256 * n * r }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashPassword(password: string, role: Role): Promise<UserRecord> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, N, R, P);
  return { role, salt: salt.toString("hex"), hash: key.toString("hex"), N, r: R, p: P };
}

export async function verifyPassword(rec: UserRecord, password: string): Promise<boolean> {
  const key = await scryptAsync(password, Buffer.from(rec.salt, "hex"), rec.N, rec.r, rec.p);
  const want = Buffer.from(rec.hash, "hex");
  return want.length === key.length && timingSafeEqual(want, key);
}

export function generateSecret(bytes = 18): string {
  return randomBytes(bytes).toString("base64url");
}

export class CredentialStore {
  private data: CredentialsFile;

  constructor(readonly path: string | null, data?: CredentialsFile) {
    this.data = data ?? { version: 1, users: {} };
  }

  // A missing file is an empty store; a malformed one is an error (silently starting
  // without authentication because of a typo would be worse).
  static load(path: string): CredentialStore {
    if (!existsSync(path)) return new CredentialStore(path);
    const raw = JSON.parse(readFileSync(path, "utf8"));
    if (!raw || raw.version !== 1 || typeof raw.users !== "object") throw new Error("not a pinwire credentials file: " + path);
    return new CredentialStore(path, raw as CredentialsFile);
  }

  get size(): number {
    return Object.keys(this.data.users).length;
  }

  list(): { id: string; role: Role }[] {
    return Object.keys(this.data.users).map((id) => ({ id, role: this.data.users[id].role }));
  }

  get(id: string): UserRecord | undefined {
    return Object.prototype.hasOwnProperty.call(this.data.users, id) ? this.data.users[id] : undefined;
  }

  async add(id: string, password: string, role: Role): Promise<void> {
    if (!isValidId(id)) throw new Error("invalid id '" + id + "': use letters, digits, '_' and '-' (at most 64)");
    this.data.users[id] = await hashPassword(password, role);
  }

  remove(id: string): boolean {
    if (!this.get(id)) return false;
    delete this.data.users[id];
    return true;
  }

  save(): void {
    if (!this.path) throw new Error("in-memory credential store has no file");
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = this.path + ".tmp";
    writeFileSync(tmp, JSON.stringify(this.data, null, 2) + "\n", { mode: 0o600 });
    renameSync(tmp, this.path);
  }
}
