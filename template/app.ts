// The app's declaration: its messages (what the board reports and which commands it takes) and
// its parts with their pins on each board. Hosts learn all of it from the catalogue the board
// announces (the dashboard draws a switch for LED, Home Assistant gets a switch entity); the
// board gets compact constants instead. Evaluated on the host by `pinwire build`.
import { defineApp, message, part } from "pinwire/app";

// The LED: a command (1 on, 0 off) that the board also reports when it changes.
export const LED = message({
  code: 20,
  dir: "both",
  range: [0, 1],
  control: "LED",
  ui: [{ widget: "switch", on: 1, off: 0 }],
  ha: { component: "switch", name: "LED", on: 1, off: 0 },
});

// How many times the button was pressed since the board started.
export const PRESSES = message({ code: 21, dir: "report", ui: [{ widget: "value" }] });

// Espruino names pins by GPIO number. esp8266 NodeMCU/Wemos: the blue on-board LED is GPIO2
// (D2 here, labelled D4 on the board; lit at 0, hence invert), the FLASH button GPIO0 (D0,
// labelled D3; to ground). esp32 DevKit: LED GPIO2, BOOT button GPIO0.
export const led = part("digitalOut", { pins: { esp8266: "D2", esp32: "D2", linux: "D2" }, invert: true });
export const button = part("button", { pins: { esp8266: "D0", esp32: "D0", linux: "D0" }, debounce: 20 });

export default defineApp({
  name: "{{name}}",
  version: "0.1.0",
  messages: { LED, PRESSES },
  parts: { led, button },
});
