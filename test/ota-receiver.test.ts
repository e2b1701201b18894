// The board's OTA receiver spoken to message by message (real esp8266 bundle on the virtual
// board, Aedes): the CAPS it announces, READY/ACK offsets, an out-of-order chunk, ABORT, and
// a malformed message answered with its code instead of a crash.
import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildManifest } from "../flash/push";
import {
  ackOffset,
  ALG_HMAC_SHA1,
  BOOT_RUNNING,
  decodeCaps,
  encodeAbort,
  encodeChunk,
  encodeHello,
  errCode,
  msgTag,
  msgType,
  OTA_ACK,
  OTA_CAPS,
  OTA_ERR,
  OTA_READY,
  otaReplyTopic,
  otaTopic,
} from "../shared/ota";
import { type Board, bootStatus, type Broker, flashedBoard, hostClient, startBroker } from "./ota-rig";
import type { ManifestOptions } from "../flash/push";

let broker: Broker;
let host: MqttClient;
let b: Board;
const replies: Uint8Array[] = [];
let waiters: (() => void)[] = [];

beforeAll(async () => {
  broker = await startBroker();
  host = await hostClient(broker.url);
  b = await flashedBoard("rx1", broker.port, "esp8266");
  const up = bootStatus(host, "rx1", (s) => s.state === BOOT_RUNNING);
  await b.vb.boot();
  await up;
  host.on("message", (t, p) => {
    if (t !== otaReplyTopic("rx1")) return;
    replies.push(new Uint8Array(p));
    for (const w of waiters.splice(0)) w();
  });
  await host.subscribeAsync(otaReplyTopic("rx1"));
});

afterAll(async () => {
  await host.endAsync(true);
  await b.close();
  await broker.close();
});

// Sends one message and resolves with the board's next reply for that tag.
function ask(msg: Uint8Array): Promise<Uint8Array> {
  const tag = msgTag(msg);
  const from = replies.length;
  return new Promise((resolve) => {
    const check = () => {
      const r = replies.slice(from).find((x) => msgTag(x) === tag);
      if (r) resolve(r);
      else waiters.push(check);
    };
    waiters.push(check);
    host.publish(otaTopic("rx1"), Buffer.from(msg));
  });
}

// A MANIFEST for `tag` with the challenge of the board's answer to a HELLO of that tag.
async function manifest(tag: number, image: Uint8Array, version: string, alg: number, chunk: number, o: Partial<ManifestOptions> = {}): Promise<Uint8Array> {
  const caps = await ask(encodeHello(tag));
  return buildManifest(tag, image, version, alg, chunk, { challenge: decodeCaps(caps).challenge, ...o });
}

