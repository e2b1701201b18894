// The board side of OTA script push (protocol: shared/ota.ts). Chunks are written straight
// into the spare script slot in Storage at their offset, so RAM never holds more than the
// chunk being handled. When the last byte is in, size, CRC32 (E.CRC32, native) and, with a
// key, the signed digest are checked; then the boot state file switches to the new script on
// trial and the board restarts. The boot loader (boot.ts) rolls back if the trial fails.
//
// Replay and downgrade (shared/ota.ts): each HELLO gets a fresh challenge in its CAPS, kept in
// the global `pwOC` (the module is unloaded between messages, a global is not; 4 characters
// fit the name in one JsVar); the next MANIFEST must carry it and uses it up. Its first 4
// bytes (u32, little-endian) count the sessions this board has begun (Storage file pw.n,
// written as each session begins), so no challenge repeats even where the noise in the other
// 4 does: E.hwRand() is Espruino's own pseudo-random generator on the ESP8266, the ESP32 and
// Linux in 2v29 (jshGetRandomNumber returns rand(), src/jsutils.c, the same sequence from
// every power-on), so it is mixed with the clock.
//
// The app wires it with three calls: otaStart(id, key, publish) once (subscribe to the topic
// it returns), otaMessage(payload) for each message on that topic, otaHealthy() each time the
// broker connection is up.
import { type Bytes, copy, fromHex } from "../../shared/bytes";
import {
  ALG_HMAC_SHA1,
  ALG_HMAC_SHA256,
  ALG_NONE,
  BOOT_ROLLED_BACK,
  BOOT_RUNNING,
  BOOT_UPDATED,
  CAPS_BUSY,
  CAPS_KEY,
  chunkData,
  chunkOffset,
  decodeManifest,
  encodeAck,
  encodeBoot,
  encodeCaps,
  encodeDone,
  encodeErr,
  encodeReady,
  hmac,
  MANIFEST_DOWNGRADE,
  type Manifest,
  msgTag,
  msgType,
  OTA_ABORT,
  OTA_CHUNK,
  OTA_HELLO,
  OTA_MANIFEST,
  otaReplyTopic,
  otaStatusTopic,
  otaTopic,
  sameBytes,
  signedPart,
  versionRank,
} from "../../shared/ota";
import { readState, rollBack, SLOT_A, SLOT_B, writeState } from "./state";

declare function load(file?: string): void;

// The board's sessions so far (Storage) and the challenge of its latest CAPS (a global: outlives
// the module between messages, gone at a reset).
const COUNTER_FILE = "pw.n";
const OTA_CHALLENGE = "pwOC";

// ESP8266's crypto module has SHA-1 only, so its images are signed with HMAC-SHA1 over a
// SHA-1 digest; the other boards use SHA-256. Chunk and window fit each board's free RAM.
const ALG = PINWIRE_BOARD === "esp8266" ? ALG_HMAC_SHA1 : ALG_HMAC_SHA256;
const CHUNK = PINWIRE_BOARD === "esp8266" ? 512 : 2048;
const WINDOW = PINWIRE_BOARD === "esp8266" ? 1 : 4;
// A session quiet for this long may be taken over by a new push: its pusher died without an
// ABORT (kill -9, power cut, network gone). A live pusher is never this quiet: it sends the
// next chunk one round trip after each ACK, re-sends its MANIFEST every second when ACKs stop
// (flash/push.ts retryMs) and at once after its own reconnect (0.5 s). The clock restarts once
// the board has handled each message of the session, so the time Storage takes to write a
// chunk (flash erase, compaction) never counts as the pusher's silence.
const IDLE_MS = 5000;

let devId = "";
let key: Bytes | null = null;
let pub: (topic: string, payload: Bytes, retain: boolean) => void;
let reported = false;

let m: Manifest | null = null;
let slot = "";
let next = 0;
let last = 0;
let finishing = false;

// crypto takes strings; Storage.read's string is memory-mapped flash on the chips, so the
// image is hashed without a copy in RAM.
function hashString(s: string): Bytes {
  const c = global.require("crypto");
  return new Uint8Array(ALG === ALG_HMAC_SHA1 ? c.SHA1(s) : c.SHA256(s));
}

function hash(b: Bytes): Bytes {
  return hashString(E.toString(b));
}

function reply(b: Bytes): void {
  pub(otaReplyTopic(devId), b, false);
}

function busy(tag: number): boolean {
  return m !== null && m.tag !== tag && (finishing || Date.now() - last < IDLE_MS);
}

function end(): void {
  if (m && !finishing) global.require("Storage").erase(slot);
  m = null;
}

function refuse(tag: number, code: string): void {
  reply(encodeErr(tag, code));
}

// Bytes Storage can give a new script: what is free plus the spare slot it replaces.
function freeFor(spare: string): number {
  const S = global.require("Storage");
  const old = S.read(spare);
  return S.getFree() + (old ? old.length : 0);
}

function spareSlot(): string {
  return readState().c === SLOT_A ? SLOT_B : SLOT_A;
}

