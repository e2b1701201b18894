// The boot loader: the whole of `.bootcde`, so it is what runs first from flash at every boot.
// It runs the current script file from Storage (function bodies stay in flash) and, while a
// freshly pushed script is on trial, counts its boots and arms the health deadline:
//  - more than `n` trial boots (crashes, resets, throws at boot) -> the previous script;
//  - not confirmed healthy (the receiver clears `t` once the broker is connected) within `h`
//    seconds -> the previous script, and a restart.
import { BOOTS, HEALTH_S, readState, rollBack, writeState } from "./state";

declare function load(file?: string): void;

function boot(): void {
  let st = readState();
  // Without a previous script there is nothing to fall back to: no trial.
  if (st.t && st.p) {
    if (st.t > (st.n || BOOTS) && rollBack(st, "boots")) st = readState();
    else {
      st.t++;
      writeState(st);
      setTimeout(function () {
        const now = readState();
        if (now.t && now.c === st.c && rollBack(now, "health")) load();
      }, (st.h || HEALTH_S) * 1000);
    }
  }
  const code = global.require("Storage").read(st.c);
  if (code === undefined) {
    console.log("pinwire: no script " + st.c);
    return;
  }
  try {
    // Indirect eval: the script is an IIFE and needs nothing from this scope.
    const run = eval;
    run(code);
  } catch (e) {
    console.log("pinwire: boot " + e);
    // A trial script that throws is retried until its boot count runs out.
    if (st.t && st.p) load();
  }
}
boot();
