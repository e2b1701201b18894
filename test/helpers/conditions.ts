// Waiting for a condition on what a test has seen (messages, log lines): each until() is
// checked at once and again at every poke() (the test pokes when something arrives), and fails
// after `ms` naming what never happened and, from `context`, what was seen instead.
export class Conditions {
  private waiters = new Set<() => void>();

  constructor(private context: () => string = () => "") {}

  poke(): void {
    for (const w of [...this.waiters]) w();
  }

  until(pred: () => boolean, what: string, ms = 25000): Promise<void> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error("never happened: " + what + "; " + this.context()));
      }, ms);
      const check = () => {
        if (!pred()) return;
        clearTimeout(t);
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
      check();
    });
  }
}
