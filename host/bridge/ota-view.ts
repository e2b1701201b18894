// A device's over-the-air update as a person wants to see it (docs/flashing.md has the
// protocol): what runs now, a push in progress with its progress, and how the last one ended.
// Read from the protocol's own topics, so every bridge sees every push, whoever sent it:
//   pinwire/<id>/ota    the pusher's MANIFEST (version, size), ABORT; chunks are skipped
//   pinwire/<id>/ota/r  the board's READY/ACK (bytes written), DONE, ERR
//   pinwire/<id>/ota/s  the board's retained BOOT report (running, updated, rolled back)
import {
  ackOffset,
  BOOT_ROLLED_BACK,
  BOOT_RUNNING,
  BOOT_UPDATED,
  decodeBoot,
  decodeManifest,
  errCode,
  msgTag,
  msgType,
  OTA_ABORT,
  OTA_ACK,
  OTA_BOOT,
  OTA_CHUNK,
  OTA_DONE,
  OTA_ERR,
  OTA_MANIFEST,
  OTA_READY,
} from "../../shared/ota";
import { OUTCOME_TEXT } from "../../flash/outcome-text";

export interface OtaView {
  // idle: no push under way; sending: chunks going out; restarting: verified, the board
  // restarts into the new script and reports how that went.
  state: "idle" | "sending" | "restarting";
  running: string | null; // the script version the board last reported running (BOOT)
  push: { version: string; size: number; done: number; tag: number } | null;
  last: { ok: boolean; text: string; at: string } | null;
}

export function emptyOta(): OtaView {
  return { state: "idle", running: null, push: null, last: null };
}

function outcome(code: string, fallback: string): string {
  return OUTCOME_TEXT[code] ?? fallback + (code ? " (" + code + ")" : "");
}

// Applies one message of the OTA topics; returns false when it changes nothing shown
// (a chunk, another session's reply, a malformed message).
export function applyOta(v: OtaView, rest: string, b: Uint8Array, now: number): boolean {
  if (b.length < 3) return false;
  const type = b[0];
  if (type === OTA_CHUNK) return false; // the hot path: the image passing by
  try {
    const at = new Date(now).toISOString();
    if (rest === "ota") {
      if (type === OTA_MANIFEST) {
        const m = decodeManifest(b);
        v.push = { version: m.version, size: m.size, done: 0, tag: m.tag };
        v.state = "sending";
        return true;
      }
      if (type === OTA_ABORT && v.push && v.push.tag === msgTag(b) && v.state === "sending") {
        v.state = "idle";
        v.last = { ok: false, text: OUTCOME_TEXT.interrupted, at };
        return true;
      }
      return false;
    }
    if (rest === "ota/r") {
      if (!v.push || v.push.tag !== msgTag(b)) return false;
      if (type === OTA_READY || type === OTA_ACK) {
        const done = Math.min(ackOffset(b), v.push.size);
        if (done === v.push.done) return false;
        v.push.done = done;
        return true;
      }
      if (type === OTA_DONE) {
        v.push.done = v.push.size;
        v.state = "restarting";
        return true;
      }
      if (type === OTA_ERR) {
        v.state = "idle";
        v.last = { ok: false, text: outcome(errCode(b), "failed"), at };
        return true;
      }
      return false;
    }
    if (rest === "ota/s" && msgType(b) === OTA_BOOT) {
      // The caller passes a BOOT report only when it differs from the last one (it is
      // retained: every resubscription brings it back).
      const r = decodeBoot(b);
      v.running = r.version;
      if (r.state === BOOT_UPDATED) v.last = { ok: true, text: "updated to " + r.version, at };
      else if (r.state === BOOT_ROLLED_BACK) v.last = { ok: false, text: outcome(r.code, "rolled back") + "; running " + r.version, at };
      if (v.state === "restarting" || r.state !== BOOT_RUNNING) v.state = "idle";
      return true;
    }
  } catch {
    return false;
  }
  return false;
}