function manifest(b: Bytes): void {
  const n = decodeManifest(b);
  if (busy(n.tag)) return refuse(n.tag, "busy");
  if (m && m.tag === n.tag) {
    // A resumed push: same image, carry on from where the board got to.
    if (m.size !== n.size || m.crc !== n.crc) return refuse(n.tag, "resume");
    last = Date.now();
    return reply(encodeReady(n.tag, next));
  }
  // A new session: only with the challenge of the latest CAPS, which it uses up (a MANIFEST
  // recorded from an earlier session, or sent without asking, carries another).
  const g = global as any;
  if (!g[OTA_CHALLENGE] || !sameBytes(g[OTA_CHALLENGE], n.challenge)) return refuse(n.tag, "challenge");
  delete g[OTA_CHALLENGE];
  if (key) {
    if (n.alg === ALG_NONE) return refuse(n.tag, "unsigned");
    if (n.alg !== ALG) return refuse(n.tag, "alg");
    if (!sameBytes(hmac(hash, key, signedPart(b)), n.sig)) return refuse(n.tag, "sig");
  }
  const want = versionRank(n.version);
  if (!(n.flags & MANIFEST_DOWNGRADE) && want >= 0 && want < versionRank(readState().v || "")) return refuse(n.tag, "downgrade");
  if (n.chunk > CHUNK) return refuse(n.tag, "chunk");
  end();
  const spare = spareSlot();
  const S = global.require("Storage");
  if (n.size > freeFor(spare)) return refuse(n.tag, "space");
  S.writeJSON(COUNTER_FILE, (S.readJSON(COUNTER_FILE, 1) || 0) + 1);
  S.erase(spare);
  // The digest is a view into the message: keep our own copy of the fields we use later.
  n.digest = copy(n.digest, 0, n.digest.length);
  m = n;
  slot = spare;
  next = 0;
  last = Date.now();
  finishing = false;
  reply(encodeReady(n.tag, 0));
}

function chunk(b: Bytes, tag: number): void {
  if (!m || m.tag !== tag || finishing) return refuse(tag, "session");
  const off = chunkOffset(b);
  last = Date.now();
  // Out of order (a chunk lost around a reconnect): tell the pusher where to go on from.
  if (off !== next) return reply(encodeAck(tag, next));
  const d = chunkData(b);
  if (!d.length || off + d.length > m.size || d.length > CHUNK) {
    end();
    return refuse(tag, "size");
  }
  global.require("Storage").write(slot, d, off, off === 0 ? m.size : undefined);
  last = Date.now();
  next = off + d.length;
  if (next < m.size) return reply(encodeAck(tag, next));
  verify(m);
}

function verify(n: Manifest): void {
  const img = global.require("Storage").read(slot);
  let code = "";
  if (!img || img.length !== n.size) code = "size";
  else if (E.CRC32(img) !== n.crc) code = "crc";
  else if (n.alg !== ALG_NONE && key && !sameBytes(hashString(img), n.digest)) code = "digest";
  if (code) {
    end();
    return refuse(n.tag, code);
  }
  const st = readState();
  writeState({ c: slot, p: st.c, v: n.version, pv: st.v, t: 1, g: n.tag, h: n.health, n: n.boots });
  finishing = true;
  reply(encodeDone(n.tag));
  // Let the DONE leave before the soft reset closes the socket.
  setTimeout(function () {
    load();
  }, 300);
}

export function otaStart(id: string, keyHex: string | undefined, publish: (topic: string, payload: Bytes, retain: boolean) => void): string {
  devId = id;
  key = keyHex ? fromHex(keyHex) : null;
  pub = publish;
  return otaTopic(id);
}

export function otaMessage(b: Bytes): void {
  let tag = 0;
  try {
    const t = msgType(b);
    tag = msgTag(b);
    if (t === OTA_HELLO) {
      // The counter this session would begin, then noise (CHALLENGE bytes in all).
      const c = new Uint8Array(new Uint32Array([(global.require("Storage").readJSON(COUNTER_FILE, 1) || 0) + 1, E.hwRand() ^ ((getTime() % 2000) * 1e6)]).buffer);
      (global as any)[OTA_CHALLENGE] = c;
      reply(
        encodeCaps({
          tag: tag,
          flags: (busy(tag) ? CAPS_BUSY : 0) | (key ? CAPS_KEY : 0),
          alg: ALG,
          chunk: CHUNK,
          window: WINDOW,
          free: freeFor(spareSlot()),
          version: readState().v || "",
          challenge: c,
        }),
      );
    } else if (t === OTA_MANIFEST) manifest(b);
    else if (t === OTA_CHUNK) chunk(b, tag);
    else if (t === OTA_ABORT) {
      if (m && m.tag === tag && !finishing) end();
    } else refuse(tag, "type");
  } catch (e: any) {
    refuse(tag, e && e.code ? e.code : "error");
  }
}

// No push in progress: the module may be unloaded (device/ota/attach.ts) and loaded afresh for
// the next message.
export function otaIdle(): boolean {
  return m === null && !finishing;
}

// The broker is connected: a script on trial has proved itself. Reports once per boot what
// runs (retained), and a rollback that happened before this boot.
export function otaHealthy(): void {
  if (reported) return;
  reported = true;
  let st = readState();
  // The boot loader counts every boot of a script on trial (t 1 -> 2 on its first): a trial
  // still at 1 was never booted by it, so what runs is not the pushed script (a board without
  // the loader, e.g. its app written as .bootcde). Undo the switch and say so: never "updated".
  if (st.t === 1 && rollBack(st, "loader")) st = readState();
  let state = BOOT_RUNNING;
  let code = "";
  let tag = st.g || 0;
  if (st.t) {
    state = BOOT_UPDATED;
    st.t = 0;
    writeState(st);
  } else if (st.r) {
    state = BOOT_ROLLED_BACK;
    code = st.r.e;
    tag = st.r.g || 0;
    st.r = undefined;
    writeState(st);
  }
  pub(otaStatusTopic(devId), encodeBoot(tag, state, st.v || "", code), true);
}
