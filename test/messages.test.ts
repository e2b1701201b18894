import { describe, expect, it } from "vitest";
import { toHex } from "../shared/bytes";
import { decodeMessage, encodeMessage, LED_SET, LIGHT_LEVEL, parseControl, SERVO_ANGLE, SERVO_ROTATE, STATUS } from "../shared/messages";
import { parseCStruct } from "../shared/struct-c";
import { codeOf } from "./error-code";

describe("the 8-byte board message", () => {
  it("is the C struct { uint8_t cmd; int value; }", () => {
    const s = parseCStruct("struct { uint8_t cmd; int value; }");
    for (const [cmd, value] of [[SERVO_ANGLE, 120], [SERVO_ROTATE, 0], [LED_SET, -1], [LIGHT_LEVEL, 100], [STATUS, 1]]) {
      expect(toHex(encodeMessage(cmd, value))).toBe(toHex(s.pack({ cmd, value })));
      expect(decodeMessage(s.pack({ cmd, value }))).toEqual({ cmd, value });
    }
    expect(toHex(encodeMessage(SERVO_ROTATE, 120))).toBe("0d00000078000000");
  });

  it("ignores padding bytes and rejects bad input with specific codes", () => {
    expect(decodeMessage(new Uint8Array([12, 9, 9, 9, 90, 0, 0, 0]))).toEqual({ cmd: 12, value: 90 });
    expect(codeOf(() => decodeMessage(new Uint8Array(7)))).toBe("msg-length");
    expect(codeOf(() => decodeMessage(new Uint8Array(9)))).toBe("msg-length");
    expect(codeOf(() => decodeMessage(new Uint8Array([11, 0, 0, 0, 0, 0, 0, 0])))).toBe("msg-unknown-cmd");
    expect(codeOf(() => decodeMessage(new Uint8Array([18, 0, 0, 0, 0, 0, 0, 0])))).toBe("msg-unknown-cmd");
    expect(codeOf(() => decodeMessage(new Uint8Array([12, 0, 0, 0, 181, 0, 0, 0])))).toBe("msg-range");
    expect(codeOf(() => decodeMessage(new Uint8Array([12, 0, 0, 0, 255, 255, 255, 255])))).toBe("msg-range");
    expect(decodeMessage(new Uint8Array([16, 0, 0, 0, 255, 255, 255, 255]))).toEqual({ cmd: 16, value: -1 });
    expect(codeOf(() => encodeMessage(LIGHT_LEVEL, 101))).toBe("msg-range");
  });
});

describe("JSON controls", () => {
  it("map to the same messages", () => {
    expect(parseControl('{"control":"PWM","value":50,"unit":"%"}')).toEqual({ cmd: LED_SET, value: 50 });
    expect(parseControl('{"control":"SERVO","value":120,"unit":"deg"}')).toEqual({ cmd: SERVO_ROTATE, value: 120 });
    expect(parseControl('{"control":"SERVO","value":89.6}')).toEqual({ cmd: SERVO_ROTATE, value: 90 });
    expect(parseControl('{"control":"PWM","value":-1}')).toEqual({ cmd: LED_SET, value: -1 });
  });

  it("reject wrong type, range, control or unit with a specific error", () => {
    expect(codeOf(() => parseControl("{nope"))).toBe("control-json");
    expect(codeOf(() => parseControl("42"))).toBe("control-json");
    expect(codeOf(() => parseControl("null"))).toBe("control-json");
    expect(codeOf(() => parseControl('{"control":"FAN","value":1}'))).toBe("control-unknown");
    expect(codeOf(() => parseControl('{"control":"PWM","value":"50"}'))).toBe("control-type");
    expect(codeOf(() => parseControl('{"control":"PWM","value":true}'))).toBe("control-type");
    expect(codeOf(() => parseControl('{"control":"PWM"}'))).toBe("control-type");
    expect(codeOf(() => parseControl('{"control":"PWM","value":101,"unit":"%"}'))).toBe("control-range");
    expect(codeOf(() => parseControl('{"control":"SERVO","value":-5,"unit":"deg"}'))).toBe("control-range");
    expect(codeOf(() => parseControl('{"control":"SERVO","value":90,"unit":"%"}'))).toBe("control-unit");
    expect(codeOf(() => parseControl('{"control":"PWM","value":50,"unit":"deg"}'))).toBe("control-unit");
  });
});
