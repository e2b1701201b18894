// Over-the-air script update protocol, shared by the board's receiver (device/ota) and the
// host's pusher (flash/push.ts). Everything is binary so a chunk travels as raw MQTT payload
// bytes (no base64, no JSON): the wire costs about 1.03x the script on 2 KB chunks.
//
// Topics (per device id):
//   pinwire/<id>/ota     host -> board: HELLO, MANIFEST, CHUNK, ABORT
//   pinwire/<id>/ota/r   board -> host: CAPS, ACK, DONE, ERR (not retained)
//   pinwire/<id>/ota/s   board -> host: BOOT (retained: what runs now, and any rollback)
//
// Every message starts with [type u8][tag u16]; the tag names one push session, chosen at
// random by the pusher and kept across its reconnects, so a resumed push is recognised and a
// second pusher is told "busy". Integers are big-endian.
//   HELLO    [01][tag]
//   MANIFEST [02][tag][size u32][crc u32][chunk u16][health u16][boots u8][alg u8]
//            [flags u8: 1 downgrade allowed][challenge: 8 bytes, from the CAPS]
//            [vlen u8][version][digest: 0|20|32 bytes by alg][sig: same length]
//            sig = HMAC(key, bytes 3 .. end of digest); digest = SHA-1/SHA-256 of the image.
//   CHUNK    [03][tag][offset u32][data]
//   ABORT    [04][tag]
//   CAPS     [81][tag][flags u8: 1 busy, 2 key set][alg u8][chunk u16][window u8][free u32][vlen][version]
//            [challenge: 8 bytes]
//   ACK      [82][tag][next offset u32]   the board has written everything before `next`
//   READY    [86][tag][next offset u32]   answer to a MANIFEST: send from `next` (0, or resume)
//   DONE     [83][tag]                    verified and switched; the board restarts
//   ERR      [84][tag][code: ASCII]
//   BOOT     [85][tag][state u8: 0 running, 1 updated, 2 rolled back][vlen][version][code: ASCII]
//
// Replay: each CAPS carries a fresh challenge (the board's session counter, then 4 bytes of
// noise), which the board keeps until the next MANIFEST; a MANIFEST must carry the challenge
// of the board's latest CAPS, and the signature covers it, so a recorded MANIFEST (and the
// chunks after it) never starts a second session. A version older than the running one (by
// versionRank) is refused unless the MANIFEST's downgrade flag is set (signed like the rest).
//
// Flow control: the pusher keeps at most `window` chunks beyond the last ACK in flight.
// Resume: after a reconnect the pusher resends its MANIFEST with the same tag; the board
// answers READY with the offset it reached, and the pusher continues from there. Chunks that
// were in flight before it reach the board before the MANIFEST or not at all, so every ACK
// after READY is for a chunk sent after it.
import { alloc, type Bytes, put, readU16BE, u32, view, writeU16BE } from "./bytes";
import { fail } from "./errors";

export const OTA_HELLO = 1;
export const OTA_MANIFEST = 2;
export const OTA_CHUNK = 3;
export const OTA_ABORT = 4;
export const OTA_CAPS = 0x81;
export const OTA_ACK = 0x82;
export const OTA_DONE = 0x83;
export const OTA_ERR = 0x84;
export const OTA_BOOT = 0x85;
export const OTA_READY = 0x86;

export const ALG_NONE = 0;
export const ALG_HMAC_SHA1 = 1;
export const ALG_HMAC_SHA256 = 2;

export const BOOT_RUNNING = 0;
export const BOOT_UPDATED = 1;
export const BOOT_ROLLED_BACK = 2;

export const CAPS_BUSY = 1;
export const CAPS_KEY = 2;

// MANIFEST flags.
export const MANIFEST_DOWNGRADE = 1;

export const CHALLENGE = 8;

export const CHUNK_HEADER = 7;
export const MIN_CHUNK = 64;
export const MAX_CHUNK = 4096;

export function otaTopic(id: string): string {
  return "pinwire/" + id + "/ota";
}
export function otaReplyTopic(id: string): string {
  return "pinwire/" + id + "/ota/r";
}
export function otaStatusTopic(id: string): string {
  return "pinwire/" + id + "/ota/s";
}

// Digest (and signature) length for an algorithm; -1 when unknown.
export function digestLength(alg: number): number {
  return alg === ALG_NONE ? 0 : alg === ALG_HMAC_SHA1 ? 20 : alg === ALG_HMAC_SHA256 ? 32 : -1;
}

export function readU32BE(b: Bytes, i: number): number {
  return u32((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]);
}

export function writeU32BE(b: Bytes, i: number, v: number): void {
  b[i] = (v >> 24) & 255;
  b[i + 1] = (v >> 16) & 255;
  b[i + 2] = (v >> 8) & 255;
  b[i + 3] = v & 255;
}

