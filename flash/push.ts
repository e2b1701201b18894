// The host side of OTA script push (protocol: shared/ota.ts) for one device over a shared
// mqtt.js connection, so `--all` runs one session per device on one socket. Chunks go out as
// raw binary payloads with at most `window` chunks beyond the board's last ACK. When the
// board or the host drops off the broker, the pusher stops, and on the next sign of life
// (its own reconnect, the board's status, or the retry timer) resends the MANIFEST with the
// same tag; the board answers with the offset it reached and the push carries on from there.
import { createHash, randomInt } from "node:crypto";
import type { MqttClient } from "mqtt";
import { crc32 } from "../shared/crc32";
import {
  ALG_HMAC_SHA1,
  ALG_HMAC_SHA256,
  ALG_NONE,
  BOOT_ROLLED_BACK,
  BOOT_UPDATED,
  CAPS_BUSY,
  type Caps,
  CHALLENGE,
  decodeBoot,
  decodeCaps,
  digestLength,
  encodeAbort,
  encodeChunk,
  encodeHello,
  encodeManifest,
  errCode,
  hmac,
  MANIFEST_DOWNGRADE,
  type Manifest,
  msgTag,
  msgType,
  OTA_ACK,
  OTA_BOOT,
  OTA_CAPS,
  OTA_DONE,
  OTA_ERR,
  OTA_READY,
  otaReplyTopic,
  otaStatusTopic,
  otaTopic,
  ackOffset,
  signedPart,
} from "../shared/ota";

// installed: verified and switched, the board is restarting (only with waitBoot: false).
export type Outcome = "updated" | "installed" | "rolled-back" | "refused" | "failed";

export interface PushResult {
  id: string;
  outcome: Outcome;
  code?: string; // why it was refused, failed or rolled back
  error?: string; // after a rollback: the error the new script threw, as the board logged it
  version?: string; // what the board runs at the end
  size: number;
  payloadBytes: number; // OTA payload bytes published (chunks, manifests, hellos)
  ms: number; // hello to the board's boot report (or to the failure)
  resumes: number;
}

export interface PushOptions {
  id: string;
  image: Uint8Array;
  version: string;
  key?: Uint8Array; // the device's OTA key: the image is signed with the board's algorithm
  // Install a version older than the one the board runs (refused without it: "downgrade"). The
  // flag is part of the signed MANIFEST.
  allowDowngrade?: boolean;
  health?: number; // seconds the new script gets to connect before rollback (board default 30)
  boots?: number; // failed boots allowed before rollback (board default 3)
  maxChunk?: number; // cap on the board's chunk size
  replyMs?: number; // no CAPS within this: the device is not there (default 5000)
  retryMs?: number; // no ACK within this while sending: probe with the MANIFEST (default 1000)
  stallMs?: number; // no progress within this: give up (default 60000)
  bootMs?: number; // no boot report within this after DONE: give up (default health*boots+30 s)
  waitBoot?: boolean; // wait for the board's boot report (default true)
  onProgress?: (done: number, total: number) => void;
  onPhase?: (phase: string) => void;
  // Aborted (Ctrl-C, SIGTERM): the board is sent ABORT for this session, so it drops the
  // half-written image and takes the next push at once; the result is "failed", "interrupted".
  signal?: AbortSignal;
}

// A MANIFEST refused for its challenge (the board restarted since its CAPS and forgot it, or
// answered a second HELLO meanwhile) is retried with a fresh HELLO this many times.
const CHALLENGE_RETRIES = 3;

// How long an interrupted push waits for the broker to take its ABORT (PUBACK) before the
// process goes anyway.
const ABORT_ACK_MS = 2000;
// After a rollback report, how long to wait for the board's log line that gives the reason in
// its own words (device/ota/attach.ts otaUp logs it when the old script connects; the board's
// log limiter may hold it for a tick or two behind the report).
const ROLLBACK_LOG_MS = 2000;

// The line the board logs after a rollback: "pinwire: rolled back from <v> (<code>)[: <error>]".
const ROLLED_BACK_LINE = /^pinwire: rolled back from (.*) \(([a-z-]+)\)(?:: ([\s\S]*))?$/;

export function rollbackError(line: string): { version: string; code: string; error?: string } | null {
  const m = ROLLED_BACK_LINE.exec(line.trim());
  return m ? { version: m[1], code: m[2], error: m[3] } : null;
}

