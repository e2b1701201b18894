// What Espruino 2v29 has, for board code (an app's logic, the pinwire runtime): the board's own
// API (pins, timers, console, E, process, Storage and the other built-in modules) and what its
// JavaScript has beyond ES5 (TypeScript's lib.es5.d.ts, which the board tsconfig loads with
// this file). What Espruino lacks is in espruino-lacks.d.ts. Each name here is checked against
// the real interpreter (test/espruino/typings.test.ts): a declaration that the board does not
// have fails that test. Signatures follow the Espruino reference (espruino.com/Reference).

// ---- JavaScript beyond ES5 that Espruino 2v29 has

interface Array<T> {
  find<S extends T>(predicate: (value: T, index: number, obj: T[]) => value is S): S | undefined;
  find(predicate: (value: T, index: number, obj: T[]) => unknown): T | undefined;
  findIndex(predicate: (value: T, index: number, obj: T[]) => unknown): number;
  fill(value: T, start?: number, end?: number): this;
  includes(searchElement: T, fromIndex?: number): boolean;
}

interface ReadonlyArray<T> {
  find<S extends T>(predicate: (value: T, index: number, obj: readonly T[]) => value is S): S | undefined;
  find(predicate: (value: T, index: number, obj: readonly T[]) => unknown): T | undefined;
  findIndex(predicate: (value: T, index: number, obj: readonly T[]) => unknown): number;
  includes(searchElement: T, fromIndex?: number): boolean;
}

interface ObjectConstructor {
  assign<T extends {}, U>(target: T, source: U): T & U;
  assign<T extends {}, U, V>(target: T, source1: U, source2: V): T & U & V;
  assign(target: object, ...sources: any[]): any;
  values<T>(o: { [s: string]: T } | ArrayLike<T>): T[];
  values(o: {}): any[];
  entries<T>(o: { [s: string]: T } | ArrayLike<T>): [string, T][];
  entries(o: {}): [string, any][];
  fromEntries<T = any>(entries: ArrayLike<readonly [PropertyKey, T]>): { [k: string]: T };
  setPrototypeOf(o: any, proto: object | null): any;
  getOwnPropertyDescriptors<T>(o: T): { [P in keyof T]: TypedPropertyDescriptor<T[P]> } & { [x: string]: PropertyDescriptor };
}

interface String {
  includes(searchString: string, position?: number): boolean;
  startsWith(searchString: string, position?: number): boolean;
  endsWith(searchString: string, endPosition?: number): boolean;
  repeat(count: number): string;
  padStart(maxLength: number, fillString?: string): string;
  padEnd(maxLength: number, fillString?: string): string;
  replaceAll(searchValue: string | RegExp, replaceValue: string): string;
}

interface Math {
  sign(x: number): number;
  // Espruino's own: x limited to min..max, and x wrapped into 0..max.
  clip(x: number, min: number, max: number): number;
  wrap(x: number, max: number): number;
}

// What every typed array has beyond ES5 (each typed array interface below takes it on).
interface EspruinoTypedArrayExtras {
  includes(searchElement: number, fromIndex?: number): boolean;
}
interface Int8Array<TArrayBuffer extends ArrayBufferLike = ArrayBufferLike> extends EspruinoTypedArrayExtras {}
interface Uint8Array<TArrayBuffer extends ArrayBufferLike = ArrayBufferLike> extends EspruinoTypedArrayExtras {}
interface Uint8ClampedArray<TArrayBuffer extends ArrayBufferLike = ArrayBufferLike> extends EspruinoTypedArrayExtras {}
interface Int16Array<TArrayBuffer extends ArrayBufferLike = ArrayBufferLike> extends EspruinoTypedArrayExtras {}
interface Uint16Array<TArrayBuffer extends ArrayBufferLike = ArrayBufferLike> extends EspruinoTypedArrayExtras {}
interface Int32Array<TArrayBuffer extends ArrayBufferLike = ArrayBufferLike> extends EspruinoTypedArrayExtras {}
interface Uint32Array<TArrayBuffer extends ArrayBufferLike = ArrayBufferLike> extends EspruinoTypedArrayExtras {}
interface Float32Array<TArrayBuffer extends ArrayBufferLike = ArrayBufferLike> extends EspruinoTypedArrayExtras {}
interface Float64Array<TArrayBuffer extends ArrayBufferLike = ArrayBufferLike> extends EspruinoTypedArrayExtras {}

