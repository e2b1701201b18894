// The pure SHA-1 fallback and the base64 encoder against node:crypto and Buffer.
import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { base64 } from "../shared/base64";
import { toHex } from "../shared/bytes";
import { sha1 } from "../shared/sha1";
import { acceptKey } from "../shared/ws/handshake";

const nodeSha1 = (b: Uint8Array) => createHash("sha1").update(b).digest("hex");

describe("sha1 fallback", () => {
  it("matches node:crypto on every length around the 64-byte block edges", () => {
    // 55/56 and 119/120 decide whether the length field needs one more block.
    for (let n = 0; n <= 200; n++) {
      const b = randomBytes(n);
      expect(toHex(sha1(b)), "length " + n).toBe(nodeSha1(b));
    }
  });

  it("matches node:crypto on random inputs up to 100 KB", () => {
    for (let i = 0; i < 50; i++) {
      const b = randomBytes(Math.floor(Math.random() * 100000));
      expect(toHex(sha1(b))).toBe(nodeSha1(b));
    }
  });

  it("known answers (FIPS 180 examples)", () => {
    expect(toHex(sha1(Buffer.from("abc")))).toBe("a9993e364706816aba3e25717850c26c9cd0d89d");
    expect(toHex(sha1(Buffer.alloc(0)))).toBe("da39a3ee5e6b4b0d3255bfef95601890afd80709");
  });

  it("gives the RFC 6455 section 1.3 accept value as acceptKey's hash", () => {
    expect(acceptKey("dGhlIHNhbXBsZSBub25jZQ==", sha1)).toBe("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  });
});

describe("base64", () => {
  it("matches Buffer on lengths 0-100 (all three padding cases)", () => {
    for (let n = 0; n <= 100; n++) {
      const b = randomBytes(n);
      expect(base64(b)).toBe(b.toString("base64"));
    }
  });
});
