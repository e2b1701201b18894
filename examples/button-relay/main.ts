// The relay's logic: a debounced button (the part does the debounce) toggles the relay on a
// short press and switches it on for good on a long one; RELAY and AUTO_OFF commands from any
// host; every change reported, with a log line for each press.
import { button, digitalOut, log, on, report } from "pinwire/device";
import { AUTO_OFF, button as buttonPart, HOLD_MS, PRESSES, RELAY, relay as relayPart } from "./app";

const out = digitalOut(relayPart);
const knob = button(buttonPart);
let presses = 0;
let autoOff = 0; // s
let offTimer: any = null;
let holdTimer: any = null;

// Switches the relay (and reports it); `stay` skips the auto-off timer.
function set(v: number, stay: boolean): void {
  if (offTimer) clearTimeout(offTimer);
  offTimer = null;
  report(RELAY, out.set(v));
  if (v && !stay && autoOff > 0)
    offTimer = setTimeout(function () {
      offTimer = null;
      report(RELAY, out.set(0));
      log("relay off after " + autoOff + " s");
    }, autoOff * 1000);
}

function held(): void {
  holdTimer = null;
  set(1, true);
  log("long press: relay on, stays on");
}

knob.on(function (pressed) {
  if (pressed) {
    presses++;
    report(PRESSES, presses);
    holdTimer = setTimeout(held, HOLD_MS);
    return;
  }
  // Released before HOLD_MS: a short press.
  if (!holdTimer) return;
  clearTimeout(holdTimer);
  holdTimer = null;
  set(out.get() ? 0 : 1, false);
  log("press " + presses + ": relay " + (out.get() ? "on" : "off"));
});

on(RELAY, function (v) {
  set(v, false);
});

on(AUTO_OFF, function (s) {
  autoOff = s;
  report(AUTO_OFF, s);
});

set(0, false);
report(AUTO_OFF, autoOff);
report(PRESSES, presses);
log("button-relay started");