// Promise: the constructor, resolve, reject and all (race, allSettled, any and finally are
// missing: espruino-lacks.d.ts).
interface PromiseConstructor {
  readonly prototype: Promise<any>;
  new <T>(executor: (resolve: (value: T | PromiseLike<T>) => void, reject: (reason?: any) => void) => void): Promise<T>;
  all<T extends readonly unknown[] | []>(values: T): Promise<{ -readonly [P in keyof T]: Awaited<T[P]> }>;
  reject<T = never>(reason?: any): Promise<T>;
  resolve(): Promise<void>;
  resolve<T>(value: T): Promise<Awaited<T>>;
  resolve<T>(value: T | PromiseLike<T>): Promise<Awaited<T>>;
}
declare var Promise: PromiseConstructor;

// ---- the console and timers

interface Console {
  log(...data: any[]): void;
  info(...data: any[]): void;
  warn(...data: any[]): void;
  error(...data: any[]): void;
  debug(...data: any[]): void;
  trace(...data: any[]): void;
}
declare var console: Console;

// Prints to the console (as console.log: the arguments separated by spaces).
declare function print(...text: any[]): void;

// Timers return an id (a number) for clearTimeout/clearInterval/changeInterval. Extra
// arguments are passed to fn.
declare function setTimeout(fn: (...args: any[]) => void, timeout?: number, ...args: any[]): number;
declare function setInterval(fn: (...args: any[]) => void, timeout?: number, ...args: any[]): number;
// Without an id: every timeout (resp. interval) goes.
declare function clearTimeout(id?: number): void;
declare function clearInterval(id?: number): void;
declare function changeInterval(id: number, time: number): void;

// Seconds since the board started (or since setTime), with sub-millisecond resolution.
declare function getTime(): number;
declare function setTime(time: number): void;

// ---- the interpreter

// Restarts the interpreter and runs the file from Storage (without one: .bootcde and the saved state).
declare function load(filename?: string): void;
// Clears the interpreter (and with true, the saved code in flash).
declare function reset(clearFlash?: boolean): void;
// Saves the interpreter's state to flash.
declare function save(): void;
declare function dump(): void;
declare function edit(funcName: string | Function): void;
declare function trace(root?: any): void;
declare function getSerial(): string;
declare function peek8(addr: number, count?: number): number;
declare function peek16(addr: number, count?: number): number;
declare function peek32(addr: number, count?: number): number;
declare function poke8(addr: number, value: number | number[]): void;
declare function poke16(addr: number, value: number | number[]): void;
declare function poke32(addr: number, value: number | number[]): void;
declare function setBusyIndicator(pin?: Pin): void;
declare function setSleepIndicator(pin?: Pin): void;
declare function btoa(binaryData: string): string;
declare function atob(base64Data: string): string;

// The global object (Espruino's name for globalThis). Board code calls global.require(...): a
// bare `require` would make the bundler add its dynamic-require shim.
declare var global: typeof globalThis;

interface ProcessMemory {
  free: number; // JsVars free
  usage: number; // JsVars in use
  total: number;
  history: number;
  gc: number; // JsVars freed by the garbage collection this call ran
  gctime: number;
  blocksize: number; // bytes per JsVar
  stackEndAddress?: number;
  flash_start?: number;
  flash_binary_end?: number;
  flash_code_start?: number;
  flash_length?: number;
}

interface ProcessEnv {
  VERSION: string;
  BOARD: string;
  // The firmware's built-in modules, comma-separated ("Flash,Storage,net,...").
  MODULES: string;
  [key: string]: any;
}

interface EspruinoProcess {
  readonly version: string;
  readonly env: ProcessEnv;
  // gc (default true): run a garbage collection first.
  memory(gc?: boolean): ProcessMemory;
  on(event: "uncaughtException", callback: (exception: any) => void): void;
}
declare var process: EspruinoProcess;

declare namespace Modules {
  function addCached(id: string, sourcecode: string | Function): void;
  function removeCached(id: string): void;
  function removeAllCached(): void;
  function getCached(): string[];
}

// ---- E: Espruino's utilities

