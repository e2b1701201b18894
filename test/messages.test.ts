import { describe, expect, it } from "vitest";
import { toHex } from "../shared/bytes";
import { decodeMessage, encodeMessage } from "../shared/messages";
import { parseCStruct } from "../shared/struct-c";
import { codeOf } from "./error-code";

describe("the 8-byte board message", () => {
  it("is the C struct { uint8_t cmd; int value; }", () => {
    const s = parseCStruct("struct { uint8_t cmd; int value; }");
    for (const [cmd, value] of [[12, 120], [13, 0], [16, -1], [255, 2147483647], [0, -2147483648]]) {
      expect(toHex(encodeMessage(cmd, value))).toBe(toHex(s.pack({ cmd, value })));
      expect(decodeMessage(s.pack({ cmd, value }))).toEqual({ cmd, value });
    }
    expect(toHex(encodeMessage(13, 120))).toBe("0d00000078000000");
  });

  it("ignores padding bytes and rejects what the wire cannot carry with specific codes", () => {
    expect(decodeMessage(new Uint8Array([12, 9, 9, 9, 90, 0, 0, 0]))).toEqual({ cmd: 12, value: 90 });
    expect(decodeMessage(new Uint8Array([16, 0, 0, 0, 255, 255, 255, 255]))).toEqual({ cmd: 16, value: -1 });
    expect(codeOf(() => decodeMessage(new Uint8Array(7)))).toBe("msg-length");
    expect(codeOf(() => decodeMessage(new Uint8Array(9)))).toBe("msg-length");
    expect(codeOf(() => encodeMessage(256, 0))).toBe("msg-unknown-cmd");
    expect(codeOf(() => encodeMessage(-1, 0))).toBe("msg-unknown-cmd");
    expect(codeOf(() => encodeMessage(1.5, 0))).toBe("msg-unknown-cmd");
    expect(codeOf(() => encodeMessage(12, 2147483648))).toBe("msg-range");
    expect(codeOf(() => encodeMessage(12, 0.5))).toBe("msg-range");
    expect(codeOf(() => encodeMessage(12, NaN))).toBe("msg-range");
  });
});
