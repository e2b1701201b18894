// The reference app: the encoder steers the servo (and a remote SERVO_ROTATE moves both), the
// LED follows the light (darker -> brighter) until set by hand, and every change is reported,
// the LED's mode included (LED_SET: -1 automatic, else the manual duty), so every viewer
// shows what the board does.
import { analogIn, encoder, on, pwm, report, servo } from "pinwire/device";
import { encoder as knobPart, LED_DUTY, LED_SET, led as ledPart, light as lightPart, LIGHT_LEVEL, SERVO_ANGLE, SERVO_ROTATE, servo as servoPart } from "./app";

const arm = servo(servoPart);
const knob = encoder(knobPart);
const light = analogIn(lightPart);
const led = pwm(ledPart);
let auto = true;

// Automatic: the LED is the light's complement (no sensor: off).
function follow(): void {
  const l = light.get();
  report(LED_DUTY, led.set(l < 0 ? 0 : 100 - l));
}

// The encoder's count (-90..90 by default) is the servo angle less 90.
knob.on(function (n) {
  report(SERVO_ANGLE, arm.set(n + 90));
});

light.on(function (pct) {
  report(LIGHT_LEVEL, pct);
  if (auto) follow();
});

on(SERVO_ROTATE, function (deg) {
  knob.set(deg - 90);
  report(SERVO_ANGLE, arm.set(deg));
});

on(LED_SET, function (v) {
  auto = v < 0;
  if (auto) follow();
  else report(LED_DUTY, led.set(v));
  report(LED_SET, auto ? -1 : v);
});

report(SERVO_ANGLE, arm.set(90));
report(LED_SET, -1);
if (light.get() < 0) follow();
