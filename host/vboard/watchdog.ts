// The host's half of the board's watchdog. The board thread stores the time of each kick in a
// shared buffer (its idle loop kicks while no board code runs, or E.kickWatchdog() does); this
// side, on the host's thread, notices when the kicks stop for longer than the timeout and
// resets the chip: a script stuck in `while(true){}` cannot stop it, as it cannot stop a
// hardware watchdog.
import { WD_KICK, WD_TIMEOUT, WD_WAITING } from "./protocol";

export class WatchdogMonitor {
  private wd: Int32Array;
  private timer?: NodeJS.Timeout;

  constructor(
    buf: SharedArrayBuffer,
    private epoch: number,
    private fire: () => void,
  ) {
    this.wd = new Int32Array(buf);
  }

  // The board armed it (or changed its timeout).
  armed(): void {
    const timeout = Atomics.load(this.wd, WD_TIMEOUT);
    if (!timeout) return;
    clearInterval(this.timer);
    this.timer = setInterval(() => this.check(), Math.max(20, Math.min(250, timeout / 8)));
    this.timer.unref();
  }

  private check(): void {
    const timeout = Atomics.load(this.wd, WD_TIMEOUT);
    const idle = Date.now() - this.epoch - Atomics.load(this.wd, WD_KICK);
    if (!timeout || idle <= timeout || Atomics.load(this.wd, WD_WAITING)) return;
    this.stop();
    this.fire();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
