// Chosen at build time by scripts/device-bundle.mjs (esbuild define).
declare const PINWIRE_BOARD: "esp8266" | "esp32" | "linux";

// What the build knows of the app the bundle runs (host/app/declaration.ts appModule).
declare module "pinwire:app" {
  export const APP_NAME: string;
  export const APP_VERSION: string;
  export const APP_HASH: string; // the catalogue's hash
  // Functions, so that their literals are only made when used (docs/espruino.md):
  export function APP_CATALOGUE(): string; // the catalogue JSON
  // The commands, ";"-separated: "code min max alias unit" (int32) or "code * size alias" (struct).
  export function APP_COMMANDS(): string;
  export function APP_REPORTS(): number[]; // the report codes, in declaration order
}