function sha(alg: number, b: Uint8Array): Uint8Array {
  return new Uint8Array(
    createHash(alg === ALG_HMAC_SHA1 ? "sha1" : "sha256")
      .update(b)
      .digest(),
  );
}

export interface ManifestOptions {
  challenge: Uint8Array; // from the board's CAPS
  key?: Uint8Array;
  health?: number;
  boots?: number;
  allowDowngrade?: boolean;
}

// The MANIFEST for an image, for the session the board's challenge names: digest and HMAC only
// when a key is given.
export function buildManifest(tag: number, image: Uint8Array, version: string, alg: number, chunk: number, o: ManifestOptions): Uint8Array {
  const key = o.key;
  const use = key ? alg : ALG_NONE;
  const n = digestLength(use);
  const m: Manifest = {
    tag,
    size: image.length,
    crc: crc32(image),
    chunk,
    health: o.health ?? 0,
    boots: o.boots ?? 0,
    alg: use,
    flags: o.allowDowngrade ? MANIFEST_DOWNGRADE : 0,
    challenge: o.challenge,
    version,
    digest: n ? sha(use, image) : new Uint8Array(0),
    sig: new Uint8Array(n),
  };
  const b = encodeManifest(m);
  if (key && n) {
    const s = hmac((x) => sha(use, x), key, signedPart(b));
    b.set(s, b.length - n);
  }
  return b;
}

// Several pushes may share a client (and a device's topics, when a second push is refused), and
// so may a follower of the device's log (host/app/follow.ts):
// a topic is unsubscribed only when its last user is done, and a new user waits for a pending
// UNSUBSCRIBE first (a broker may complete the two out of order and drop the new one).
const users = new WeakMap<MqttClient, Map<string, number>>();
const leaving = new WeakMap<MqttClient, Map<string, Promise<void>>>();

export async function useTopics(client: MqttClient, topics: string[]): Promise<void> {
  let m = users.get(client);
  if (!m) users.set(client, (m = new Map()));
  for (const t of topics) m.set(t, (m.get(t) ?? 0) + 1);
  const pending = leaving.get(client);
  await Promise.all(topics.map((t) => pending?.get(t)));
  await client.subscribeAsync(topics, { qos: 0 });
}

export function releaseTopics(client: MqttClient, topics: string[]): void {
  const m = users.get(client);
  const done = topics.filter((t) => {
    const n = (m?.get(t) ?? 1) - 1;
    if (n > 0) m!.set(t, n);
    else m?.delete(t);
    return n <= 0;
  });
  if (!done.length) return;
  let pending = leaving.get(client);
  if (!pending) leaving.set(client, (pending = new Map()));
  const p = client.unsubscribeAsync(done).then(
    () => {},
    () => {},
  );
  for (const t of done) pending.set(t, p);
  void p.then(() => {
    for (const t of done) if (pending!.get(t) === p) pending!.delete(t);
  });
}

// Flow control waits on small ACKs: with Nagle's algorithm on, each could sit 40 ms behind
// the peer's delayed ACK.
function noDelay(client: MqttClient): void {
  (client.stream as { setNoDelay?: (on: boolean) => void } | undefined)?.setNoDelay?.(true);
}

function buf(b: Uint8Array): Buffer {
  return Buffer.from(b.buffer, b.byteOffset, b.length);
}

