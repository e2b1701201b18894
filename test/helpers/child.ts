// A child process (the pinwire CLI, a sim) whose output lines, stdout and stderr together, are
// kept and can be waited for.
import { type ChildProcess, spawn } from "node:child_process";

export interface Lines {
  p: ChildProcess;
  lines: string[];
  // Resolves with the index of the first line from `from` on that matches; rejects after
  // timeoutMs (or when the process has ended without one), showing what it printed.
  line(re: RegExp, from?: number, timeoutMs?: number): Promise<number>;
  // SIGINT, then its exit code.
  interrupt(): Promise<number | null>;
}

export function spawnLines(cmd: string, args: string[], cwd: string): Lines {
  const p = spawn(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  let rest = "";
  let ended = false;
  const add = (d: Buffer) => {
    rest += d.toString("utf8");
    const parts = rest.split("\n");
    rest = parts.pop()!;
    lines.push(...parts);
    for (const w of [...waiters]) w();
  };
  p.stdout!.on("data", add);
  p.stderr!.on("data", add);
  const exited = new Promise<number | null>((r) =>
    p.on("exit", (code) => {
      ended = true;
      for (const w of [...waiters]) w();
      r(code);
    }),
  );
  return {
    p,
    lines,
    line: (re, from = 0, timeoutMs = 40000) =>
      new Promise((resolve, reject) => {
        const fail = (why: string) => {
          waiters.delete(check);
          clearTimeout(t);
          reject(new Error(why + " " + re + "; it printed:\n" + lines.join("\n")));
        };
        const check = () => {
          const i = lines.findIndex((l, n) => n >= from && re.test(l));
          if (i >= 0) {
            waiters.delete(check);
            clearTimeout(t);
            return resolve(i);
          }
          if (ended) fail("the process ended without printing");
        };
        const t = setTimeout(() => fail("timed out waiting for"), timeoutMs);
        waiters.add(check);
        check();
      }),
    interrupt: () => {
      p.kill("SIGINT");
      return exited;
    },
  };
}