describe("OTA receiver on the virtual ESP8266", () => {
  it("announces its capabilities", async () => {
    const r = await ask(encodeHello(11));
    expect(msgType(r)).toBe(OTA_CAPS);
    const c = decodeCaps(r);
    expect(c).toMatchObject({ tag: 11, flags: 0, alg: ALG_HMAC_SHA1, chunk: 512, window: 1, version: "0.1.0" });
    expect(c.challenge.length).toBe(8);
    expect(c.free).toBeGreaterThan(20000);
    expect(c.free).toBeLessThan(65536);
  });

  it("writes in order, points back at the gap after an out-of-order chunk, and forgets an aborted push", async () => {
    const image = Buffer.alloc(3000, 0x61);
    const first = await manifest(21, image, "t1", ALG_HMAC_SHA1, 512);
    const ready = await ask(first);
    expect([msgType(ready), ackOffset(ready)]).toEqual([OTA_READY, 0]);
    let a = await ask(encodeChunk(21, 0, image.subarray(0, 512)));
    expect([msgType(a), ackOffset(a)]).toEqual([OTA_ACK, 512]);
    a = await ask(encodeChunk(21, 2048, image.subarray(2048, 3000)));
    expect([msgType(a), ackOffset(a)]).toEqual([OTA_ACK, 512]);
    // Meanwhile the board is busy for anyone else, and the same push resumes where it was.
    const other = await ask(await manifest(22, image, "t2", ALG_HMAC_SHA1, 512));
    expect([msgType(other), errCode(other)]).toEqual([OTA_ERR, "busy"]);
    const resumed = await ask(first);
    expect([msgType(resumed), ackOffset(resumed)]).toEqual([OTA_READY, 512]);
    host.publish(otaTopic("rx1"), Buffer.from(encodeAbort(21)));
    // After the abort the board takes a new push at once, and the partial slot is gone.
    const fresh = await ask(await manifest(23, image, "t3", ALG_HMAC_SHA1, 512));
    expect([msgType(fresh), ackOffset(fresh)]).toEqual([OTA_READY, 0]);
    // A chunk larger than the board's buffer is refused and ends the session.
    const big = await ask(encodeChunk(23, 0, Buffer.alloc(1500, 1)));
    expect([msgType(big), errCode(big)]).toEqual([OTA_ERR, "size"]);
    expect(b.vb.storage.read("pw.b")).toBeUndefined();
    expect(JSON.parse(b.vb.storage.read("pw.st")!.toString())).toMatchObject({ c: "pw.a", v: "0.1.0" });
  });

  it("starts a session only with the challenge of its latest CAPS, once; its counter of sessions never goes back", async () => {
    const image = Buffer.alloc(2000, 0x62);
    const counter = (c: Uint8Array) => Buffer.from(c).readUInt32LE(0);
    // Without asking first (any challenge): refused.
    expect(errCode(await ask(buildManifest(41, image, "c1", ALG_HMAC_SHA1, 512, { challenge: new Uint8Array(8) })))).toBe("challenge");
    // A newer HELLO's challenge replaces the older one.
    const older = await manifest(42, image, "c1", ALG_HMAC_SHA1, 512);
    const c1 = decodeCaps(await ask(encodeHello(43))).challenge;
    expect(errCode(await ask(older))).toBe("challenge");
    const m = buildManifest(43, image, "c1", ALG_HMAC_SHA1, 512, { challenge: c1 });
    expect(msgType(await ask(m))).toBe(OTA_READY);
    host.publish(otaTopic("rx1"), Buffer.from(encodeAbort(43)));
    // Used up: the same MANIFEST under another tag is refused.
    m[1] = 0;
    m[2] = 44;
    expect(errCode(await ask(m))).toBe("challenge");
    // The session counter (first 4 bytes, little-endian) moved on with the session begun, and is kept in
    // Storage: after a restart the next challenge counts on from there.
    const c2 = decodeCaps(await ask(encodeHello(45))).challenge;
    expect(counter(c2)).toBe(counter(c1) + 1);
    expect(Buffer.from(c2.subarray(4))).not.toEqual(Buffer.from(c1.subarray(4)));
    const up = bootStatus(host, "rx1", (s) => s.state === BOOT_RUNNING);
    await b.vb.reset();
    await up;
    const c3 = decodeCaps(await ask(encodeHello(46))).challenge;
    expect(counter(c3)).toBe(counter(c1) + 1);
    expect(errCode(await ask(buildManifest(47, image, "c1", ALG_HMAC_SHA1, 512, { challenge: c2 })))).toBe("challenge");
  });

  it("answers malformed messages with a code and keeps running", async () => {
    const short = await ask(new Uint8Array([2, 0, 31, 0, 0]));
    expect([msgType(short), errCode(short)]).toEqual([OTA_ERR, "ota-short"]);
    const unknown = await ask(new Uint8Array([9, 0, 32]));
    expect(errCode(unknown)).toBe("type");
    const chunkless = await ask(encodeChunk(33, 0, Buffer.alloc(10)));
    expect(errCode(chunkless)).toBe("session");
    const tooBigChunk = await manifest(34, Buffer.alloc(5000), "x", ALG_HMAC_SHA1, 2048);
    expect(errCode(await ask(tooBigChunk))).toBe("chunk");
    expect(msgType(await ask(encodeHello(35)))).toBe(OTA_CAPS);
  });
});
