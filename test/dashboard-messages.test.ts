// The dashboard's browser codec (host/dashboard/js/messages.js, plain JS served as is)
// against the shared TypeScript one: same bytes out, same messages accepted.
import { describe, it, expect } from "vitest";
import * as web from "../host/dashboard/js/messages.js";
import * as shared from "../shared/messages";
import { isProtocolError } from "../shared/errors";

const CMDS = [shared.SERVO_ANGLE, shared.SERVO_ROTATE, shared.LIGHT_LEVEL, shared.LED_DUTY, shared.LED_SET, shared.STATUS];
const VALUES = [-2147483648, -2, -1, 0, 1, 45, 99, 100, 101, 179, 180, 181, 255, 256, 65536, 2147483647];

function sharedEncode(cmd: number, value: number): Uint8Array | null {
  try {
    return shared.encodeMessage(cmd, value);
  } catch (e) {
    if (!isProtocolError(e)) throw e;
    return null;
  }
}

describe("browser message codec", () => {
  it("has the shared command numbers", () => {
    expect([web.SERVO_ANGLE, web.SERVO_ROTATE, web.LIGHT_LEVEL, web.LED_DUTY, web.LED_SET, web.STATUS, web.MESSAGE_SIZE]).toEqual([...CMDS, shared.MESSAGE_SIZE]);
  });

  it("encodes the same bytes and refuses the same values", () => {
    let encoded = 0;
    for (let cmd = 0; cmd < 256; cmd++)
      for (const value of VALUES) {
        const want = sharedEncode(cmd, value);
        if (want === null) {
          expect(() => web.encodeMessage(cmd, value), cmd + "/" + value).toThrow(RangeError);
          continue;
        }
        encoded++;
        expect(Array.from(new Uint8Array(web.encodeMessage(cmd, value))), cmd + "/" + value).toEqual(Array.from(want));
      }
    expect(encoded).toBeGreaterThan(20);
    expect(() => web.encodeMessage(shared.SERVO_ROTATE, 12.5)).toThrow(RangeError);
  });

  it("decodes what the shared decoder accepts, padding ignored, several per frame", () => {
    const frame = new Uint8Array(8 * 4);
    frame.set(shared.encodeMessage(shared.SERVO_ANGLE, 170), 0);
    frame.set(shared.encodeMessage(shared.LED_SET, -1), 8);
    frame.set([shared.LIGHT_LEVEL, 0xaa, 0xbb, 0xcc, 42, 0, 0, 0], 16); // garbage padding
    frame.set([shared.LED_DUTY, 0, 0, 0, 101, 0, 0, 0], 24); // out of range: skipped
    const got = web.decodeMessages(frame.buffer);
    expect(got).toEqual([
      { cmd: shared.SERVO_ANGLE, value: 170 },
      { cmd: shared.LED_SET, value: -1 },
      { cmd: shared.LIGHT_LEVEL, value: 42 },
    ]);
    for (let i = 0; i < 3; i++) expect(got![i]).toEqual(shared.decodeMessage(frame.subarray(i * 8, i * 8 + 8)));
    // A view into a larger buffer decodes only its own bytes.
    expect(web.decodeMessages(frame.subarray(8, 16))).toEqual([{ cmd: shared.LED_SET, value: -1 }]);
  });

  it("rejects frames that are not whole messages", () => {
    for (const n of [0, 1, 7, 9, 15]) expect(web.decodeMessages(new ArrayBuffer(n)), String(n)).toBe(null);
  });
});
