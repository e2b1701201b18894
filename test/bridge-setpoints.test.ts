// The bridge's set-points (host/bridge/setpoints.ts): the latest command of each code in the
// broker's order, kept until the board's confirming report shows it. Codes as in servo-light:
// 13 SERVO_ROTATE (confirmed by 12 SERVO_ANGLE), 16 LED_SET (both ways: confirmed by itself),
// 14 LIGHT_LEVEL (a report).
import { describe, it, expect } from "vitest";
import { SetPoints, type Command } from "../host/bridge/setpoints";

const ROTATE = 13;
const ANGLE = 12;
const LIGHT = 14;
const LED = 16;
const confirm: Record<number, number> = { [ROTATE]: ANGLE, [LED]: LED };

// An int32 command as the bridge builds it.
function cmd(code: number, value: number): Command {
  const bytes = new Uint8Array(8);
  bytes[0] = code;
  new DataView(bytes.buffer).setInt32(4, value, true);
  return { code, bytes, value, confirm: confirm[code] ?? -1 };
}
// The command arriving on pinwire/<id>/cmd.
const seen = (s: SetPoints, code: number, value: number, now = 0) => {
  const c = cmd(code, value);
  return s.seen("d", code, c.bytes, () => c, now);
};
const vals = (s: SetPoints, id = "d") => s.unsettled(id).map((p) => [p.code, p.value]);

describe("SetPoints", () => {
  it("keeps the latest of each code until the board reports that value", () => {
    const s = new SetPoints();
    s.sent("d", cmd(ROTATE, 10), 0);
    s.sent("d", cmd(ROTATE, 20), 1);
    s.sent("d", cmd(LED, -1), 2);
    expect(vals(s)).toEqual([[ROTATE, 20], [LED, -1]]);
    s.reported("d", ANGLE, 10); // the first command's reply: not the latest
    s.reported("d", LIGHT, 20); // another report with the same value
    expect(vals(s)).toEqual([[ROTATE, 20], [LED, -1]]);
    s.reported("d", ANGLE, 20);
    s.reported("d", LED, -1);
    expect(vals(s)).toEqual([]);
  });

  it("keeps nothing for a command the board confirms with no report", () => {
    const s = new SetPoints();
    s.sent("d", { ...cmd(30, 1), confirm: -1 }, 0);
    expect(vals(s)).toEqual([]);
  });

  it("compares struct values member by member", () => {
    const s = new SetPoints();
    s.sent("d", { code: 40, bytes: new Uint8Array([40, 0, 0, 0, 1]), value: { a: 1, b: "x" }, confirm: 41 }, 0);
    s.reported("d", 41, { a: 1, b: "y" });
    expect(s.unsettled("d")).toHaveLength(1);
    s.reported("d", 41, { b: "x", a: 1 });
    expect(s.unsettled("d")).toHaveLength(0);
  });

  it("takes its own echoes by their bytes (no decoding), and another publisher's command only when none of its own is on the way", () => {
    const s = new SetPoints();
    s.sent("d", cmd(ROTATE, 10), 0);
    s.sent("d", cmd(ROTATE, 20), 0);
    let decoded = 0;
    const own = cmd(ROTATE, 10);
    expect(s.seen("d", ROTATE, own.bytes, () => (decoded++, own), 0)).toEqual({ own: true, again: null });
    expect(decoded).toBe(0);
    expect(seen(s, ROTATE, 99)).toEqual({ own: false, again: null }); // someone else's, before our 20 at the broker
    expect(vals(s)).toEqual([[ROTATE, 20]]);
    seen(s, ROTATE, 20); // our echo: nothing of ours on the way any more
    seen(s, ROTATE, 77); // someone else's, the latest
    expect(vals(s)).toEqual([[ROTATE, 77]]);
    // An echo lost on the way (the broker dropped it) does not hold the next ones up.
    s.sent("d", cmd(LED, 1), 0);
    s.sent("d", cmd(LED, 2), 0);
    seen(s, LED, 2);
    seen(s, LED, 55);
    expect(vals(s)).toEqual([[ROTATE, 77], [LED, 55]]);
    // A foreign command that does not decode is not kept.
    s.seen("d", LED, new Uint8Array([LED, 0, 0, 0, 99, 1, 0, 0]), () => null, 0);
    expect(vals(s)).toEqual([[ROTATE, 77], [LED, 55]]);
  });

  it("asks for the latest again when its resend of an older value reached the broker after a newer command", () => {
    const s = new SetPoints();
    s.sent("d", cmd(ROTATE, 10), 0);
    seen(s, ROTATE, 10);
    const p = s.unsettled("d")[0];
    s.resent("d", p, 5);
    seen(s, ROTATE, 30, 6); // another publisher's, ahead of our resend
    expect(vals(s)).toEqual([[ROTATE, 30]]);
    s.reported("d", ANGLE, 30);
    const { again } = seen(s, ROTATE, 10, 7); // our resend of 10, after 30
    expect(again).toMatchObject({ code: ROTATE, value: 30, settled: false });
    // A resend that is still the latest needs nothing more.
    s.resent("d", again!, 8);
    expect(seen(s, ROTATE, 30, 9).again).toBeNull();
  });

  it("after a reconnect, echoes of what it queued meanwhile count in the broker's order", () => {
    const s = new SetPoints();
    s.sent("d", cmd(LED, 1), 0); // lost with the connection
    s.sent("d", cmd(LED, 2), 0); // queued while away
    s.reconnected();
    seen(s, LED, 2, 1); // flushed after the reconnect
    expect(vals(s)).toEqual([[LED, 2]]);
    s.forget("d");
    expect(vals(s)).toEqual([]);
  });
});
