import { createHmac, randomBytes } from "node:crypto";
import { crc32 as zlibCrc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { buildManifest } from "../flash/push";
import {
  ackOffset,
  ALG_HMAC_SHA1,
  ALG_HMAC_SHA256,
  ALG_NONE,
  BOOT_ROLLED_BACK,
  chunkData,
  chunkOffset,
  decodeBoot,
  decodeCaps,
  decodeManifest,
  encodeAck,
  encodeBoot,
  encodeCaps,
  encodeChunk,
  encodeErr,
  encodeManifest,
  encodeReady,
  errCode,
  hmac,
  MANIFEST_DOWNGRADE,
  msgTag,
  msgType,
  OTA_READY,
  sameBytes,
  signedPart,
  versionRank,
} from "../shared/ota";
import { createHash } from "node:crypto";
import { codeOf as code } from "./error-code";

const challenge = Uint8Array.from([0, 0, 0, 5, 1, 2, 3, 4]);

const sha256 = (b: Uint8Array) => new Uint8Array(createHash("sha256").update(b).digest());
const sha1 = (b: Uint8Array) => new Uint8Array(createHash("sha1").update(b).digest());

describe("OTA messages", () => {
  it("a manifest survives encode/decode and its signature covers everything but tag and sig", () => {
    const image = randomBytes(5000);
    const key = randomBytes(16);
    for (const alg of [ALG_HMAC_SHA1, ALG_HMAC_SHA256]) {
      const b = buildManifest(0xbeef, image, "1.2.3-rc.1", alg, 1024, { challenge, key, health: 20, boots: 4, allowDowngrade: true });
      const m = decodeManifest(b);
      expect(m).toMatchObject({ tag: 0xbeef, size: 5000, crc: zlibCrc32(image), chunk: 1024, health: 20, boots: 4, alg, flags: MANIFEST_DOWNGRADE, version: "1.2.3-rc.1" });
      expect(Buffer.from(m.challenge)).toEqual(Buffer.from(challenge));
      const h = alg === ALG_HMAC_SHA1 ? "sha1" : "sha256";
      expect(Buffer.from(m.digest)).toEqual(createHash(h).update(image).digest());
      const signed = Buffer.from(b.subarray(3, b.length - m.sig.length));
      expect(Buffer.from(signedPart(b))).toEqual(signed);
      expect(Buffer.from(m.sig)).toEqual(createHmac(h, key).update(signed).digest());
      // The signature covers the challenge and the downgrade flag: another challenge or the
      // flag cleared gives another signature; another tag for the same challenge the same one.
      const sig = (o: object) => Buffer.from(decodeManifest(buildManifest(7, image, "1.2.3-rc.1", alg, 1024, { challenge, key, health: 20, boots: 4, allowDowngrade: true, ...o })).sig);
      expect(sig({})).toEqual(Buffer.from(m.sig));
      expect(sig({ challenge: Uint8Array.from([0, 0, 0, 6, 1, 2, 3, 4]) })).not.toEqual(Buffer.from(m.sig));
      expect(sig({ allowDowngrade: false })).not.toEqual(Buffer.from(m.sig));
    }
    const unsigned = decodeManifest(buildManifest(1, image, "x", ALG_HMAC_SHA256, 512, { challenge }));
    expect(unsigned.flags).toBe(0);
    expect(unsigned.alg).toBe(ALG_NONE);
    expect(unsigned.sig.length).toBe(0);
  });

  it("malformed manifests fail with their codes", () => {
    const b = buildManifest(1, randomBytes(100), "v", ALG_HMAC_SHA256, 512, { challenge, key: randomBytes(8) });
    expect(code(() => decodeManifest(b.subarray(0, 10)))).toBe("ota-short");
    expect(code(() => decodeManifest(b.subarray(0, b.length - 1)))).toBe("ota-length");
    const alg = Uint8Array.from(b);
    alg[16] = 9;
    expect(code(() => decodeManifest(alg))).toBe("ota-alg");
    const chunk = encodeManifest({ ...decodeManifest(b), chunk: 10 });
    expect(code(() => decodeManifest(chunk))).toBe("ota-chunk");
    const empty = encodeManifest({ ...decodeManifest(b), size: 0 });
    expect(code(() => decodeManifest(empty))).toBe("ota-size");
    const notAscii = Uint8Array.from(b);
    notAscii[27] = 0xe9;
    expect(code(() => decodeManifest(notAscii))).toBe("ota-version");
    expect(code(() => encodeManifest({ ...decodeManifest(b), version: "v\u00e9" }))).toBe("ota-version");
    expect(code(() => encodeManifest({ ...decodeManifest(b), version: "x".repeat(65) }))).toBe("ota-version");
    expect(code(() => encodeManifest({ ...decodeManifest(b), challenge: new Uint8Array(4) }))).toBe("ota-challenge");
    expect(code(() => msgType(new Uint8Array(2)))).toBe("ota-short");
  });

  it("chunks carry raw bytes after a 7-byte header", () => {
    const data = randomBytes(2048);
    const c = encodeChunk(0x1234, 0x01020304, data);
    expect(c.length).toBe(2048 + 7);
    expect(msgTag(c)).toBe(0x1234);
    expect(chunkOffset(c)).toBe(0x01020304);
    expect(Buffer.from(chunkData(c))).toEqual(data);
  });

  it("board replies round-trip", () => {
    const caps = { tag: 9, flags: 3, alg: ALG_HMAC_SHA1, chunk: 1024, window: 2, free: 3_000_000_000, version: "0.1.0", challenge };
    const back = decodeCaps(encodeCaps(caps));
    expect({ ...back, challenge: Buffer.from(back.challenge) }).toEqual({ ...caps, challenge: Buffer.from(challenge) });
    // A receiver from before the challenge ends its CAPS after the version.
    expect(decodeCaps(encodeCaps({ ...caps, challenge: new Uint8Array(0) })).challenge.length).toBe(0);
    expect(code(() => decodeCaps(encodeCaps({ ...caps, challenge: new Uint8Array(3) })))).toBe("ota-length");
    expect(ackOffset(encodeAck(9, 4_000_000_000))).toBe(4_000_000_000);
    const r = encodeReady(9, 2048);
    expect(msgType(r)).toBe(OTA_READY);
    expect(ackOffset(r)).toBe(2048);
    expect(errCode(encodeErr(9, "busy"))).toBe("busy");
    expect(decodeBoot(encodeBoot(5, BOOT_ROLLED_BACK, "0.1.0", "throw"))).toEqual({ tag: 5, state: BOOT_ROLLED_BACK, version: "0.1.0", code: "throw" });
    expect(code(() => decodeBoot(new Uint8Array([0x85, 0, 1, 0, 9])))).toBe("ota-length");
  });

  it("orders versions by their leading major.minor.patch; a version without one has no order", () => {
    const order = ["0.1.0", "0.9.9-ffffffff", "1.0.0", "1.0.1-rc.1", "1.2", "1.10.0", "2", "10.0.0"];
    for (let i = 1; i < order.length; i++) expect(versionRank(order[i])).toBeGreaterThan(versionRank(order[i - 1]));
    expect(versionRank("1.0.0-5c1e0f2a")).toBe(versionRank("1.0.0-00000000"));
    expect(versionRank("1.2.0")).toBe(versionRank("1.2"));
    for (const v of ["", "blink-5c1e0f2a", "v1.0.0", "t1"]) expect(versionRank(v)).toBe(-1);
  });

  it("hmac equals node's HMAC for short, block-sized and long keys", () => {
    for (const n of [0, 1, 20, 63, 64, 65, 200]) {
      const key = randomBytes(n);
      const msg = randomBytes(n * 3 + 1);
      expect(Buffer.from(hmac(sha256, key, msg))).toEqual(createHmac("sha256", key).update(msg).digest());
      expect(Buffer.from(hmac(sha1, key, msg))).toEqual(createHmac("sha1", key).update(msg).digest());
    }
    expect(sameBytes(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
    expect(sameBytes(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(false);
    expect(sameBytes(new Uint8Array([1]), new Uint8Array([1, 2]))).toBe(false);
  });
});