declare namespace E {
  // The arguments (strings, numbers as bytes, arrays, typed arrays, {data, count}) as one string, one char per byte.
  function toString(...args: any[]): string;
  function toUint8Array(...args: any[]): Uint8Array;
  function toArrayBuffer(str: string): ArrayBuffer;
  function toJS(arg: any): string;
  function CRC32(data: any): number;
  // JsVars used by v (depth: how far into it).
  function getSizeOf(v: any, depth?: number): number;
  function getAddressOf(v: any, flatAddress: boolean): number;
  function on(event: "init" | "kill", callback: () => void): void;
  function on(event: "errorFlag", callback: (errorFlags: string[]) => void): void;
  function on(event: string, callback: (...args: any[]) => void): void;
  function reboot(): void;
  function hwRand(): number;
  function srand(v: number): void;
  function getTemperature(): number;
  function getAnalogVRef(): number;
  function enableWatchdog(timeout: number, isAuto?: boolean | "auto"): void;
  function kickWatchdog(): void;
  function getErrorFlags(): string[];
  function getFlags(): { [flag: string]: number };
  function setFlags(flags: { [flag: string]: boolean | number }): void;
  function setConsole(device: string | null, options?: { force?: boolean }): void;
  function lockConsole(): void;
  function setPassword(password: string | undefined): void;
  function setTimeZone(zone: number): void;
  function setDST(params: number[]): void;
  function setClock(options: any): number;
  function setBootCode(code: string, alwaysExec?: boolean): void;
  function clip(x: number, min: number, max: number): number;
  function sum(arr: ArrayLike<number>): number;
  function variance(arr: ArrayLike<number>, mean: number): number;
  function convolve(arr1: ArrayLike<number>, arr2: ArrayLike<number>, offset: number): number;
  // Not on the ESP8266 (left out of its firmware).
  function FFT(arrReal: any, arrImage?: any, inverse?: boolean): void;
  function HSBtoRGB(hue: number, sat: number, bri: number, format?: boolean | number): any;
  function decodeUTF8(str: string, lookup: string[], replaceFn: string | ((ch: string) => string)): string;
  function reverseByte(x: number): number;
  function mapInPlace(from: ArrayLike<number>, to: any, map: Function | ArrayLike<number> | undefined, bits?: number): void;
  function lookupNoCase(haystack: object, needle: string, returnKey: boolean): any;
  function pipe(source: any, destination: any, options?: { chunkSize?: number; end?: boolean; complete?: () => void }): void;
  function dumpStr(): string;
  function dumpFragmentation(): void;
  function dumpVariables(): void;
  function defrag(): void;
  function memoryArea(addr: number, len: number): string;
  function nativeCall(addr: number, sig: string, data?: string): any;
  function compiledC(code: string): any;
  function asm(callspec: string, ...args: any[]): any;
  function getPowerUsage(): { device: { [name: string]: number } };
  function stopEventPropagation(): void;
}

// ---- pins

type PinMode = "analog" | "input" | "input_pullup" | "input_pulldown" | "output" | "opendrain" | "opendrain_pullup" | "af_output" | "af_opendrain" | "auto";

interface Pin {
  read(): boolean;
  write(value: boolean | number): void;
  set(): void;
  reset(): void;
  toggle(): boolean;
  mode(mode: PinMode): void;
  getMode(): PinMode;
  getInfo(): any;
  analog(): number;
  pwm(value: number, options?: { freq?: number; soft?: boolean; forceSoft?: boolean }): void;
}
interface PinConstructor {
  new (value: number | string | Pin): Pin;
  (value: number | string | Pin): Pin;
}
declare var Pin: PinConstructor;

// Espruino's pin names. D0..D16 and A0 on the ESP8266 (A0 the ADC), D0..D39 on the ESP32,
// D0..D32 on the Linux build (where they do nothing).
declare const D0: Pin, D1: Pin, D2: Pin, D3: Pin, D4: Pin, D5: Pin, D6: Pin, D7: Pin, D8: Pin, D9: Pin;
declare const D10: Pin, D11: Pin, D12: Pin, D13: Pin, D14: Pin, D15: Pin, D16: Pin, D17: Pin, D18: Pin, D19: Pin;
declare const D20: Pin, D21: Pin, D22: Pin, D23: Pin, D24: Pin, D25: Pin, D26: Pin, D27: Pin, D28: Pin, D29: Pin;
declare const D30: Pin, D31: Pin, D32: Pin, D33: Pin, D34: Pin, D35: Pin, D36: Pin, D37: Pin, D38: Pin, D39: Pin;
declare const A0: Pin;
declare const HIGH: 1;
declare const LOW: 0;

