// Follows boards on the broker for `pinwire logs` and `pinwire run`: each line of a board's log
// (pinwire/<id>/log: console output, uncaught errors, boot failures and rollbacks in the
// board's own words), and what changes about it: online/offline (status), the script it runs
// and how its last update went (the OTA status ota/s), its app and script (info). One line per
// event, time-stamped, the board's id in brackets; events other than log lines after "--".
import type { MqttClient } from "mqtt";
import { BOOT_ROLLED_BACK, BOOT_UPDATED, decodeBoot } from "../../shared/ota";
import { OUTCOME_TEXT } from "../../flash/outcome-text";
import { releaseTopics, useTopics } from "../../flash/push";

export interface FollowEvent {
  id: string;
  kind: "log" | "status" | "ota" | "info";
  text: string;
}

function clock(d = new Date()): string {
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return p(d.getHours()) + ":" + p(d.getMinutes()) + ":" + p(d.getSeconds()) + "." + p(d.getMilliseconds(), 3);
}

export function formatEvent(e: FollowEvent, at = new Date()): string {
  return clock(at) + " [" + e.id + "] " + (e.kind === "log" ? "" : "-- ") + e.text;
}

// What an OTA status message says, for a person.
export function otaText(payload: Buffer): string | null {
  let b;
  try {
    b = decodeBoot(new Uint8Array(payload.buffer, payload.byteOffset, payload.length));
  } catch {
    return null;
  }
  if (b.state === BOOT_UPDATED) return "updated: runs script " + b.version;
  if (b.state === BOOT_ROLLED_BACK) return (OUTCOME_TEXT[b.code] ?? "rolled back (" + b.code + ")") + "; runs script " + (b.version || "(the previous one)");
  return "runs script " + (b.version || "(as flashed)");
}

// What a board's info says: the app and script it runs (the part that identifies it) and its
// free memory.
function infoText(payload: Buffer): { what: string; mem: string } | null {
  try {
    const i = JSON.parse(payload.toString("utf8"));
    const mem = i.memory && typeof i.memory.free === "number" ? ", " + i.memory.free + " of " + i.memory.total + " JsVars free" : "";
    return { what: (i.board ?? "board") + " running " + (i.app ? i.app + " " + i.version : "a script without a catalogue") + (i.script ? ", script " + i.script : ""), mem };
  } catch {
    return null;
  }
}

export interface Follower {
  stop(): Promise<void>;
}

// Follows one board (or every board, id "+") until stop(). Retained messages (the state when
// following starts) come first, as events like any other.
export async function follow(client: MqttClient, id: string, on: (e: FollowEvent) => void): Promise<Follower> {
  const base = "pinwire/" + id + "/";
  const topics = ["log", "status", "ota/s", "info"].map((t) => base + t);
  const last = new Map<string, string>();
  const onMessage = (topic: string, payload: Buffer) => {
    const m = /^pinwire\/([^/]+)\/(log|status|ota\/s|info)$/.exec(topic);
    if (!m || (id !== "+" && m[1] !== id)) return;
    const dev = m[1];
    let e: FollowEvent | null = null;
    let key = "";
    if (m[2] === "log") e = { id: dev, kind: "log", text: payload.toString("utf8").replace(/\r?\n$/, "") };
    else if (m[2] === "status") e = payload.length ? { id: dev, kind: "status", text: payload.toString("utf8") } : null;
    else if (m[2] === "ota/s") {
      const t = payload.length ? otaText(payload) : null;
      e = t ? { id: dev, kind: "ota", text: t } : null;
    } else {
      const t = payload.length ? infoText(payload) : null;
      e = t ? { id: dev, kind: "info", text: t.what + t.mem } : null;
      key = t ? t.what : "";
    }
    if (!e) return;
    // The board re-announces status and info on every connection: say only what changed.
    if (e.kind !== "log") {
      const k = dev + " " + e.kind;
      const v = key || e.text;
      if (last.get(k) === v) return;
      last.set(k, v);
    }
    on(e);
  };
  client.on("message", onMessage);
  // Shared with the pushes on the same client, which subscribe the log and status too.
  await useTopics(client, topics);
  return {
    async stop() {
      client.removeListener("message", onMessage);
      if (client.connected) releaseTopics(client, topics);
    },
  };
}
