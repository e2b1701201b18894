// The reference app's declaration: its messages (the classic 8-byte pinwire messages), its
// parts with their default pins per board, and how hosts should show them. `pinwire build`
// turns it into the board's constants and the catalogue (docs/catalogue.md).
import { defineApp, message, part } from "pinwire/app";

export const SERVO_ANGLE = message({
  code: 12,
  dir: "report",
  unit: "deg",
  range: [0, 180],
  ui: [{ widget: "gauge" }, { widget: "chart", series: "servo" }],
  ha: { component: "sensor", name: "Servo angle" },
});

export const SERVO_ROTATE = message({
  code: 13,
  dir: "command",
  unit: "deg",
  range: [0, 180],
  control: "SERVO",
  reports: "SERVO_ANGLE",
  ui: [{ widget: "slider" }, { widget: "buttons", presets: [0, 45, 90, 135, 180] }],
  ha: { component: "number", name: "Servo" },
});

export const LIGHT_LEVEL = message({
  code: 14,
  dir: "report",
  unit: "%",
  range: [0, 100],
  ui: [{ widget: "value" }, { widget: "chart", series: "light" }],
  ha: { component: "sensor", name: "Light level" },
});

export const LED_DUTY = message({
  code: 15,
  dir: "report",
  unit: "%",
  range: [0, 100],
  ui: [{ widget: "value" }, { widget: "chart", series: "LED" }],
});

// A command (0..100 manual, -1 back to automatic), and the board's report of the LED's mode.
export const LED_SET = message({
  code: 16,
  dir: "both",
  unit: "%",
  range: [-1, 100],
  control: "PWM",
  reports: "LED_DUTY",
  ui: [{ widget: "switch", on: -1, off: "LED_DUTY" }, { widget: "slider" }],
  ha: { component: "light", name: "LED", state: "LED_DUTY" },
});

// esp8266 NodeMCU/Wemos: servo GPIO15 (D8), encoder CLK GPIO12 (D6) / DT GPIO13 (D7), light A0,
// LED GPIO14 (D5). esp32 DevKit: servo GPIO18, encoder GPIO32/33, light GPIO34 (ADC1, works with
// WiFi on), LED GPIO19. linux: pins do nothing there, and analogRead would print an error, so
// no light sensor.
export const servo = part("servo", { pins: { esp8266: "D15", esp32: "D18", linux: "D15" }, min: 0.5, max: 2.5 });
export const encoder = part("encoder", {
  pins: { esp8266: { clk: "D12", dt: "D13" }, esp32: { clk: "D32", dt: "D33" }, linux: { clk: "D12", dt: "D13" } },
  min: -90,
  max: 90,
  debounce: 2,
});
export const light = part("analogIn", { pins: { esp8266: "A0", esp32: "D34", linux: null }, period: 250, avg: 4, hyst: 2 });
// The ESP8266's PWM has one frequency for every pin: the LED shares the servo's 50 Hz there.
export const led = part("pwm", { pins: { esp8266: "D14", esp32: "D19", linux: "D14" }, freq: 1000 });

export default defineApp({
  name: "servo-light",
  version: "1.0.0",
  messages: { SERVO_ANGLE, SERVO_ROTATE, LIGHT_LEVEL, LED_DUTY, LED_SET },
  parts: { servo, encoder, light, led },
});
