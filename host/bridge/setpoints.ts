// Commands are set-points: the latest command of each kind (each command code of the board's
// catalogue) is what the board must end up in. This keeps that latest command per code until
// the board reports the value it asked for (its confirming report: the message itself for one
// that goes both ways, else the report its `reports` names), so the bridge can publish it
// again when the board may have missed it: a board subscribes with a clean session, so a
// broker restart, or a board that is away, drops what is published meanwhile. Intermediate
// commands are not replayed (latest value wins). A command with no confirming report is not
// kept.
//
// "Latest" is in the broker's order, the order the board receives commands in. The bridge sees
// every command on pinwire/+/cmd (its viewers', Home Assistant's, any other publisher's), its
// own included; its own go in a per-code queue when published, so their echo is told apart
// from someone else's command by its bytes (and needs no decoding): an echo of ours is dropped
// (it was recorded when sent), and another publisher's command counts only when none of ours
// is still on its way (ours then reach the board after it). When a resend of ours reaches the
// broker after someone else's newer command, the board gets the older value last: seen() then
// hands back the set-point to publish once more.
import { sameValue, type MessageValue } from "../../shared/catalogue";
import { toHex } from "../../shared/bytes";

// Own commands awaiting their echo, per device and code; older ones are dropped past this
// (a broker that does not echo them: the subscription to pinwire/+/cmd was refused).
const MAX_OWN = 64;

// A command as the set-points need it.
export interface Command {
  code: number;
  bytes: Uint8Array; // the whole message as published
  value: MessageValue;
  confirm: number; // the code of the report that confirms it, -1 for none
}

export interface SetPoint extends Command {
  settled: boolean; // the board has reported this value since
  at: number; // last published (by anyone, or resent), ms
  resends: number; // resent by the timer since it was recorded
}

// A command this bridge published whose echo has not come back yet.
interface Own {
  key: string; // its bytes as hex
  resend: boolean; // a set-point published again (not a new command)
}

interface Device {
  points: Map<number, SetPoint>;
  own: Map<number, Own[]>; // per code, in the order published
}

export class SetPoints {
  private devices = new Map<string, Device>();

  private device(id: string): Device {
    let d = this.devices.get(id);
    if (!d) this.devices.set(id, (d = { points: new Map(), own: new Map() }));
    return d;
  }

  private record(d: Device, c: Command, now: number): void {
    d.points.set(c.code, { ...c, settled: false, at: now, resends: 0 });
  }

  private expectEcho(d: Device, code: number, key: string, resend: boolean): void {
    let q = d.own.get(code);
    if (!q) d.own.set(code, (q = []));
    q.push({ key, resend });
    if (q.length > MAX_OWN) q.shift();
  }

  // This bridge published a command (a viewer's, Home Assistant's).
  sent(id: string, c: Command, now: number): void {
    if (c.confirm < 0) return;
    const d = this.device(id);
    this.record(d, c, now);
    this.expectEcho(d, c.code, toHex(c.bytes), false);
  }

  // This bridge published p again.
  resent(id: string, p: SetPoint, now: number): void {
    p.at = now;
    this.expectEcho(this.device(id), p.code, toHex(p.bytes), true);
  }

  // A binary command arrived on pinwire/<id>/cmd (code: its first byte): an echo of ours, or
  // someone else's, which `decode` turns into a Command (null: not a valid command, ignored).
  // Returns `own` (whether it was an echo of ours) and a set-point to publish again at once:
  // our resend of an older value reached the broker after someone else's newer command.
  seen(id: string, code: number, bytes: Uint8Array | null, decode: () => Command | null, now: number): { own: boolean; again: SetPoint | null } {
    const d = this.devices.get(id);
    const q = d?.own.get(code) ?? [];
    const key = bytes ? toHex(bytes) : null;
    let k = -1;
    for (let i = 0; key !== null && i < q.length && k < 0; i++) if (q[i].key === key) k = i;
    if (d && k >= 0) {
      // Ours (any before it were lost on the way: the broker drops nothing else in between).
      const e = q[k];
      q.splice(0, k + 1);
      const p = d.points.get(code);
      if (!e.resend || q.length || !p || toHex(p.bytes) === key) return { own: true, again: null };
      p.settled = false;
      return { own: true, again: p };
    }
    // Someone else's. A new command of ours still on its way reaches the board after it.
    if (q.some((e) => !e.resend)) return { own: false, again: null };
    const c = decode();
    if (c && c.confirm >= 0) this.record(this.device(id), c, now);
    return { own: false, again: null };
  }

  // The board reported `value` for report `code` (a change or its retained snapshot).
  reported(id: string, code: number, value: MessageValue): void {
    const d = this.devices.get(id);
    if (!d) return;
    for (const p of d.points.values()) if (!p.settled && p.confirm === code && sameValue(p.value, value)) p.settled = true;
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

  // The device is gone, or now runs another app (its codes mean other things).
  forget(id: string): void {
    this.devices.delete(id);
  }
}
