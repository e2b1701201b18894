// A real-interpreter board running a pinwire script, laid out in Storage exactly as
// `pinwire flash` writes it (flash/usb.ts flashFiles: loader .bootcde, the script pw.a, its
// Storage modules, pw.st, pinwire.json), booted from a clean start.
//
// The Linux builds' pins (D0-D32) exist but do nothing and analogRead prints an error there, so
// the reference app's light sensor is left out and the ESP32's encoder pins (D32/D33) are moved
// into that range; everything else of the app runs as on a chip.
import { loadavg } from "node:os";
import { flashFiles } from "../../flash/usb";
import { Espruino, type Memory } from "./interpreter";

export type BoardPool = "esp8266" | "esp32";

export const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

export interface RealBoard {
  e: Espruino;
  memory(): Promise<Memory>;
  close(): Promise<void>;
}

// The config for a board of the reference app on this rig.
export function realConfig(o: object): object {
  return { pins: { light: null, encoder: { clk: "D12", dt: "D13" } }, ...o };
}

// Boots `pool`'s bundle (the esp8266 bundle on the ESP8266 pool, the esp32 one on the ESP32
// pool). `app`/`modules` as flashFiles takes them (default: dist/device/<board>/).
export async function bootReal(pool: BoardPool, config: object, app?: string): Promise<RealBoard> {
  const files = await flashFiles(pool, config, app);
  const e = await Espruino.start(pool);
  try {
    await e.writeFiles(files);
    await e.boot();
  } catch (x) {
    await e.close();
    throw x;
  }
  return {
    e,
    memory: () => e.memory(),
    close: () => e.close(),
  };
}
