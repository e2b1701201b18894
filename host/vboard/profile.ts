// What differs between the boards the virtual board can be: pins, memory pool, modules, the
// watchdog and the process.env the Espruino CLI reads. The pools are those of the Espruino 2v29
// builds the project measures against (README: "Memory model").
import type { Pool } from "./memory";

export type BoardName = "esp8266" | "esp32" | "linux";

// What resets a stuck script on this chip (README: "Watchdog"):
//  - chipMs: a watchdog the chip always runs (the ESP8266 SDK's software watchdog);
//  - enable: E.enableWatchdog() arms one ("seconds": its timeout rounded to whole seconds, as
//    the ESP32's task watchdog does); "none": E.enableWatchdog() does nothing there.
export interface WatchdogProfile {
  chipMs?: number;
  chipReason?: string; // ESP8266.getResetInfo().reason after it fired
  enable: "seconds" | "none";
  reason: string; // the reset reason E.enableWatchdog's watchdog leaves
}


export interface BoardProfile {
  name: BoardName;
  pinCount: number; // D0..D(pinCount-1)
  analogPins: string[]; // pins analogRead accepts
  adcMax: number; // full scale of the raw ADC reading (setAnalog({raw}))
  pool: Pool;
  watchdog: WatchdogProfile;
  storageBytes: number; // Storage capacity (getFree on an empty store)
  modules: string[]; // built-in modules require() finds
  sha256: boolean;
  env: Record<string, unknown>;
  aliases: Record<string, string>; // extra global pin names (A0) -> pin name
}

const common = { VERSION: "2v29", GIT_COMMIT: "vboard", EXPTR: 0 };

export const PROFILES: Record<BoardName, BoardProfile> = {
  esp8266: {
    name: "esp8266",
    pinCount: 17,
    analogPins: ["A0"],
    adcMax: 1023,
    // espruino-esp8266-1700: 11-bit refs, 12-byte JsVars
    pool: { vars: 1700, varBytes: 12, refBits: 11, refCountBits: 4, packBits: 0, nameChars: 4, base: 38 },
    // E.enableWatchdog is a stub in the 2v29 ESP8266 port (targets/esp8266/jshardware.c); the
    // SDK's software watchdog resets the chip when code keeps the CPU for 3.2 s.
    watchdog: { chipMs: 3200, chipReason: "soft wdt", enable: "none", reason: "soft wdt" },
    storageBytes: 65536,
    modules: ["Storage", "net", "Wifi", "crypto", "heatshrink", "ESP8266", "TelnetServer"],
    sha256: false,
    env: { ...common, BOARD: "ESP8266_BOARD", FLASH: 524288, RAM: 81920, SERIAL: "", CONSOLE: "Telnet", MODULES: "Flash,Storage,heatshrink,net,dgram,http,NetworkJS,Wifi,ESP8266,TelnetServer,crypto,neopixel" },
    aliases: { A0: "A0" },
  },
  esp32: {
    name: "esp32",
    pinCount: 41,
    analogPins: ["D32", "D33", "D34", "D35", "D36", "D39"],
    adcMax: 4095,
    // espruino-esp32-2500: 12-bit refs, 13-byte JsVars (a real ESP32 sizes its pool from free heap)
    pool: { vars: 2500, varBytes: 13, refBits: 12, refCountBits: 8, packBits: 0, nameChars: 4, base: 38 },
    // esp_task_wdt, timeout rounded to whole seconds (targets/esp32/jshardware.c)
    watchdog: { enable: "seconds", reason: "task wdt" },
    storageBytes: 262144,
    modules: ["Storage", "net", "tls", "Wifi", "crypto", "heatshrink", "ESP32"],
    sha256: true,
    env: { ...common, BOARD: "ESP32", FLASH: 0, RAM: 524288, SERIAL: "", CONSOLE: "Serial1", MODULES: "Flash,Storage,heatshrink,net,dgram,http,NetworkJS,Wifi,TelnetServer,crypto,tls,neopixel,ESP32" },
    aliases: {},
  },
  linux: {
    name: "linux",
    pinCount: 33,
    analogPins: [], // analogRead prints an error on the Linux build
    adcMax: 4095,
    // the stock 64-bit build (its pool grows from 4,096; 32-bit refs, 8-character names)
    pool: { vars: 4096, varBytes: 27, refBits: 32, refCountBits: 8, packBits: 0, nameChars: 8, base: 31 },
    // jshEnableWatchDog/jshKickWatchDog are empty on Linux: nothing resets a stuck script
    watchdog: { enable: "none", reason: "" },
    storageBytes: 1048576,
    modules: ["Storage", "net", "tls", "crypto", "heatshrink"],
    sha256: true,
    env: { ...common, BOARD: "LINUX", FLASH: 0, RAM: 0, SERIAL: "", CONSOLE: "USB", MODULES: "Flash,Storage,heatshrink,fs,net,dgram,tls,http,crypto" },
    aliases: {},
  },
};

// NodeMCU silk-screen names on the ESP8266 (NodeMCU.D8 is GPIO15 = D15, and so on).
export const NODEMCU: Record<string, string> = {
  A0: "A0", D0: "D16", D1: "D5", D2: "D4", D3: "D0", D4: "D2", D5: "D14", D6: "D12", D7: "D13", D8: "D15", D9: "D3", D10: "D1",
};
