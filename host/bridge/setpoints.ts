// Commands are set-points: the latest SERVO_ROTATE and the latest LED_SET per device is what
// the board must end up in. This keeps that latest command of each kind until the board reports
// the value it asked for (SERVO_ANGLE for SERVO_ROTATE, its LED_SET mode report for LED_SET),
// so the bridge can publish it again when the board may have missed it: a board subscribes
// with a clean session, so a broker restart, or a board that is away, drops what is published
// meanwhile. Intermediate commands are not replayed (latest value wins).
//
// "Latest" is in the broker's order, the order the board receives commands in. The bridge sees
// every command on pinwire/+/cmd (its viewers', Home Assistant's, any other publisher's), its
// own included; its own go in a per-kind queue when published, so their echo is told apart
// from someone else's command: an echo of ours is dropped (it was recorded when sent), and
// another publisher's command counts only when none of ours is still on its way (ours then
// reach the board after it). When a resend of ours reaches the broker after someone else's
// newer command, the board gets the older value last: seen() then hands back the set-point to
// publish once more.
import { LED_SET, SERVO_ANGLE, SERVO_ROTATE } from "../../shared/messages";

// The report that confirms each command.
const REPORT_OF: Record<number, number> = { [SERVO_ROTATE]: SERVO_ANGLE, [LED_SET]: LED_SET };
// Own commands awaiting their echo, per device and kind; older ones are dropped past this
// (a broker that does not echo them: the subscription to pinwire/+/cmd was refused).
const MAX_OWN = 64;

export interface SetPoint {
  cmd: number; // SERVO_ROTATE or LED_SET
  value: number;
  settled: boolean; // the board has reported this value since
  at: number; // last published (by anyone, or resent), ms
  resends: number; // resent by the timer since it was recorded
}

// A command this bridge published whose echo has not come back yet.
interface Own {
  value: number;
  resend: boolean; // a set-point published again (not a new command)
}

interface Device {
  points: Map<number, SetPoint>;
  own: Map<number, Own[]>; // per cmd, in the order published
}

export class SetPoints {
  private devices = new Map<string, Device>();

  private device(id: string): Device {
    let d = this.devices.get(id);
    if (!d) this.devices.set(id, (d = { points: new Map(), own: new Map() }));
    return d;
  }

  private record(d: Device, cmd: number, value: number, now: number): void {
    d.points.set(cmd, { cmd, value, settled: false, at: now, resends: 0 });
  }

  private expectEcho(d: Device, cmd: number, value: number, resend: boolean): void {
    let q = d.own.get(cmd);
    if (!q) d.own.set(cmd, (q = []));
    q.push({ value, resend });
    if (q.length > MAX_OWN) q.shift();
  }

  // This bridge published a command (a viewer's, Home Assistant's).
  sent(id: string, cmd: number, value: number, now: number): void {
    if (!REPORT_OF[cmd]) return;
    const d = this.device(id);
    this.record(d, cmd, value, now);
    this.expectEcho(d, cmd, value, false);
  }

  // This bridge published p again.
  resent(id: string, p: SetPoint, now: number): void {
    p.at = now;
    this.expectEcho(this.device(id), p.cmd, p.value, true);
  }

  // A command arrived on pinwire/<id>/cmd: an echo of ours, or someone else's. Returns a
  // set-point to publish again at once: our resend of an older value reached the broker after
  // someone else's newer command (so the board gets the older one last).
  seen(id: string, cmd: number, value: number, now: number): SetPoint | null {
    if (!REPORT_OF[cmd]) return null;
    const d = this.device(id);
    const q = d.own.get(cmd) ?? [];
    let k = -1;
    for (let i = 0; i < q.length && k < 0; i++) if (q[i].value === value) k = i;
    if (k >= 0) {
      // Ours (any before it were lost on the way: the broker drops nothing else in between).
      const e = q[k];
      q.splice(0, k + 1);
      const p = d.points.get(cmd);
      if (!e.resend || q.length || !p || p.value === value) return null;
      p.settled = false;
      return p;
    }
    // Someone else's. A new command of ours still on its way reaches the board after it.
    if (q.some((e) => !e.resend)) return null;
    this.record(d, cmd, value, now);
    return null;
  }

  // The board reported (cmd, value) on its state topic (a change or its retained snapshot).
  reported(id: string, cmd: number, value: number): void {
    const d = this.devices.get(id);
    if (!d) return;
    for (const p of d.points.values()) if (!p.settled && REPORT_OF[p.cmd] === cmd && p.value === value) p.settled = true;
  }

  // Set-points the board has not confirmed.
  unsettled(id: string): SetPoint[] {
    const d = this.devices.get(id);
    return d ? [...d.points.values()].filter((p) => !p.settled) : [];
  }

  ids(): string[] {
    return [...this.devices.keys()];
  }

  // The link to the broker was re-established: what was published on the lost connection
  // will never echo, and what was queued meanwhile echoes as any other command (in order).
  reconnected(): void {
    for (const d of this.devices.values()) d.own.clear();
  }

  forget(id: string): void {
    this.devices.delete(id);
  }
}
