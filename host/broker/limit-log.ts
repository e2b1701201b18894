// One warning line per limit per interval: a limit being hit is logged at once, and a flood
// of hits (an attacker opening sockets by the thousand) becomes one line per interval with
// the count, instead of filling the disk with the log.
import type { Logger } from "../log";

export class LimitLog {
  private last = new Map<string, { event: string; at: number; more: number; fields: Record<string, unknown>; msg: string; timer: NodeJS.Timeout | null }>();

  constructor(
    private log: Logger,
    private intervalMs = 10_000,
  ) {}

  // Logs `event` now, or counts it when one with the same key (default: the event) was logged
  // less than an interval ago (the count goes out, with the latest fields, when it ends).
  hit(event: string, fields: Record<string, unknown>, msg: string, key = event): void {
    const now = Date.now();
    const s = this.last.get(key);
    if (!s || now - s.at >= this.intervalMs) {
      if (s?.timer) clearTimeout(s.timer);
      this.log.warn({ event, ...fields }, msg);
      this.last.set(key, { event, at: now, more: 0, fields, msg, timer: null });
      return;
    }
    s.more++;
    s.fields = fields;
    s.msg = msg;
    if (!s.timer) {
      s.timer = setTimeout(() => this.flush(key), this.intervalMs - (now - s.at));
      s.timer.unref();
    }
  }

  private flush(key: string): void {
    const s = this.last.get(key);
    if (!s || !s.more) return;
    this.log.warn({ event: s.event, ...s.fields, more: s.more }, s.msg + " (" + s.more + " more since the last line)");
    this.last.set(key, { ...s, at: Date.now(), more: 0, timer: null });
  }
}
