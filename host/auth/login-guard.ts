// Every password login of the host (the embedded broker's CONNECT, a board on the gateway's
// /ws/<id>?role=device) goes through here:
// - Failed logins are rate-limited per address (an IPv6 /64 counts as one) and per user name,
//   each a token bucket: `burst` failures at once, refilled at `perMinute`. An attempt takes a
//   token before its password is checked (64 parallel guesses cannot all slip in before the
//   first failure counts) and gives it back when it succeeds, so only failures are limited. An
//   address a user has logged in from is not held to that user's limit: guesses from elsewhere
//   cannot lock a board out of its own account. Over a limit the password is not checked at
//   all; the login is refused ("limited").
// - The password is checked on a thread of its own (scrypt-thread.ts), never on libuv's pool,
//   which the file server needs: guessing cannot stall the dashboard.
// - A known and an unknown user cost the same: an unknown one is checked against a dummy
//   record with the store's default scrypt cost, and every failure is answered no sooner than
//   `failAfterMs` after the attempt began (a user whose record has another cost is not told
//   apart either). Before, an unknown user was refused in 0.7 ms and a known one in 51 ms, at
//   the broker and at the gateway: user names could be listed by timing.
// - A password that succeeded is remembered for its user (an HMAC under a per-process key, tied
//   to the stored hash): a board reconnecting does not pay scrypt again.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { addressKey } from "../broker/admission";
import { CredentialStore, SCRYPT_DEFAULTS, type Role, type UserRecord } from "./credentials";
import { ScryptThread, ThreadBusy } from "./scrypt-thread";

export interface Rate {
  burst: number; // failures allowed at once
  perMinute: number; // failures the allowance regains per minute
}

export interface LoginGuardOptions {
  store: CredentialStore;
  perAddress?: Rate; // default 10, 10/min
  perUser?: Rate; // default 20, 20/min
  failAfterMs?: number; // default 500
  maxQueued?: number; // logins waiting for their check, default 256
}

export type LoginOutcome = { role: Role } | { refused: "bad" | "limited" | "busy" };

// Entries kept per table before the oldest are forgotten (an attacker with many addresses
// or user names gets fresh allowances, the host a bounded table).
const MAX_ENTRIES = 50_000;

class Buckets {
  private m = new Map<string, { tokens: number; at: number }>();
  constructor(private rate: Rate) {}

  private level(key: string, now: number): number {
    const b = this.m.get(key);
    return b ? Math.min(this.rate.burst, b.tokens + ((now - b.at) * this.rate.perMinute) / 60000) : this.rate.burst;
  }

  take(key: string, now: number): boolean {
    const t = this.level(key, now);
    if (t < 1) return false;
    this.set(key, t - 1, now);
    return true;
  }

  give(key: string, now: number): void {
    const t = this.level(key, now) + 1;
    if (t >= this.rate.burst) this.m.delete(key);
    else this.set(key, t, now);
  }

  private set(key: string, tokens: number, now: number): void {
    this.m.delete(key); // re-inserted last: the Map's order is the eviction order
    this.m.set(key, { tokens, at: now });
    if (this.m.size <= MAX_ENTRIES) return;
    for (const k of this.m.keys()) if (this.level(k, now) >= this.rate.burst) this.m.delete(k);
    for (const k of this.m.keys()) {
      if (this.m.size <= MAX_ENTRIES / 2) break;
      this.m.delete(k);
    }
  }
}

const delay = (ms: number) => new Promise<void>((r) => (ms > 0 ? setTimeout(r, ms) : r()));

export class LoginGuard {
  readonly thread: ScryptThread;
  private byAddress: Buckets;
  private byUser: Buckets;
  private failAfter: number;
  // user + "\n" + address key: logged in from there before.
  private knownFrom = new Set<string>();
  private remembered = new Map<string, { hash: string; mac: Buffer }>();
  private key = randomBytes(32);
  private dummy: UserRecord = { role: "device", salt: randomBytes(16).toString("hex"), hash: randomBytes(SCRYPT_DEFAULTS.keylen).toString("hex"), N: SCRYPT_DEFAULTS.N, r: SCRYPT_DEFAULTS.r, p: SCRYPT_DEFAULTS.p };

  constructor(private o: LoginGuardOptions) {
    this.byAddress = new Buckets(o.perAddress ?? { burst: 10, perMinute: 10 });
    this.byUser = new Buckets(o.perUser ?? { burst: 20, perMinute: 20 });
    this.failAfter = o.failAfterMs ?? 500;
    this.thread = new ScryptThread(o.maxQueued);
  }

  async check(user: string | undefined, password: string | undefined, addr: string | undefined): Promise<LoginOutcome> {
    const started = Date.now();
    const a = addressKey(addr) ?? "loopback";
    const u = user ?? "";
    const pair = u + "\n" + a;
    const refuse = async (why: "bad" | "limited" | "busy"): Promise<LoginOutcome> => {
      await delay(started + this.failAfter - Date.now());
      return { refused: why };
    };
    if (!this.byAddress.take(a, started)) return refuse("limited");
    if (!this.knownFrom.has(pair) && !this.byUser.take(u, started)) {
      this.byAddress.give(a, started);
      return refuse("limited");
    }
    const giveBack = () => {
      const now = Date.now();
      this.byAddress.give(a, now);
      if (!this.knownFrom.has(pair)) this.byUser.give(u, now);
    };
    let role: Role | null;
    try {
      role = await this.verify(u, password);
    } catch (e) {
      giveBack();
      if (e instanceof ThreadBusy) return refuse("busy");
      throw e;
    }
    if (!role) return refuse("bad");
    giveBack();
    this.knownFrom.delete(pair);
    this.knownFrom.add(pair);
    if (this.knownFrom.size > MAX_ENTRIES) this.knownFrom.delete(this.knownFrom.values().next().value!);
    return { role };
  }

  private mac(password: string): Buffer {
    return createHmac("sha256", this.key).update(password).digest();
  }

  // The user's role when the password is theirs; an unknown user costs a check all the same.
  private async verify(user: string, password: string | undefined): Promise<Role | null> {
    if (password === undefined) return null;
    const rec = this.o.store.get(user);
    const r = this.remembered.get(user);
    if (rec && r && r.hash === rec.hash && timingSafeEqual(r.mac, this.mac(password))) return rec.role;
    const use = rec ?? this.dummy;
    const key = await this.thread.derive(password, { salt: use.salt, N: use.N, r: use.r, p: use.p, keylen: Buffer.from(use.hash, "hex").length });
    const want = Buffer.from(use.hash, "hex");
    const ok = want.length === key.length && timingSafeEqual(want, key) && !!rec;
    if (!ok) return null;
    this.remembered.set(user, { hash: rec.hash, mac: this.mac(password) });
    return rec.role;
  }

  close(): Promise<void> {
    return this.thread.close();
  }
}
