// The boot state file the boot loader and the OTA receiver share. Switching scripts is one
// small write of this file, so a power cut leaves either the old or the new state.
//   c  Storage file of the script to run        p  the previous script (kept for rollback)
//   v  version of c                             pv version of p
//   t  0: confirmed; n > 0: on trial, boot count so far
//   g  tag of the push that installed c         h  seconds c has to become healthy
//   n  failed boots allowed before rollback     r  {v, e, g, x}: version rolled back from, why
//   x  the error the trial script last threw       ("boots" or "health"), tag, x
//      at boot (text, cut short)
export const STATE_FILE = "pw.st";
export const SLOT_A = "pw.a";
export const SLOT_B = "pw.b";
export const HEALTH_S = 30;
export const BOOTS = 3;

export function readState(): any {
  return global.require("Storage").readJSON(STATE_FILE, 1) || { c: SLOT_A, v: "" };
}

export function writeState(st: any): void {
  global.require("Storage").writeJSON(STATE_FILE, st);
}

// Runs the previous script from the next boot on, recording why (and the error it threw at
// boot, if any); false when there is none.
export function rollBack(st: any, code: string, error?: string): boolean {
  if (!st.p) return false;
  writeState({ c: st.p, p: st.c, v: st.pv, pv: st.v, t: 0, r: { v: st.v, e: code, g: st.g, x: error } });
  return true;
}
