// Chosen at build time by scripts/device-bundle.mjs (esbuild define).
declare const PINWIRE_BOARD: "esp8266" | "esp32" | "linux";
