// scrypt for logins on a thread of its own. crypto.scrypt() runs on libuv's thread pool (4
// threads), the pool the file server's reads also wait in: 64 parallel wrong-password logins
// filled it, a legitimate login took 2.4-7.3 s and dashboard files timed out. Here one worker
// thread runs scryptSync, one derivation at a time, in arrival order; the pool stays free and
// logins use at most one core. At most `maxQueued` derivations wait: beyond that derive()
// refuses at once (the caller answers "server unavailable").
import { Worker } from "node:worker_threads";

// Plain CommonJS, evaluated by the worker: no loader needed.
const SOURCE = `
const { parentPort } = require("node:worker_threads");
const { scryptSync } = require("node:crypto");
parentPort.on("message", (m) => {
  try {
    const key = scryptSync(m.password, Buffer.from(m.salt, "hex"), m.keylen, { N: m.N, r: m.r, p: m.p, maxmem: 256 * m.N * m.r });
    parentPort.postMessage({ id: m.id, key });
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: String(e && e.message || e) });
  }
});
`;

export interface ScryptParams {
  salt: string; // hex
  N: number;
  r: number;
  p: number;
  keylen: number;
}

export class ThreadBusy extends Error {}

export class ScryptThread {
  private worker: Worker | null = null;
  private waiting = new Map<number, { resolve: (k: Buffer) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  derivations = 0; // started so far

  constructor(private maxQueued = 256) {}

  get queued(): number {
    return this.waiting.size;
  }

  derive(password: string, p: ScryptParams): Promise<Buffer> {
    if (this.waiting.size >= this.maxQueued) return Promise.reject(new ThreadBusy("login queue full (" + this.maxQueued + " waiting)"));
    const w = this.thread();
    const id = this.nextId++;
    this.derivations++;
    return new Promise<Buffer>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      // The worker is referenced only while something waits for it.
      if (this.waiting.size === 1) w.ref();
      w.postMessage({ id, password, ...p });
    });
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(SOURCE, { eval: true });
    w.unref();
    w.on("message", (m: { id: number; key?: Uint8Array; error?: string }) => {
      const q = this.waiting.get(m.id);
      if (!q) return;
      this.waiting.delete(m.id);
      if (!this.waiting.size) w.unref();
      if (m.key) q.resolve(Buffer.from(m.key));
      else q.reject(new Error("scrypt: " + m.error));
    });
    const fail = (e: Error) => {
      this.worker = null;
      for (const q of this.waiting.values()) q.reject(e);
      this.waiting.clear();
    };
    w.on("error", fail);
    w.on("exit", (code) => fail(new Error("scrypt thread exited (" + code + ")")));
    this.worker = w;
    return w;
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}