export function pushScript(client: MqttClient, o: PushOptions): Promise<PushResult> {
  return new Promise((resolve) => {
    const tag = randomInt(1, 65536);
    const t0 = Date.now();
    const down = otaTopic(o.id);
    const replies = otaReplyTopic(o.id);
    const status = otaStatusTopic(o.id);
    const alive = "pinwire/" + o.id + "/status";
    const log = "pinwire/" + o.id + "/log";
    const size = o.image.length;
    let phase = "hello";
    let manifest: Uint8Array | null = null;
    let chunk = 0;
    let window = 1;
    let acked = 0;
    let sent = 0; // next offset to send
    let ends: number[] = []; // ends of chunks in flight, in order
    let rewound = -1;
    let payloadBytes = 0;
    let resumes = 0;
    let hellos = 0;
    let version: string | undefined;
    let retry: NodeJS.Timeout | undefined;
    let stall: NodeJS.Timeout | undefined;
    let settled = false;
    // The rollback's reason as the board logged it, and the rollback waiting for it.
    let boardError: string | undefined;
    let logged = false;
    let rolledBack: { code: string; timer: NodeJS.Timeout } | null = null;

    const publish = (topic: string, b: Uint8Array) => {
      payloadBytes += b.length;
      client.publish(topic, buf(b), { qos: 0 });
    };
    const phaseTo = (p: string) => {
      phase = p;
      o.onPhase?.(p);
    };
    const finish = (outcome: Outcome, code?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(retry);
      clearTimeout(stall);
      if (rolledBack) clearTimeout(rolledBack.timer);
      client.removeListener("message", onMessage);
      client.removeListener("connect", onConnect);
      client.removeListener("close", onClose);
      o.signal?.removeEventListener("abort", interrupt);
      releaseTopics(client, [replies, status, alive, log]);
      resolve({ id: o.id, outcome, code, ...(boardError ? { error: boardError } : {}), version, size, payloadBytes, ms: Date.now() - t0, resumes });
    };
    const fail = (code: string) => {
      if (manifest && (phase === "send" || phase === "manifest")) publish(down, encodeAbort(tag));
      finish("failed", code);
    };
    // The user stopped the push. Once the board has a session (MANIFEST sent), it gets an
    // ABORT at QoS 1, and the push ends when the broker has it (or after ABORT_ACK_MS).
    const interrupt = () => {
      if (settled) return;
      if (!manifest || (phase !== "manifest" && phase !== "send" && phase !== "verify")) return finish("failed", "interrupted");
      phaseTo("abort");
      clearTimeout(retry);
      clearTimeout(stall);
      const done = () => finish("failed", "interrupted");
      const limit = setTimeout(done, ABORT_ACK_MS);
      payloadBytes += 3;
      client.publish(down, buf(encodeAbort(tag)), { qos: 1 }, () => {
        clearTimeout(limit);
        done();
      });
    };
    // No progress for stallMs: give up. Re-armed on every sign of progress.
    const progress = (ms = o.stallMs ?? 60000, code = "timeout") => {
      clearTimeout(stall);
      stall = setTimeout(() => fail(code), ms);
    };
    const armRetry = () => {
      clearTimeout(retry);
      retry = setTimeout(probe, o.retryMs ?? 1000);
    };
    // Ask the board where it got to (it answers ACK with its offset): after a reconnect, or
    // when ACKs stopped coming.
    const probe = () => {
      if (settled || !manifest || (phase !== "send" && phase !== "manifest")) return;
      if (client.connected) {
        if (phase === "send") resumes++;
        if (phase !== "manifest") phaseTo("manifest");
        ends = [];
        publish(down, manifest);
      }
      armRetry();
    };
    const pump = () => {
      while (phase === "send" && client.connected && sent < size && sent - acked < window * chunk) {
        const end = Math.min(size, sent + chunk);
        publish(down, encodeChunk(tag, sent, o.image.subarray(sent, end)));
        ends.push(end);
        sent = end;
      }
      armRetry();
    };
    const caps = (c: Caps) => {
      if (c.flags & CAPS_BUSY) return finish("refused", "busy");
      if (size > c.free) return finish("refused", "space");
      if (c.alg !== ALG_HMAC_SHA1 && c.alg !== ALG_HMAC_SHA256) return finish("refused", "alg");
      // A pw.ota from before the challenge cannot be pushed to safely (nor at all: it cannot
      // read this MANIFEST); `pinwire flash` updates it.
      if (c.challenge.length !== CHALLENGE) return finish("refused", "old-receiver");
      version = c.version;
      chunk = Math.min(c.chunk, o.maxChunk ?? c.chunk);
      window = Math.max(1, c.window);
      manifest = buildManifest(tag, o.image, o.version, c.alg, chunk, { challenge: c.challenge, key: o.key, health: o.health, boots: o.boots, allowDowngrade: o.allowDowngrade });
      phase = "manifest";
      o.onPhase?.(phase);
      probe();
      progress();
    };
    // READY answers a MANIFEST: send from n (0, or where a resumed push got to).
    const ready = (n: number) => {
      if (phase !== "manifest" && phase !== "send") return;
      phaseTo("send");
      acked = sent = n;
      ends = [];
      rewound = -1;
      advanced();
    };
    const ack = (n: number) => {
      if (phase !== "send") return;
      if (ends.length && ends[0] === n) ends.shift();
      else if (n === rewound || n > sent || n < acked) return;
      else {
        // The board expected n: a chunk went missing. Go back there, once per gap.
        rewound = n;
        ends = [];
        sent = n;
      }
      acked = n;
      advanced();
    };
    const advanced = () => {
      progress();
      o.onProgress?.(acked, size);
      if (acked >= size) {
        clearTimeout(retry);
        phaseTo("verify");
      } else pump();
    };
    const onMessage = (topic: string, payload: Buffer) => {
      if (settled) return;
      if (topic === log) {
        // Once the new script is in, the board's log says why a rollback happened.
        const r = phase === "boot" || phase === "verify" ? rollbackError(payload.toString("utf8")) : null;
        if (r) {
          boardError = r.error;
          logged = true;
          if (rolledBack) finish("rolled-back", rolledBack.code);
        }
        return;
      }
      if (topic === alive) {
        // The board is (back) on the broker: resume at once rather than at the next retry.
        if (phase === "send" && ends.length) probe();
        return;
      }
      if (topic !== replies && topic !== status) return;
      const b = new Uint8Array(payload.buffer, payload.byteOffset, payload.length);
      let type: number;
      try {
        type = msgType(b);
        if (msgTag(b) !== tag) return;
        if (type === OTA_CAPS && phase === "hello") caps(decodeCaps(b));
        else if (type === OTA_READY) ready(ackOffset(b));
        else if (type === OTA_ACK) ack(ackOffset(b));
        else if (type === OTA_ERR) {
          const code = errCode(b);
          // (In "hello": the answer to a MANIFEST sent before the new HELLO; its CAPS follows.)
          if (code === "challenge" && phase === "hello") return;
          if (code === "challenge" && (phase === "manifest" || phase === "send") && hellos++ < CHALLENGE_RETRIES) {
            // Ask again: the next CAPS carries the challenge the board holds now.
            clearTimeout(retry);
            manifest = null;
            ends = [];
            phaseTo("hello");
            publish(down, encodeHello(tag));
            return;
          }
          finish(phase === "hello" || phase === "manifest" ? "refused" : "failed", code);
        } else if (type === OTA_DONE && (phase === "verify" || phase === "send")) {
          o.onProgress?.(size, size);
          if (o.waitBoot === false) return finish("installed");
          phaseTo("boot");
          clearTimeout(retry);
          const h = o.health ?? 30;
          progress(o.bootMs ?? (h * (o.boots ?? 3) + 30) * 1000, "no-boot-report");
        } else if (type === OTA_BOOT && topic === status && (phase === "boot" || phase === "verify")) {
          // (In "verify" too: a DONE lost to a disconnect is followed by the boot report.)
          const r = decodeBoot(b);
          version = r.version;
          if (r.state === BOOT_UPDATED) finish("updated");
          else if (r.state === BOOT_ROLLED_BACK && !rolledBack) {
            // The board's own words for it come on its log: wait for them a little.
            if (logged) return finish("rolled-back", r.code);
            rolledBack = { code: r.code, timer: setTimeout(() => finish("rolled-back", r.code), ROLLBACK_LOG_MS) };
          }
        }
      } catch (e: any) {
        // A malformed reply is the board's bug; keep waiting for a good one.
      }
    };
    const onConnect = () => {
      noDelay(client);
      if (phase === "hello") publish(down, encodeHello(tag));
      else probe();
    };
    const onClose = () => {
      // Whatever was in flight is lost with the socket; the probe on reconnect resyncs.
      ends = [];
    };

    if (o.signal?.aborted) return finish("failed", "interrupted");
    o.signal?.addEventListener("abort", interrupt);
    noDelay(client);
    client.on("message", onMessage);
    client.on("connect", onConnect);
    client.on("close", onClose);
    o.onPhase?.("hello");
    useTopics(client, [replies, status, alive, log]).then(
      () => {
        if (settled) return;
        progress(o.replyMs ?? 5000, "no-reply");
        if (client.connected) publish(down, encodeHello(tag));
      },
      () => fail("subscribe"),
    );
  });
}
