// A sensor that reports one C struct every second: the 36-byte record a C firmware would
// send, declared once here and decoded by every host (dashboard included) from the catalogue.
// On the wire it is `struct { uint8_t cmd; <these members> }`: 40 bytes, the record at byte 4.
import { defineApp, message } from "pinwire/app";

export interface Reading {
  id: number;
  v1: number;
  v2: number;
  v3: number;
  v4: string;
}

export const READING = message<Reading>({
  code: 20,
  dir: "report",
  payload: "struct { int id; float v1; float v2; unsigned long v3; char v4[20]; }",
  ui: [{ widget: "table" }],
});

// How often the board reports, in ms (0: only on request).
export const PERIOD = message({
  code: 21,
  dir: "both",
  unit: "ms",
  range: [0, 60000],
  control: "PERIOD",
  ui: [{ widget: "buttons", presets: [0, 250, 1000, 5000] }, { widget: "value" }],
  ha: { component: "number", name: "Report period" },
});

export default defineApp({
  name: "sensor-struct",
  version: "1.0.0",
  messages: { READING, PERIOD },
});
