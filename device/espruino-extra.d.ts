// What @types/espruino (1v95) lacks and Espruino 2v29 has. Keep it to what pinwire calls.
declare var console: { log(...args: any[]): void };
declare function setTimeout(fn: () => void, ms: number): any;
declare function setInterval(fn: () => void, ms: number): any;
declare function require(module: string): any;
// Prefer global.require(...) in bundled code: a bare `require` makes esbuild add its
// dynamic-require shim, which names Proxy (test/es5-bundle.test.ts refuses it) and costs bytes.
declare var global: { require(module: string): any };
declare var process: { memory(): { free: number; usage: number; total: number; blocksize?: number }; env: any; version: string; on(event: string, fn: (...args: any[]) => void): void };
declare namespace E {
  function toString(...args: any[]): string;
  function CRC32(data: any): number;
  function on(event: string, fn: (...args: any[]) => void): void;
  function getSizeOf(v: any, depth?: number): number;
  function reboot(): void;
}
declare var Modules: { removeCached(name: string): void; addCached(name: string, code: string): void };
