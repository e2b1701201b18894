// A sensor that reports one C struct every second: the 36-byte record a C firmware would
// send, declared once here and decoded by every host (dashboard included) from the catalogue.
// On the wire it is `struct { uint8_t cmd; <these members> }`: 40 bytes, the record at byte 4.
// The board (main.ts) fills it from an analog sensor: see Reading.
import { defineApp, message, part } from "pinwire/app";

export interface Reading {
  id: number; // int: the reading's sequence number since the app started (1, 2, ...)
  v1: number; // float: the sensor's level now, % (-1: no sensor wired)
  v2: number; // float: the level smoothed over about the last four readings, %
  v3: number; // unsigned long: ms since the app started (Arduino's millis(); wraps after 49 days)
  v4: string; // char[20]: "ok", or "no sensor"
}

export const READING = message<Reading>({
  code: 20,
  dir: "report",
  payload: "struct { int id; float v1; float v2; unsigned long v3; char v4[20]; }",
  ui: [{ widget: "table" }],
});

// How often the board reports, in ms. A PERIOD command also takes one reading at once, so
// PERIOD 0 is a reading on request (and none after).
export const PERIOD = message({
  code: 21,
  dir: "both",
  unit: "ms",
  range: [0, 60000],
  control: "PERIOD",
  ui: [{ widget: "buttons", presets: [0, 250, 1000, 5000] }, { widget: "value" }],
  ha: { component: "number", name: "Report period" },
});

// The analog sensor: esp8266's one ADC pin A0; esp32 GPIO34 (ADC1, works with WiFi on); the
// Linux build has no ADC (analogRead prints an error there), so no sensor.
export const sensor = part("analogIn", { pins: { esp8266: "A0", esp32: "D34", linux: null }, period: 250, avg: 4, hyst: 1 });

export default defineApp({
  name: "sensor-struct",
  version: "1.0.0",
  messages: { READING, PERIOD },
  parts: { sensor },
});
