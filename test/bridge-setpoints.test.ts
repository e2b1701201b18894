// The bridge's set-points (host/bridge/setpoints.ts): the latest command of each kind in the
// broker's order, kept until the board reports it.
import { describe, it, expect } from "vitest";
import { LED_SET, SERVO_ANGLE, SERVO_ROTATE, LIGHT_LEVEL } from "../shared/messages";
import { SetPoints } from "../host/bridge/setpoints";

const vals = (s: SetPoints, id = "d") => s.unsettled(id).map((p) => [p.cmd, p.value]);

describe("SetPoints", () => {
  it("keeps the latest of each kind until the board reports that value", () => {
    const s = new SetPoints();
    s.sent("d", SERVO_ROTATE, 10, 0);
    s.sent("d", SERVO_ROTATE, 20, 1);
    s.sent("d", LED_SET, -1, 2);
    expect(vals(s)).toEqual([[SERVO_ROTATE, 20], [LED_SET, -1]]);
    s.reported("d", SERVO_ANGLE, 10); // the first command's reply: not the latest
    s.reported("d", LIGHT_LEVEL, 20); // another report with the same value
    expect(vals(s)).toEqual([[SERVO_ROTATE, 20], [LED_SET, -1]]);
    s.reported("d", SERVO_ANGLE, 20);
    s.reported("d", LED_SET, -1);
    expect(vals(s)).toEqual([]);
  });

  it("takes its own echoes for what they are, and another publisher's command only when none of its own is on the way", () => {
    const s = new SetPoints();
    s.sent("d", SERVO_ROTATE, 10, 0);
    s.sent("d", SERVO_ROTATE, 20, 0);
    s.seen("d", SERVO_ROTATE, 10, 0); // our echo
    s.seen("d", SERVO_ROTATE, 99, 0); // someone else's, before our 20 at the broker
    expect(vals(s)).toEqual([[SERVO_ROTATE, 20]]);
    s.seen("d", SERVO_ROTATE, 20, 0); // our echo: nothing of ours on the way any more
    s.seen("d", SERVO_ROTATE, 77, 0); // someone else's, the latest
    expect(vals(s)).toEqual([[SERVO_ROTATE, 77]]);
    // An echo lost on the way (the broker dropped it) does not hold the next ones up.
    s.sent("d", LED_SET, 1, 0);
    s.sent("d", LED_SET, 2, 0);
    s.seen("d", LED_SET, 2, 0);
    s.seen("d", LED_SET, 55, 0);
    expect(vals(s)).toEqual([[SERVO_ROTATE, 77], [LED_SET, 55]]);
  });

  it("asks for the latest again when its resend of an older value reached the broker after a newer command", () => {
    const s = new SetPoints();
    s.sent("d", SERVO_ROTATE, 10, 0);
    s.seen("d", SERVO_ROTATE, 10, 0);
    const p = s.unsettled("d")[0];
    s.resent("d", p, 5);
    s.seen("d", SERVO_ROTATE, 30, 6); // another publisher's, ahead of our resend
    expect(vals(s)).toEqual([[SERVO_ROTATE, 30]]);
    s.reported("d", SERVO_ANGLE, 30);
    const again = s.seen("d", SERVO_ROTATE, 10, 7); // our resend of 10, after 30
    expect(again).toMatchObject({ cmd: SERVO_ROTATE, value: 30, settled: false });
    // A resend that is still the latest needs nothing more.
    s.resent("d", again!, 8);
    expect(s.seen("d", SERVO_ROTATE, 30, 9)).toBeNull();
  });

  it("after a reconnect, echoes of what it queued meanwhile count in the broker's order", () => {
    const s = new SetPoints();
    s.sent("d", LED_SET, 1, 0); // lost with the connection
    s.sent("d", LED_SET, 2, 0); // queued while away
    s.reconnected();
    s.seen("d", LED_SET, 2, 1); // flushed after the reconnect
    expect(vals(s)).toEqual([[LED_SET, 2]]);
    s.forget("d");
    expect(vals(s)).toEqual([]);
  });
});
