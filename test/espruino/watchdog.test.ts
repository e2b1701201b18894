// What the Linux builds can do about a stuck script (host/vboard/README.md, "Watchdog"):
// E.enableWatchdog and E.kickWatchdog exist but do nothing (jshEnableWatchDog and
// jshKickWatchDog are empty in targets/linux/jshardware.c), so nothing resets a script stuck in
// a loop; SIGINT interrupts it and the interpreter carries on with the script's state.
import { afterEach, describe, expect, it } from "vitest";
import { Espruino, type Pool } from "./interpreter";

let e: Espruino | null = null;
afterEach(async () => {
  if (e) await e.close();
  e = null;
});

describe("the Linux build's watchdog", () => {
  for (const pool of ["esp8266", "esp32"] as Pool[])
    it(`${pool} pool: E.enableWatchdog exists and resets nothing; SIGINT stops a stuck loop`, async () => {
      e = await Espruino.start(pool);
      expect(await e.eval("typeof E.enableWatchdog + typeof E.kickWatchdog")).toBe("functionfunction");
      // Armed for 0.5 s, then 2 s away from the idle loop: the script survives.
      let mark = e.mark;
      e.send("var kept = 1; E.enableWatchdog(0.5); var t0 = getTime(); while (getTime() - t0 < 2) {} print('survived ' + Math.round(getTime() - t0))");
      await e.waitFor(/survived 2/, 10000, mark);
      expect(await e.eval("kept")).toBe(1); // no reset: RAM as it was
      // Stuck for good: only a signal gets it out.
      mark = e.mark;
      e.send("print('looping'); while (true) {}");
      await e.waitFor(/looping/, 10000, mark);
      e.interrupt();
      await e.waitFor(/Execution Interrupted/, 10000, mark);
      expect(await e.eval("kept")).toBe(1);
    });
});