type PinLike = Pin | number | string;

declare function digitalWrite(pin: PinLike | PinLike[], value: number | boolean): void;
declare function digitalRead(pin: PinLike | PinLike[]): number;
// A pulse of `value` for `time` ms (or a list of times, alternating the level).
declare function digitalPulse(pin: PinLike, value: number | boolean, time: number | number[]): void;
// A fraction 0..1 of the ADC's range.
declare function analogRead(pin: PinLike): number;
// value 0..1: the duty cycle.
declare function analogWrite(pin: PinLike, value: number, options?: { freq?: number; soft?: boolean; forceSoft?: boolean }): void;
declare function pinMode(pin: PinLike, mode?: PinMode, automatic?: boolean): void;
declare function getPinMode(pin: PinLike): PinMode;
declare function shiftOut(pins: PinLike | PinLike[], options: { clk?: Pin; clkPol?: boolean; repeat?: number }, data: any): void;

interface WatchEvent {
  state: boolean; // the pin's level after the change
  time: number; // getTime() of the change
  lastTime: number; // of the change before it
  data?: number; // the `data` pin's level, when one was given
}
interface WatchOptions {
  repeat?: boolean; // default false: the watch goes after its first call
  edge?: "rising" | "falling" | "both" | 1 | -1 | 0;
  debounce?: number; // ms
  irq?: boolean;
  data?: Pin;
  hispeed?: boolean;
}
declare function setWatch(fn: (e: WatchEvent) => void, pin: PinLike, options?: boolean | WatchOptions): number;
declare function clearWatch(id?: number): void;

// ---- buses

interface SerialPort {
  setup(baudrate?: number, options?: { rx?: Pin; tx?: Pin; ck?: Pin; cts?: Pin; bytesize?: number; parity?: null | "none" | "o" | "odd" | "e" | "even"; stopbits?: number; flow?: null | undefined | "none" | "xon" }): void;
  write(...data: any[]): void;
  print(str: string): void;
  println(str: string): void;
  read(chars?: number): string;
  available(): number;
  on(event: "data", callback: (data: string) => void): void;
  on(event: string, callback: (...args: any[]) => void): void;
}
declare var Serial: { new (): SerialPort; prototype: SerialPort };
declare var Serial1: SerialPort;
declare var Serial2: SerialPort;
declare var LoopbackA: SerialPort;
declare var LoopbackB: SerialPort;

interface I2CBus {
  setup(options?: { scl?: Pin; sda?: Pin; bitrate?: number }): void;
  writeTo(address: number | { address: number; stop: boolean }, ...data: any[]): void;
  readFrom(address: number | { address: number; stop: boolean }, quantity: number): Uint8Array;
}
declare var I2C: { new (): I2CBus; prototype: I2CBus };

interface SPIBus {
  setup(options?: { sck?: Pin; miso?: Pin; mosi?: Pin; baud?: number; mode?: 0 | 1 | 2 | 3; order?: "msb" | "lsb"; bits?: number }): void;
  send(data: any, nss_pin?: Pin): any;
  write(...data: any[]): void;
}
declare var SPI: { new (): SPIBus; prototype: SPIBus };

interface OneWireBus {
  reset(): boolean;
  select(rom: string): void;
  skip(): void;
  write(data: any, power?: boolean): void;
  read(count?: number): any;
  search(command?: number): string[];
}
declare var OneWire: { new (pin: Pin): OneWireBus; prototype: OneWireBus };

// ---- modules: global.require(name)

interface StorageFile {
  read(len: number): string | undefined;
  readLine(): string | undefined;
  write(data: string): void;
  erase(): void;
  getLength(): number;
}

