// The boot loader: the whole of `.bootcde`, so it is what runs first from flash at every boot.
// It runs the current script file from Storage (function bodies stay in flash) and, while a
// freshly pushed script is on trial, counts its boots and arms the health deadline:
//  - more than `n` trial boots (throws at boot, crashes, resets) -> the previous script, "boots";
//  - not confirmed healthy (the receiver clears `t` once the broker is connected) within `h`
//    seconds -> the previous script, "health", and a restart;
//  - stuck in a loop (`while(true){}`: the health timer can never run) -> the chip's watchdog
//    resets it, and that boot counts as a failed one. ESP32: the loader arms the task watchdog
//    for the trial (E.enableWatchdog(h), auto mode: the idle loop kicks it, so only a script
//    that keeps the CPU for its whole health deadline is reset; 2v29 cannot disarm it, so it
//    stays armed, auto-kicked, until the next hardware reset). ESP8266: E.enableWatchdog is a
//    stub there (targets/esp8266/jshardware.c only logs), and the SDK's own software watchdog
//    already resets a script that keeps the CPU for about 3 s. Linux: no watchdog at all
//    (jshEnableWatchDog is empty in targets/linux/jshardware.c), so nothing is armed.
//
// Shaped by how Espruino runs it (docs/espruino.md):
//  - eval runs in the caller's scope, so the script is evaluated at the top level (LOADER_TAIL in
//    scripts/device-bundle.mjs): from inside a function it would keep that function's scope
//    alive for as long as the script runs;
//  - the script's top-level names are globals and may reuse any short name, so this file is
//    bundled as an IIFE that leaves one global, `pwBoot`, and the tail calls it only through
//    that long name;
//  - a load() made synchronously from boot code that load() started is dropped, so restarts go
//    through a timer.
import { BOOTS, HEALTH_S, readState, rollBack, writeState } from "./state";

declare function load(file?: string): void;

// The script file to run now, after the trial bookkeeping.
function pick(): string {
  let st = readState();
  // Without a previous script there is nothing to fall back to: no trial.
  if (st.t && st.p) {
    if (st.t > (st.n || BOOTS) && rollBack(st, "boots", st.x)) st = readState();
    else {
      st.t++;
      writeState(st);
      const c = st.c;
      if (PINWIRE_BOARD === "esp32") E.enableWatchdog(st.h || HEALTH_S);
      setTimeout(
        function () {
          const now = readState();
          if (now.t && now.c === c && rollBack(now, "health", now.x)) load();
        },
        (st.h || HEALTH_S) * 1000,
      );
    }
  }
  return st.c;
}

// The script threw while it was evaluated. A trial script is retried (from a timer: see above)
// until its boot count runs out; the error text goes with the rollback so the script that runs
// next can report it.
function failed(e: any): void {
  const st = readState();
  console.log("pinwire: boot " + e);
  if (st.t && st.p) {
    st.x = ("" + e).substr(0, 120);
    writeState(st);
    setTimeout(load, 10);
  }
}

(global as any).pwBoot = { pick: pick, failed: failed };
