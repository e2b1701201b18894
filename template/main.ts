// The app's logic, run by the board (Espruino 2v29): the button toggles the LED, every change
// is reported, and a host can switch the LED with the LED command. `pinwire build` refuses
// what the board cannot run (Map, async, array spread, ...) at its line, with what to use.
import { button, digitalOut, log, on, report } from "pinwire/device";
import { button as buttonPart, LED, led as ledPart, PRESSES } from "./app";

const light = digitalOut(ledPart);
const knob = button(buttonPart);
let presses = 0;

function setLed(v: number): void {
  report(LED, light.set(v));
}

knob.on(function (pressed) {
  if (!pressed) return;
  presses++;
  report(PRESSES, presses);
  setLed(light.get() ? 0 : 1);
  log("button pressed " + presses + " times");
});

on(LED, setLed);

setLed(0);
report(PRESSES, presses);
log("{{name}} started");