interface StorageModule {
  // The file's contents (on the chips: a string mapped from flash, no RAM copy), or undefined.
  read(name: string, offset?: number, length?: number): string | undefined;
  readJSON(name: string, noExceptions?: boolean | number): any;
  readArrayBuffer(name: string): ArrayBuffer | undefined;
  // With offset and size: a file of `size` bytes created by its first piece (offset 0).
  write(name: string, data: string | ArrayBuffer | ArrayBufferView | number[], offset?: number, size?: number): boolean;
  writeJSON(name: string, data: any): boolean;
  erase(name: string): void;
  eraseAll(): void;
  list(regex?: RegExp | string, filter?: { sf?: boolean }): string[];
  getFree(checkInternalFlash?: boolean): number;
  getStats(): { totalBytes: number; freeBytes: number; fileBytes: number; fileCount: number; trashBytes: number; trashCount: number };
  compact(showMessage?: boolean): void;
  optimise(): void;
  hash(regex?: RegExp): number;
  open(name: string, mode: "r" | "w" | "a"): StorageFile;
}

interface NetSocket {
  write(data: string): boolean;
  end(data?: string): void;
  on(event: "data", callback: (data: string) => void): void;
  on(event: "connect" | "close" | "end" | "drain", callback: () => void): void;
  on(event: "error", callback: (err: { code: number; message: string }) => void): void;
  on(event: string, callback: (...args: any[]) => void): void;
}
interface NetServer {
  listen(port: number): NetServer;
  close(): void;
}
interface NetModule {
  connect(options: { host: string; port: number } | string, callback?: () => void): NetSocket;
  createServer(callback: (socket: NetSocket) => void): NetServer;
}

interface CryptoModule {
  SHA1(message: string | ArrayBuffer | ArrayBufferView): ArrayBuffer;
  // Not on the ESP8266 (its firmware has SHA1 only).
  SHA224(message: string | ArrayBuffer | ArrayBufferView): ArrayBuffer;
  SHA256(message: string | ArrayBuffer | ArrayBufferView): ArrayBuffer;
  SHA384(message: string | ArrayBuffer | ArrayBufferView): ArrayBuffer;
  SHA512(message: string | ArrayBuffer | ArrayBufferView): ArrayBuffer;
  // PBKDF2 and AES: not on the ESP8266 either.
  PBKDF2(passphrase: string, salt: string, options?: { keySize?: number; iterations?: number; hasher?: string }): ArrayBuffer;
  AES: {
    encrypt(passphrase: any, key: any, options?: { iv?: any; mode?: string }): ArrayBuffer;
    decrypt(passphrase: any, key: any, options?: { iv?: any; mode?: string }): ArrayBuffer;
  };
}

interface HeatshrinkModule {
  compress(data: any): ArrayBuffer;
  decompress(data: any): ArrayBuffer;
}

// ESP8266 and ESP32 only (the Linux build uses the host's network).
interface WifiIP {
  ip: string;
  netmask: string;
  gw: string;
  mac: string;
}
interface WifiModule {
  connect(ssid: string, options?: { password?: string; dnsServers?: string[]; authMode?: string; channel?: number; bssid?: string }, callback?: (err: string | null) => void): void;
  disconnect(callback?: () => void): void;
  getIP(callback?: (err: string | null, ip: WifiIP) => void): WifiIP;
  getStatus(callback?: (status: any) => void): any;
  getDetails(callback?: (details: any) => void): any;
  scan(callback: (aps: { ssid: string; mac: string; authMode: string; channel: number; hidden: boolean; rssi: number }[]) => void): void;
  startAP(ssid: string, options?: { password?: string; authMode?: string; channel?: number; hidden?: boolean }, callback?: (err: string | null) => void): void;
  stopAP(callback?: () => void): void;
  save(what?: "clear" | "sta" | "sta+ap"): void;
  restore(): void;
  setHostname(hostname: string, callback?: () => void): void;
  getHostname(callback?: (hostname: string) => void): string;
  setSNTP(server: string, tzOffset: number): void;
  on(event: "associated" | "connected" | "disconnected" | "auth_change" | "dhcp_timeout" | "sta_joined" | "sta_left" | "probe_recv", callback: (details: any) => void): void;
}

declare function require(moduleName: "Storage"): StorageModule;
declare function require(moduleName: "net"): NetModule;
declare function require(moduleName: "crypto"): CryptoModule;
declare function require(moduleName: "heatshrink"): HeatshrinkModule;
declare function require(moduleName: "Wifi"): WifiModule;
declare function require(moduleName: string): any;
