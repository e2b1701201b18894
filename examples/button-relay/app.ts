// A relay switched by a push button and by hosts: a short press toggles it, a long press (held
// for HOLD_MS) switches it on to stay on, and a relay switched on by a short press or a
// command goes off by itself after AUTO_OFF seconds (a stairwell light; 0: it stays on). The
// board reports the relay and the timer whenever they change.
import { defineApp, message, part } from "pinwire/app";

// The relay: a command (1 on, 0 off) that the board also reports when it changes.
export const RELAY = message({
  code: 30,
  dir: "both",
  range: [0, 1],
  control: "RELAY",
  ui: [{ widget: "switch", on: 1, off: 0 }],
  ha: { component: "switch", name: "Relay", on: 1, off: 0 },
});

// Seconds after which a relay switched on goes off again; 0 never. A long press ignores it.
export const AUTO_OFF = message({
  code: 31,
  dir: "both",
  unit: "s",
  range: [0, 86400],
  control: "AUTO_OFF",
  ui: [{ widget: "buttons", presets: [0, 30, 120, 600] }, { widget: "value" }],
  ha: { component: "number", name: "Relay auto-off" },
});

// Presses since the board started (a long press counts too).
export const PRESSES = message({ code: 32, dir: "report", ui: [{ widget: "value" }] });

// How long a press must be held to count as a long one, in ms (a constant of the app; the
// board gets it as a number).
export const HOLD_MS = 1000;

// Espruino names pins by GPIO number. esp8266 NodeMCU/Wemos: the FLASH button is GPIO0 (D0
// here, labelled D3 on the board, to ground), and the Wemos D1 mini relay shield drives its
// relay from GPIO5 (labelled D1), active high. esp32 DevKit: BOOT button GPIO0, relay on GPIO26.
export const button = part("button", { pins: { esp8266: "D0", esp32: "D0", linux: "D0" }, debounce: 30 });
export const relay = part("digitalOut", { pins: { esp8266: "D5", esp32: "D26", linux: "D5" } });

export default defineApp({
  name: "button-relay",
  version: "1.0.0",
  messages: { RELAY, AUTO_OFF, PRESSES },
  parts: { button, relay },
});
