// The boards pinwire builds for, named once: the ESP8266 and ESP32 chips, and Espruino's
// Linux build (the real interpreter on the host, for tests).
export const BOARDS = ["esp8266", "esp32", "linux"] as const;
export type BoardName = (typeof BOARDS)[number];

export function isBoard(v: string): v is BoardName {
  return (BOARDS as readonly string[]).indexOf(v) >= 0;
}
