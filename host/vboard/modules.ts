// The data-only built-in modules of the board: Storage, crypto, heatshrink, and the byte
// conversion Espruino applies to whatever they (and E.toString, sockets) are given.
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import type { DiskStorage } from "./storage";

// Makes values in the board's realm (see Firmware.obj).
export interface Realm {
  obj(v: unknown): any;
  bytes(b: ArrayLike<number>): Uint8Array;
}

// More than any board has RAM for: Espruino would run out of memory long before.
const MAX_BYTES = 1 << 20;

// Bytes of anything E.toString/Storage.write/CRC32 accept: strings (one byte per char),
// numbers (one byte), arrays and typed arrays (recursively), ArrayBuffers, {data, count}.
export function bytesOf(v: unknown, out: number[] = [], depth = 0): number[] {
  if (depth > 64) throw new Error("Too much recursion");
  if (typeof v === "string") for (let i = 0; i < v.length; i++) out.push(v.charCodeAt(i) & 255);
  else if (typeof v === "number" || typeof v === "boolean") out.push(Number(v) & 255);
  else if (ArrayBuffer.isView(v)) for (const b of new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) out.push(b);
  else if (isArrayBuffer(v)) for (const b of new Uint8Array(v)) out.push(b);
  else if (Array.isArray(v)) for (const x of v) bytesOf(x, out, depth + 1);
  else if (v && typeof v === "object" && "data" in v) {
    const n = Number((v as { count?: number }).count ?? 1);
    for (let i = 0; i < n && out.length <= MAX_BYTES; i++) bytesOf((v as { data: unknown }).data, out, depth + 1);
  }
  if (out.length > MAX_BYTES) throw new Error("Out of Memory!");
  return out;
}

// Works across realms, unlike instanceof.
function isArrayBuffer(v: unknown): v is ArrayBuffer {
  return Object.prototype.toString.call(v) === "[object ArrayBuffer]";
}

// `stored` hears of every write board code makes; `flash` marks the strings read (on the chip
// they stay in flash).
export function storageModule(
  storage: DiskStorage,
  realm: Realm,
  stored: (name: string, offset?: number, size?: number) => void,
  flash: (s: string) => string,
): Record<string, unknown> {
  return {
    read: (name: unknown, offset?: unknown, length?: unknown) => {
      const b = storage.read(String(name));
      if (!b) return undefined;
      const o = offset === undefined ? 0 : Number(offset);
      const l = length === undefined ? b.length - o : Number(length);
      return flash(b.subarray(o, o + l).toString("latin1"));
    },
    readJSON: (name: unknown, noExceptions?: unknown) => {
      const b = storage.read(String(name));
      if (!b) return undefined;
      try {
        return realm.obj(JSON.parse(b.toString("latin1")));
      } catch (e) {
        if (noExceptions) return undefined;
        throw e;
      }
    },
    readArrayBuffer: (name: unknown) => {
      const b = storage.read(String(name));
      return b ? realm.bytes(b).buffer : undefined;
    },
    // Objects other than arrays and buffers are written as their string form, like Espruino.
    write: (name: unknown, data: unknown, offset?: unknown, size?: unknown) => {
      const d = typeof data === "object" && data !== null && !ArrayBuffer.isView(data) && !Array.isArray(data) && !isArrayBuffer(data) ? String(data) : data;
      const o = offset === undefined ? undefined : Number(offset);
      const z = size === undefined ? undefined : Number(size);
      storage.write(String(name), Buffer.from(bytesOf([d])), o ?? 0, z);
      stored(String(name), o ?? 0, z);
      return true;
    },
    writeJSON: (name: unknown, obj: unknown) => {
      storage.write(String(name), Buffer.from(JSON.stringify(obj), "latin1"));
      stored(String(name));
      return true;
    },
    erase: (name: unknown) => storage.erase(String(name)),
    eraseAll: () => storage.eraseAll(),
    list: (re?: unknown) => {
      let l = storage.list();
      if (re && typeof (re as RegExp).test === "function") l = l.filter((n) => (re as RegExp).test(n));
      return realm.obj(l);
    },
    getFree: () => storage.getFree(),
    getStats: () =>
      realm.obj({ totalBytes: storage.capacity, freeBytes: storage.getFree(), fileBytes: storage.used(), fileCount: storage.list().length, trashBytes: 0, trashCount: 0 }),
    compact: () => {},
    debug: () => {},
  };
}

// SHA1 everywhere; SHA256 only where the firmware carries mbedtls (esp32, linux).
export function cryptoModule(sha256: boolean, realm: Realm): Record<string, unknown> {
  const hash = (alg: string) => (d: unknown) => realm.bytes(createHash(alg).update(Buffer.from(bytesOf([d]))).digest()).buffer;
  return sha256 ? { SHA1: hash("sha1"), SHA256: hash("sha256") } : { SHA1: hash("sha1") };
}

// Espruino's own heatshrink build (EspruinoTools ships it as wasm with the firmware's window
// and lookahead sizes), loaded on first use.
type Heatshrink = { compress(b: Uint8Array): Uint8Array; decompress(b: Uint8Array): Uint8Array };
let lib: Heatshrink | undefined;

export function heatshrinkModule(realm: Realm): Record<string, unknown> {
  const run = (f: keyof Heatshrink) => (d: unknown) => {
    lib ??= createRequire(import.meta.url)("espruino/libs/heatshrink.js") as Heatshrink;
    return realm.bytes(lib[f](new Uint8Array(bytesOf([d])))).buffer;
  };
  return { compress: run("compress"), decompress: run("decompress") };
}