function head(type: number, tag: number, n: number): Bytes {
  const b = alloc(3 + n);
  b[0] = type;
  writeU16BE(b, 1, tag);
  return b;
}

// The message type and session tag; fails on a message too short to have them.
export function msgType(b: Bytes): number {
  if (b.length < 3) fail("ota-short");
  return b[0];
}
export function msgTag(b: Bytes): number {
  return readU16BE(b, 1);
}

// Latin-1 text (codes and versions are ASCII): one byte per char, no UTF-8 on the board path.
function asciiBytes(s: string): Bytes {
  const b = alloc(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 255;
  return b;
}
function asciiText(b: Bytes, start: number, end: number): string {
  let s = "";
  for (let i = start; i < end; i++) s += String.fromCharCode(b[i]);
  return s;
}

export interface Manifest {
  tag: number;
  size: number;
  crc: number;
  chunk: number; // data bytes per CHUNK
  health: number; // seconds the new script has to report healthy (0: board default)
  boots: number; // failed boots allowed before rollback (0: board default)
  alg: number;
  flags: number; // MANIFEST_DOWNGRADE
  challenge: Bytes; // the board's, from its CAPS (CHALLENGE bytes)
  version: string;
  digest: Bytes; // hash of the image (empty when alg is none)
  sig: Bytes; // HMAC over the signed part (empty when alg is none)
}

// Versions are printable ASCII (what the board reports and compares, no UTF-8 decoder there).
function checkVersion(b: Bytes, start: number, end: number): void {
  if (end - start > 64) fail("ota-version");
  for (let i = start; i < end; i++) if (b[i] < 32 || b[i] > 126) fail("ota-version");
}

export function encodeManifest(m: Manifest): Bytes {
  const v = asciiBytes(m.version);
  checkVersion(v, 0, v.length);
  if (v.length !== m.version.length) fail("ota-version");
  const n = digestLength(m.alg);
  if (n < 0) fail("ota-alg");
  if (m.digest.length !== n || m.sig.length !== n) fail("ota-digest");
  if (m.challenge.length !== CHALLENGE) fail("ota-challenge");
  const b = head(OTA_MANIFEST, m.tag, 24 + v.length + 2 * n);
  writeU32BE(b, 3, m.size);
  writeU32BE(b, 7, m.crc);
  writeU16BE(b, 11, m.chunk);
  writeU16BE(b, 13, m.health);
  b[15] = m.boots;
  b[16] = m.alg;
  b[17] = m.flags;
  put(b, m.challenge, 18);
  b[26] = v.length;
  put(b, v, 27);
  put(b, m.digest, 27 + v.length);
  put(b, m.sig, 27 + v.length + n);
  return b;
}

export function decodeManifest(b: Bytes): Manifest {
  if (msgType(b) !== OTA_MANIFEST || b.length < 27) fail("ota-short");
  const alg = b[16];
  const n = digestLength(alg);
  if (n < 0) fail("ota-alg");
  const d = 27 + b[26];
  if (b.length !== d + 2 * n) fail("ota-length");
  checkVersion(b, 27, d);
  const size = readU32BE(b, 3);
  const chunk = readU16BE(b, 11);
  if (!size) fail("ota-size");
  if (chunk < MIN_CHUNK || chunk > MAX_CHUNK) fail("ota-chunk");
  return {
    tag: msgTag(b),
    size: size,
    crc: readU32BE(b, 7),
    chunk: chunk,
    health: readU16BE(b, 13),
    boots: b[15],
    alg: alg,
    flags: b[17],
    challenge: view(b, 18, 26),
    version: asciiText(b, 27, d),
    digest: view(b, d, d + n),
    sig: view(b, d + n, d + 2 * n),
  };
}

// The bytes the signature covers: everything after the tag up to the end of the digest. The tag
// is left out so that a resume (same MANIFEST, same tag) and a new tag for the same challenge
// both check; the challenge inside is what ties a signature to one session.
export function signedPart(manifest: Bytes): Bytes {
  const n = digestLength(manifest[16]);
  return view(manifest, 3, manifest.length - (n > 0 ? n : 0));
}

export function encodeHello(tag: number): Bytes {
  return head(OTA_HELLO, tag, 0);
}

export function encodeAbort(tag: number): Bytes {
  return head(OTA_ABORT, tag, 0);
}

// A CHUNK of data starting at offset (data may be a view into the image).
export function encodeChunk(tag: number, offset: number, data: Bytes): Bytes {
  const b = head(OTA_CHUNK, tag, 4 + data.length);
  writeU32BE(b, 3, offset);
  put(b, data, CHUNK_HEADER);
  return b;
}

export function chunkOffset(b: Bytes): number {
  if (b.length < CHUNK_HEADER) fail("ota-short");
  return readU32BE(b, 3);
}

export function chunkData(b: Bytes): Bytes {
  return view(b, CHUNK_HEADER, b.length);
}

export interface Caps {
  tag: number;
  flags: number;
  alg: number;
  chunk: number;
  window: number;
  free: number;
  version: string;
  challenge: Bytes; // empty from a receiver older than the challenge (it ends after the version)
}

export function encodeCaps(c: Caps): Bytes {
  const v = asciiBytes(c.version);
  const b = head(OTA_CAPS, c.tag, 10 + v.length + c.challenge.length);
  b[3] = c.flags;
  b[4] = c.alg;
  writeU16BE(b, 5, c.chunk);
  b[7] = c.window;
  writeU32BE(b, 8, c.free);
  b[12] = v.length;
  put(b, v, 13);
  put(b, c.challenge, 13 + v.length);
  return b;
}

export function decodeCaps(b: Bytes): Caps {
  const e = 13 + b[12];
  if (msgType(b) !== OTA_CAPS || b.length < 13 || (b.length !== e && b.length !== e + CHALLENGE)) fail("ota-length");
  return {
    tag: msgTag(b),
    flags: b[3],
    alg: b[4],
    chunk: readU16BE(b, 5),
    window: b[7],
    free: readU32BE(b, 8),
    version: asciiText(b, 13, e),
    challenge: view(b, e, b.length),
  };
}

// The order of versions: the leading major.minor.patch numbers ("2.10.0-5c1e0f2a" is 2.10.0, up
// to 5 digits each) as one number; -1 for a version that does not start with a digit (a script
// file's "<name>-<crc>"), which is neither older nor newer than any other.
export function versionRank(v: string): number {
  const c = v.charCodeAt(0);
  if (!(c >= 48 && c <= 57)) return -1;
  const p = v.split(".");
  let r = 0;
  for (let i = 0; i < 3; i++) r = r * 1e5 + (parseInt(p[i], 10) || 0);
  return r;
}

export function encodeAck(tag: number, next: number): Bytes {
  const b = head(OTA_ACK, tag, 4);
  writeU32BE(b, 3, next);
  return b;
}

export function encodeReady(tag: number, next: number): Bytes {
  const b = encodeAck(tag, next);
  b[0] = OTA_READY;
  return b;
}

// The offset an ACK or READY carries.
export function ackOffset(b: Bytes): number {
  if (b.length !== 7) fail("ota-length");
  return readU32BE(b, 3);
}

export function encodeDone(tag: number): Bytes {
  return head(OTA_DONE, tag, 0);
}

export function encodeErr(tag: number, code: string): Bytes {
  const c = asciiBytes(code);
  const b = head(OTA_ERR, tag, c.length);
  put(b, c, 3);
  return b;
}

export function errCode(b: Bytes): string {
  return asciiText(b, 3, b.length);
}

export interface Boot {
  tag: number;
  state: number;
  version: string;
  code: string;
}

export function encodeBoot(tag: number, state: number, version: string, code: string): Bytes {
  const v = asciiBytes(version);
  const c = asciiBytes(code);
  const b = head(OTA_BOOT, tag, 2 + v.length + c.length);
  b[3] = state;
  b[4] = v.length;
  put(b, v, 5);
  put(b, c, 5 + v.length);
  return b;
}

export function decodeBoot(b: Bytes): Boot {
  if (msgType(b) !== OTA_BOOT || b.length < 5 || b.length < 5 + b[4]) fail("ota-length");
  const e = 5 + b[4];
  return { tag: msgTag(b), state: b[3], version: asciiText(b, 5, e), code: asciiText(b, e, b.length) };
}

// HMAC (RFC 2104) over any hash with a 64-byte block (SHA-1, SHA-256). The hash is injected:
// node:crypto on the host, require("crypto") on the board.
export function hmac(hash: (b: Bytes) => Bytes, key: Bytes, msg: Bytes): Bytes {
  const k = key.length > 64 ? hash(key) : key;
  const pad = alloc(64 + msg.length);
  for (let i = 0; i < 64; i++) pad[i] = (i < k.length ? k[i] : 0) ^ 0x36;
  put(pad, msg, 64);
  const inner = hash(pad);
  const outer = alloc(64 + inner.length);
  for (let i = 0; i < 64; i++) outer[i] = (i < k.length ? k[i] : 0) ^ 0x5c;
  put(outer, inner, 64);
  return hash(outer);
}

// Compares in time independent of where the first difference is.
export function sameBytes(a: Bytes, b: Bytes): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}
