// What Espruino 2v29 lacks, each declared with the reason and what to use instead. Using one of
// these in board code is an error in `pinwire build` at the line that uses it: the checker
// (host/app/check.ts) reports every use of a declaration of this file, with the text of its
// @deprecated tag. An editor strikes the use through and shows the same text. A name that ES5
// lacks too is typed NotOnEspruino<name>, so even a plain `tsc` refuses to call or construct it
// and names it in the error. test/espruino/typings.test.ts checks on the real interpreter that
// each of them is indeed missing there.

// The type of a name Espruino 2v29 does not have.
interface NotOnEspruino<Name extends string> {
  readonly "not on Espruino 2v29": Name;
}

// ---- globals

/** @deprecated Espruino 2v29 has no Map: use a plain object ({ [key: string]: V }), with string keys. */
declare var Map: NotOnEspruino<"Map">;
/** @deprecated Espruino 2v29 has no Map: use a plain object ({ [key: string]: V }), with string keys. */
interface Map<K, V> extends NotOnEspruino<"Map"> {}
/** @deprecated Espruino 2v29 has no Set: use a plain object ({ [key: string]: true }) or an array with indexOf. */
declare var Set: NotOnEspruino<"Set">;
/** @deprecated Espruino 2v29 has no Set: use a plain object ({ [key: string]: true }) or an array with indexOf. */
interface Set<T> extends NotOnEspruino<"Set"> {}
/** @deprecated Espruino 2v29 has no WeakMap: keep the value in a property of the object itself. */
declare var WeakMap: NotOnEspruino<"WeakMap">;
/** @deprecated Espruino 2v29 has no WeakMap: keep the value in a property of the object itself. */
interface WeakMap<K, V> extends NotOnEspruino<"WeakMap"> {}
/** @deprecated Espruino 2v29 has no WeakSet: mark the object with a property of its own. */
declare var WeakSet: NotOnEspruino<"WeakSet">;
/** @deprecated Espruino 2v29 has no WeakSet: mark the object with a property of its own. */
interface WeakSet<T> extends NotOnEspruino<"WeakSet"> {}
/** @deprecated Espruino 2v29 has no Symbol: use a string key (a property name nothing else uses). */
declare var Symbol: NotOnEspruino<"Symbol">;
/** @deprecated Espruino 2v29 has no Proxy: use explicit getter and setter functions. */
declare var Proxy: NotOnEspruino<"Proxy">;
/** @deprecated Espruino 2v29 has no Reflect: use the Object functions (Object.keys, Object.getPrototypeOf, ...) and plain property access. */
declare var Reflect: NotOnEspruino<"Reflect">;
/** @deprecated Espruino 2v29 has no BigInt: numbers are doubles (exact integers up to 2^53); split larger values into two numbers. */
declare var BigInt: NotOnEspruino<"BigInt">;
/** @deprecated Espruino 2v29 has no BigInt64Array: use two Uint32Array words per value. */
declare var BigInt64Array: NotOnEspruino<"BigInt64Array">;
/** @deprecated Espruino 2v29 has no BigUint64Array: use two Uint32Array words per value. */
declare var BigUint64Array: NotOnEspruino<"BigUint64Array">;
/** @deprecated Espruino 2v29 has no WeakRef: hold the object, and drop the reference when done. */
declare var WeakRef: NotOnEspruino<"WeakRef">;
/** @deprecated Espruino 2v29 has no FinalizationRegistry: free resources explicitly. */
declare var FinalizationRegistry: NotOnEspruino<"FinalizationRegistry">;
/** @deprecated Espruino 2v29 has no AggregateError: throw an Error and keep the causes in a property. */
declare var AggregateError: NotOnEspruino<"AggregateError">;
/** @deprecated Espruino 2v29 has no SharedArrayBuffer: there is one thread; use an ArrayBuffer. */
declare var SharedArrayBuffer: NotOnEspruino<"SharedArrayBuffer">;
/** @deprecated Espruino 2v29 has no Atomics: there is one thread; plain reads and writes are atomic. */
declare var Atomics: NotOnEspruino<"Atomics">;
/** @deprecated Espruino 2v29 has no TextEncoder: use E.toUint8Array(str) for bytes of a string (one byte per char). */
declare var TextEncoder: NotOnEspruino<"TextEncoder">;
/** @deprecated Espruino 2v29 has no TextDecoder: use E.toString(bytes) (one char per byte). */
declare var TextDecoder: NotOnEspruino<"TextDecoder">;
/** @deprecated Espruino 2v29 has no Intl: format numbers with toFixed and dates with their getters. */
declare var Intl: NotOnEspruino<"Intl">;
/** @deprecated Espruino 2v29 has no queueMicrotask: use setTimeout(fn, 0). */
declare var queueMicrotask: NotOnEspruino<"queueMicrotask">;
/** @deprecated Espruino 2v29 has no setImmediate: use setTimeout(fn, 0). */
declare var setImmediate: NotOnEspruino<"setImmediate">;
/** @deprecated Espruino 2v29 has no structuredClone: use JSON.parse(JSON.stringify(v)). */
declare var structuredClone: NotOnEspruino<"structuredClone">;
/** @deprecated Espruino 2v29 has no RangeError: throw an Error (or a TypeError). */
declare var RangeError: RangeErrorConstructor;
/** @deprecated Espruino 2v29 has no EvalError: throw an Error. */
declare var EvalError: EvalErrorConstructor;
/** @deprecated Espruino 2v29 has no URIError: throw an Error. */
declare var URIError: URIErrorConstructor;
/** @deprecated Espruino 2v29 has no encodeURI: use encodeURIComponent on each part. */
declare function encodeURI(uri: string): string;
/** @deprecated Espruino 2v29 has no decodeURI: use decodeURIComponent on each part. */
declare function decodeURI(encodedURI: string): string;
/** @deprecated Espruino 2v29 has no escape: use encodeURIComponent. */
declare function escape(string: string): string;
/** @deprecated Espruino 2v29 has no unescape: use decodeURIComponent. */
declare function unescape(string: string): string;

// ---- members

interface ArrayConstructor {
  /** @deprecated Espruino 2v29 has no Array.from: copy in a loop, or use [].slice.call(arrayLike) for an array-like. */
  readonly from: NotOnEspruino<"Array.from">;
  /** @deprecated Espruino 2v29 has no Array.of: use an array literal. */
  readonly of: NotOnEspruino<"Array.of">;
}

interface Array<T> {
  /** @deprecated Espruino 2v29 has no Array#lastIndexOf: loop down from the end. */
  lastIndexOf(...args: any[]): any;
  /** @deprecated Espruino 2v29 has no Array#reduceRight: reduce a reversed copy (a.slice().reverse()) or loop down from the end. */
  reduceRight(...args: any[]): any;
  /** @deprecated Espruino 2v29 has no Array#toLocaleString: use join(). */
  toLocaleString(...args: any[]): any;
  /** @deprecated Espruino 2v29 has no Array#at: use a[i], or a[a.length - 1] for the last element. */
  readonly at: NotOnEspruino<"Array#at">;
  /** @deprecated Espruino 2v29 has no Array#flat: concatenate with [].concat.apply([], a). */
  readonly flat: NotOnEspruino<"Array#flat">;
  /** @deprecated Espruino 2v29 has no Array#flatMap: map, then [].concat.apply([], mapped). */
  readonly flatMap: NotOnEspruino<"Array#flatMap">;
  /** @deprecated Espruino 2v29 has no Array#findLast: loop down from the end. */
  readonly findLast: NotOnEspruino<"Array#findLast">;
  /** @deprecated Espruino 2v29 has no Array#findLastIndex: loop down from the end. */
  readonly findLastIndex: NotOnEspruino<"Array#findLastIndex">;
  /** @deprecated Espruino 2v29 has no Array#copyWithin: copy in a loop. */
  readonly copyWithin: NotOnEspruino<"Array#copyWithin">;
  /** @deprecated Espruino 2v29 has no Array#keys (no iterators): loop over the indexes. */
  readonly keys: NotOnEspruino<"Array#keys">;
  /** @deprecated Espruino 2v29 has no Array#values (no iterators): loop over the indexes. */
  readonly values: NotOnEspruino<"Array#values">;
  /** @deprecated Espruino 2v29 has no Array#entries (no iterators): loop over the indexes. */
  readonly entries: NotOnEspruino<"Array#entries">;
}

interface ReadonlyArray<T> {
  /** @deprecated Espruino 2v29 has no Array#lastIndexOf: loop down from the end. */
  lastIndexOf(...args: any[]): any;
  /** @deprecated Espruino 2v29 has no Array#reduceRight: loop down from the end. */
  reduceRight(...args: any[]): any;
  /** @deprecated Espruino 2v29 has no Array#toLocaleString: use join(). */
  toLocaleString(...args: any[]): any;
}

interface ObjectConstructor {
  /** @deprecated Espruino 2v29 has no Object.freeze: nothing is frozen there; keep the object private instead. */
  freeze(...args: any[]): any;
  /** @deprecated Espruino 2v29 has no Object.isFrozen. */
  isFrozen(...args: any[]): any;
  /** @deprecated Espruino 2v29 has no Object.seal. */
  seal(...args: any[]): any;
  /** @deprecated Espruino 2v29 has no Object.isSealed. */
  isSealed(...args: any[]): any;
  /** @deprecated Espruino 2v29 has no Object.preventExtensions. */
  preventExtensions(...args: any[]): any;
  /** @deprecated Espruino 2v29 has no Object.isExtensible. */
  isExtensible(...args: any[]): any;
  /** @deprecated Espruino 2v29 has no Object.is: use ===, and x !== x for NaN. */
  readonly is: NotOnEspruino<"Object.is">;
  /** @deprecated Espruino 2v29 has no Object.hasOwn: use Object.prototype.hasOwnProperty.call(o, key). */
  readonly hasOwn: NotOnEspruino<"Object.hasOwn">;
  /** @deprecated Espruino 2v29 has no Symbol, and so no Object.getOwnPropertySymbols. */
  readonly getOwnPropertySymbols: NotOnEspruino<"Object.getOwnPropertySymbols">;
}

interface Object {
  /** @deprecated Espruino 2v29 has no Object#isPrototypeOf: use instanceof. */
  isPrototypeOf(...args: any[]): any;
  /** @deprecated Espruino 2v29 has no Object#propertyIsEnumerable: use hasOwnProperty. */
  propertyIsEnumerable(...args: any[]): any;
  /** @deprecated Espruino 2v29 has no Object#toLocaleString: use toString() or String(v). */
  toLocaleString(...args: any[]): any;
}

interface Function {
  /** @deprecated Espruino 2v29 functions have no name property: pass the name along as a string. */
  readonly name: NotOnEspruino<"Function#name">;
  /** @deprecated Espruino 2v29 has no Function#arguments: use the arguments object inside the function. */
  arguments: any;
  /** @deprecated Espruino 2v29 has no Function#caller. */
  caller: Function;
}

interface IArguments {
  /** @deprecated Espruino 2v29 has no arguments.callee: name the function and call it by its name. */
  callee: Function;
}

interface String {
  /** @deprecated Espruino 2v29 has no String#localeCompare: compare with < and > (char codes). */
  localeCompare(...args: any[]): any;
  /** @deprecated Espruino 2v29 has no String#search: use indexOf for a string, or match(re) and its index. */
  search(...args: any[]): any;
  /** @deprecated Espruino 2v29 has no String#toLocaleLowerCase: use toLowerCase. */
  toLocaleLowerCase(...args: any[]): any;
  /** @deprecated Espruino 2v29 has no String#toLocaleUpperCase: use toUpperCase. */
  toLocaleUpperCase(...args: any[]): any;
  /** @deprecated Espruino 2v29 has no String#codePointAt: strings are bytes there; use charCodeAt. */
  readonly codePointAt: NotOnEspruino<"String#codePointAt">;
  /** @deprecated Espruino 2v29 has no String#normalize. */
  readonly normalize: NotOnEspruino<"String#normalize">;
  /** @deprecated Espruino 2v29 has no String#at: use s[i] or s.charAt(i). */
  readonly at: NotOnEspruino<"String#at">;
  /** @deprecated Espruino 2v29 has no String#trimStart: use trim(), or replace(/^\s+/, ""). */
  readonly trimStart: NotOnEspruino<"String#trimStart">;
  /** @deprecated Espruino 2v29 has no String#trimEnd: use trim(), or replace(/\s+$/, ""). */
  readonly trimEnd: NotOnEspruino<"String#trimEnd">;
  /** @deprecated Espruino 2v29 has no String#matchAll (no iterators): call re.exec(s) in a loop with a /g regular expression. */
  readonly matchAll: NotOnEspruino<"String#matchAll">;
}

interface StringConstructor {
  /** @deprecated Espruino 2v29 has no String.fromCodePoint: strings are bytes there; use String.fromCharCode. */
  readonly fromCodePoint: NotOnEspruino<"String.fromCodePoint">;
  /** @deprecated Espruino 2v29 has no String.raw: escape the backslashes. */
  readonly raw: NotOnEspruino<"String.raw">;
}

interface Number {
  /** @deprecated Espruino 2v29 has no Number#toPrecision: use toFixed. */
  toPrecision(...args: any[]): any;
  /** @deprecated Espruino 2v29 has no Number#toExponential: use toFixed, or String(n). */
  toExponential(...args: any[]): any;
  /** @deprecated Espruino 2v29 has no Number#toLocaleString: use toFixed, or String(n). */
  toLocaleString(...args: any[]): any;
}

interface NumberConstructor {
  /** @deprecated Espruino 2v29 has no Number.isInteger: use Math.floor(x) === x. */
  readonly isInteger: NotOnEspruino<"Number.isInteger">;
  /** @deprecated Espruino 2v29 has no Number.isSafeInteger: compare Math.abs(x) with 9007199254740991. */
  readonly isSafeInteger: NotOnEspruino<"Number.isSafeInteger">;
  /** @deprecated Espruino 2v29 has no Number.isFinite: use typeof x === "number" && isFinite(x). */
  readonly isFinite: NotOnEspruino<"Number.isFinite">;
  /** @deprecated Espruino 2v29 has no Number.isNaN: use x !== x. */
  readonly isNaN: NotOnEspruino<"Number.isNaN">;
  /** @deprecated Espruino 2v29 has no Number.parseInt: use parseInt. */
  readonly parseInt: NotOnEspruino<"Number.parseInt">;
  /** @deprecated Espruino 2v29 has no Number.parseFloat: use parseFloat. */
  readonly parseFloat: NotOnEspruino<"Number.parseFloat">;
  /** @deprecated Espruino 2v29 has no Number.EPSILON: write 2.220446049250313e-16. */
  readonly EPSILON: NotOnEspruino<"Number.EPSILON">;
  /** @deprecated Espruino 2v29 has no Number.MAX_SAFE_INTEGER: write 9007199254740991. */
  readonly MAX_SAFE_INTEGER: NotOnEspruino<"Number.MAX_SAFE_INTEGER">;
  /** @deprecated Espruino 2v29 has no Number.MIN_SAFE_INTEGER: write -9007199254740991. */
  readonly MIN_SAFE_INTEGER: NotOnEspruino<"Number.MIN_SAFE_INTEGER">;
}

interface Math {
  /** @deprecated Espruino 2v29 has no Math.imul: multiply the 16-bit halves ((a & 0xffff) * b + ((a >>> 16) * b << 16)) | 0. */
  readonly imul: NotOnEspruino<"Math.imul">;
  /** @deprecated Espruino 2v29 has no Math.trunc: use x < 0 ? Math.ceil(x) : Math.floor(x), or x | 0 for 32-bit values. */
  readonly trunc: NotOnEspruino<"Math.trunc">;
  /** @deprecated Espruino 2v29 has no Math.log2: use Math.log(x) / Math.LN2. */
  readonly log2: NotOnEspruino<"Math.log2">;
  /** @deprecated Espruino 2v29 has no Math.log10: use Math.log(x) / Math.LN10. */
  readonly log10: NotOnEspruino<"Math.log10">;
  /** @deprecated Espruino 2v29 has no Math.log1p: use Math.log(1 + x). */
  readonly log1p: NotOnEspruino<"Math.log1p">;
  /** @deprecated Espruino 2v29 has no Math.expm1: use Math.exp(x) - 1. */
  readonly expm1: NotOnEspruino<"Math.expm1">;
  /** @deprecated Espruino 2v29 has no Math.hypot: use Math.sqrt(x * x + y * y). */
  readonly hypot: NotOnEspruino<"Math.hypot">;
  /** @deprecated Espruino 2v29 has no Math.cbrt: use Math.pow(x, 1 / 3) (x >= 0). */
  readonly cbrt: NotOnEspruino<"Math.cbrt">;
  /** @deprecated Espruino 2v29 has no Math.clz32: count in a loop. */
  readonly clz32: NotOnEspruino<"Math.clz32">;
  /** @deprecated Espruino 2v29 has no Math.fround: use new Float32Array([x])[0]. */
  readonly fround: NotOnEspruino<"Math.fround">;
  /** @deprecated Espruino 2v29 has no Math.sinh: use (Math.exp(x) - Math.exp(-x)) / 2. */
  readonly sinh: NotOnEspruino<"Math.sinh">;
  /** @deprecated Espruino 2v29 has no Math.cosh: use (Math.exp(x) + Math.exp(-x)) / 2. */
  readonly cosh: NotOnEspruino<"Math.cosh">;
  /** @deprecated Espruino 2v29 has no Math.tanh: use sinh / cosh through Math.exp. */
  readonly tanh: NotOnEspruino<"Math.tanh">;
  /** @deprecated Espruino 2v29 has no Math.asinh: use Math.log(x + Math.sqrt(x * x + 1)). */
  readonly asinh: NotOnEspruino<"Math.asinh">;
  /** @deprecated Espruino 2v29 has no Math.acosh: use Math.log(x + Math.sqrt(x * x - 1)). */
  readonly acosh: NotOnEspruino<"Math.acosh">;
  /** @deprecated Espruino 2v29 has no Math.atanh: use Math.log((1 + x) / (1 - x)) / 2. */
  readonly atanh: NotOnEspruino<"Math.atanh">;
}

interface Date {
  /** @deprecated Espruino 2v29 has no Date#toDateString: use toString() or the getters. */
  toDateString(...args: any[]): any;
  /** @deprecated Espruino 2v29 has no Date#toTimeString: use toString() or the getters. */
  toTimeString(...args: any[]): any;
  /** @deprecated Espruino 2v29 has no Date#toLocaleString: use toString() or toISOString(). */
  toLocaleString(...args: any[]): any;
  /** @deprecated Espruino 2v29 has no Date#toLocaleDateString: use the getters. */
  toLocaleDateString(...args: any[]): any;
  /** @deprecated Espruino 2v29 has no Date#toLocaleTimeString: use the getters. */
  toLocaleTimeString(...args: any[]): any;
  /** @deprecated Espruino 2v29 has no UTC getters: the board's time zone is UTC unless E.setTimeZone changed it; use getFullYear. */
  getUTCFullYear(...args: any[]): any;
  /** @deprecated Espruino 2v29 has no UTC getters: use getMonth (UTC unless E.setTimeZone changed it). */
  getUTCMonth(...args: any[]): any;
  /** @deprecated Espruino 2v29 has no UTC getters: use getDate (UTC unless E.setTimeZone changed it). */
  getUTCDate(...args: any[]): any;
  /** @deprecated Espruino 2v29 has no UTC getters: use getDay (UTC unless E.setTimeZone changed it). */
  getUTCDay(...args: any[]): any;
  /** @deprecated Espruino 2v29 has no UTC getters: use getHours (UTC unless E.setTimeZone changed it). */
  getUTCHours(...args: any[]): any;
  /** @deprecated Espruino 2v29 has no UTC getters: use getMinutes. */
  getUTCMinutes(...args: any[]): any;
  /** @deprecated Espruino 2v29 has no UTC getters: use getSeconds. */
  getUTCSeconds(...args: any[]): any;
  /** @deprecated Espruino 2v29 has no UTC getters: use getMilliseconds. */
  getUTCMilliseconds(...args: any[]): any;
  /** @deprecated Espruino 2v29 has no UTC setters: use setFullYear (UTC unless E.setTimeZone changed it). */
  setUTCFullYear(...args: any[]): any;
  /** @deprecated Espruino 2v29 has no UTC setters: use setMonth. */
  setUTCMonth(...args: any[]): any;
  /** @deprecated Espruino 2v29 has no UTC setters: use setDate. */
  setUTCDate(...args: any[]): any;
  /** @deprecated Espruino 2v29 has no UTC setters: use setHours. */
  setUTCHours(...args: any[]): any;
  /** @deprecated Espruino 2v29 has no UTC setters: use setMinutes. */
  setUTCMinutes(...args: any[]): any;
  /** @deprecated Espruino 2v29 has no UTC setters: use setSeconds. */
  setUTCSeconds(...args: any[]): any;
  /** @deprecated Espruino 2v29 has no UTC setters: use setMilliseconds. */
  setUTCMilliseconds(...args: any[]): any;
}

interface DateConstructor {
  /** @deprecated Espruino 2v29 has no Date.UTC: use new Date(year, month, day, ...).getTime() (UTC unless E.setTimeZone changed it). */
  UTC(...args: any[]): any;
}

interface RegExp {
  /** @deprecated Espruino 2v29 regular expressions have no global property: keep the flags you used. */
  readonly global: boolean;
  /** @deprecated Espruino 2v29 regular expressions have no ignoreCase property: keep the flags you used. */
  readonly ignoreCase: boolean;
  /** @deprecated Espruino 2v29 regular expressions have no multiline property: keep the flags you used. */
  readonly multiline: boolean;
  /** @deprecated Espruino 2v29 has no RegExp#compile: make a new RegExp. */
  compile(...args: any[]): any;
}

interface Error {
  /** @deprecated Espruino 2v29 errors have no name property: String(e) starts with the error's kind ("TypeError: ..."), or test e instanceof TypeError. */
  name: string;
}

interface Promise<T> {
  /** @deprecated Espruino 2v29 has no Promise#finally: pass the same function to then() as both handlers. */
  readonly finally: NotOnEspruino<"Promise#finally">;
}

interface PromiseConstructor {
  /** @deprecated Espruino 2v29 has no Promise.race: settle a shared flag from each promise's then(). */
  readonly race: NotOnEspruino<"Promise.race">;
  /** @deprecated Espruino 2v29 has no Promise.allSettled: map each promise to then(value => ..., reason => ...) and use Promise.all. */
  readonly allSettled: NotOnEspruino<"Promise.allSettled">;
  /** @deprecated Espruino 2v29 has no Promise.any: count the rejections in each promise's then(). */
  readonly any: NotOnEspruino<"Promise.any">;
}

interface ArrayBuffer {
  /** @deprecated Espruino 2v29 has no ArrayBuffer#slice: copy through a view, new Uint8Array(new Uint8Array(buf, begin, n)).buffer. */
  slice(...args: any[]): any;
}

interface ArrayBufferConstructor {
  /** @deprecated Espruino 2v29 has no ArrayBuffer.isView: test v instanceof Uint8Array (or the typed array you expect). */
  isView(...args: any[]): any;
}

// Typed arrays: what none of them has beyond ES5 (each typed array interface takes it on), and
// the gaps in ES5's own members, which have to be declared in each interface to reach it.
// slice() exists but returns a plain Array there.
interface EspruinoTypedArrayGaps {
  /** @deprecated Espruino 2v29 typed arrays have no at(): use a[i]. */
  readonly at: NotOnEspruino<"TypedArray#at">;
}
interface Int8Array<TArrayBuffer extends ArrayBufferLike = ArrayBufferLike> extends EspruinoTypedArrayGaps {
  /** @deprecated On Espruino 2v29 a typed array's slice() returns a plain Array: use subarray(begin, end) for a view, or new Int8Array(a.subarray(begin, end)) for a copy. */
  slice(...args: any[]): any;
  /** @deprecated Espruino 2v29 typed arrays have no lastIndexOf: loop down from the end. */
  lastIndexOf(...args: any[]): any;
  /** @deprecated Espruino 2v29 typed arrays have no reduceRight: loop down from the end. */
  reduceRight(...args: any[]): any;
  /** @deprecated Espruino 2v29 typed arrays have no copyWithin: use set(a.subarray(start, end), target). */
  copyWithin(...args: any[]): any;
  /** @deprecated Espruino 2v29 typed arrays have no toLocaleString: use join(). */
  toLocaleString(...args: any[]): any;
  /** @deprecated Espruino 2v29 typed arrays have no BYTES_PER_ELEMENT: write the size (1, 2, 4 or 8). */
  readonly BYTES_PER_ELEMENT: number;
}
interface Uint8Array<TArrayBuffer extends ArrayBufferLike = ArrayBufferLike> extends EspruinoTypedArrayGaps {
  /** @deprecated On Espruino 2v29 a typed array's slice() returns a plain Array: use subarray(begin, end) for a view, or new Uint8Array(a.subarray(begin, end)) for a copy. */
  slice(...args: any[]): any;
  /** @deprecated Espruino 2v29 typed arrays have no lastIndexOf: loop down from the end. */
  lastIndexOf(...args: any[]): any;
  /** @deprecated Espruino 2v29 typed arrays have no reduceRight: loop down from the end. */
  reduceRight(...args: any[]): any;
  /** @deprecated Espruino 2v29 typed arrays have no copyWithin: use set(a.subarray(start, end), target). */
  copyWithin(...args: any[]): any;
  /** @deprecated Espruino 2v29 typed arrays have no toLocaleString: use join(). */
  toLocaleString(...args: any[]): any;
  /** @deprecated Espruino 2v29 typed arrays have no BYTES_PER_ELEMENT: write the size (1, 2, 4 or 8). */
  readonly BYTES_PER_ELEMENT: number;
}
interface Uint8ClampedArray<TArrayBuffer extends ArrayBufferLike = ArrayBufferLike> extends EspruinoTypedArrayGaps {
  /** @deprecated On Espruino 2v29 a typed array's slice() returns a plain Array: use subarray(begin, end) for a view, or new Uint8ClampedArray(a.subarray(begin, end)) for a copy. */
  slice(...args: any[]): any;
  /** @deprecated Espruino 2v29 typed arrays have no lastIndexOf: loop down from the end. */
  lastIndexOf(...args: any[]): any;
  /** @deprecated Espruino 2v29 typed arrays have no reduceRight: loop down from the end. */
  reduceRight(...args: any[]): any;
  /** @deprecated Espruino 2v29 typed arrays have no copyWithin: use set(a.subarray(start, end), target). */
  copyWithin(...args: any[]): any;
  /** @deprecated Espruino 2v29 typed arrays have no toLocaleString: use join(). */
  toLocaleString(...args: any[]): any;
  /** @deprecated Espruino 2v29 typed arrays have no BYTES_PER_ELEMENT: write the size (1, 2, 4 or 8). */
  readonly BYTES_PER_ELEMENT: number;
}
interface Int16Array<TArrayBuffer extends ArrayBufferLike = ArrayBufferLike> extends EspruinoTypedArrayGaps {
  /** @deprecated On Espruino 2v29 a typed array's slice() returns a plain Array: use subarray(begin, end) for a view, or new Int16Array(a.subarray(begin, end)) for a copy. */
  slice(...args: any[]): any;
  /** @deprecated Espruino 2v29 typed arrays have no lastIndexOf: loop down from the end. */
  lastIndexOf(...args: any[]): any;
  /** @deprecated Espruino 2v29 typed arrays have no reduceRight: loop down from the end. */
  reduceRight(...args: any[]): any;
  /** @deprecated Espruino 2v29 typed arrays have no copyWithin: use set(a.subarray(start, end), target). */
  copyWithin(...args: any[]): any;
  /** @deprecated Espruino 2v29 typed arrays have no toLocaleString: use join(). */
  toLocaleString(...args: any[]): any;
  /** @deprecated Espruino 2v29 typed arrays have no BYTES_PER_ELEMENT: write the size (1, 2, 4 or 8). */
  readonly BYTES_PER_ELEMENT: number;
}
interface Uint16Array<TArrayBuffer extends ArrayBufferLike = ArrayBufferLike> extends EspruinoTypedArrayGaps {
  /** @deprecated On Espruino 2v29 a typed array's slice() returns a plain Array: use subarray(begin, end) for a view, or new Uint16Array(a.subarray(begin, end)) for a copy. */
  slice(...args: any[]): any;
  /** @deprecated Espruino 2v29 typed arrays have no lastIndexOf: loop down from the end. */
  lastIndexOf(...args: any[]): any;
  /** @deprecated Espruino 2v29 typed arrays have no reduceRight: loop down from the end. */
  reduceRight(...args: any[]): any;
  /** @deprecated Espruino 2v29 typed arrays have no copyWithin: use set(a.subarray(start, end), target). */
  copyWithin(...args: any[]): any;
  /** @deprecated Espruino 2v29 typed arrays have no toLocaleString: use join(). */
  toLocaleString(...args: any[]): any;
  /** @deprecated Espruino 2v29 typed arrays have no BYTES_PER_ELEMENT: write the size (1, 2, 4 or 8). */
  readonly BYTES_PER_ELEMENT: number;
}
interface Int32Array<TArrayBuffer extends ArrayBufferLike = ArrayBufferLike> extends EspruinoTypedArrayGaps {
  /** @deprecated On Espruino 2v29 a typed array's slice() returns a plain Array: use subarray(begin, end) for a view, or new Int32Array(a.subarray(begin, end)) for a copy. */
  slice(...args: any[]): any;
  /** @deprecated Espruino 2v29 typed arrays have no lastIndexOf: loop down from the end. */
  lastIndexOf(...args: any[]): any;
  /** @deprecated Espruino 2v29 typed arrays have no reduceRight: loop down from the end. */
  reduceRight(...args: any[]): any;
  /** @deprecated Espruino 2v29 typed arrays have no copyWithin: use set(a.subarray(start, end), target). */
  copyWithin(...args: any[]): any;
  /** @deprecated Espruino 2v29 typed arrays have no toLocaleString: use join(). */
  toLocaleString(...args: any[]): any;
  /** @deprecated Espruino 2v29 typed arrays have no BYTES_PER_ELEMENT: write the size (1, 2, 4 or 8). */
  readonly BYTES_PER_ELEMENT: number;
}
interface Uint32Array<TArrayBuffer extends ArrayBufferLike = ArrayBufferLike> extends EspruinoTypedArrayGaps {
  /** @deprecated On Espruino 2v29 a typed array's slice() returns a plain Array: use subarray(begin, end) for a view, or new Uint32Array(a.subarray(begin, end)) for a copy. */
  slice(...args: any[]): any;
  /** @deprecated Espruino 2v29 typed arrays have no lastIndexOf: loop down from the end. */
  lastIndexOf(...args: any[]): any;
  /** @deprecated Espruino 2v29 typed arrays have no reduceRight: loop down from the end. */
  reduceRight(...args: any[]): any;
  /** @deprecated Espruino 2v29 typed arrays have no copyWithin: use set(a.subarray(start, end), target). */
  copyWithin(...args: any[]): any;
  /** @deprecated Espruino 2v29 typed arrays have no toLocaleString: use join(). */
  toLocaleString(...args: any[]): any;
  /** @deprecated Espruino 2v29 typed arrays have no BYTES_PER_ELEMENT: write the size (1, 2, 4 or 8). */
  readonly BYTES_PER_ELEMENT: number;
}
interface Float32Array<TArrayBuffer extends ArrayBufferLike = ArrayBufferLike> extends EspruinoTypedArrayGaps {
  /** @deprecated On Espruino 2v29 a typed array's slice() returns a plain Array: use subarray(begin, end) for a view, or new Float32Array(a.subarray(begin, end)) for a copy. */
  slice(...args: any[]): any;
  /** @deprecated Espruino 2v29 typed arrays have no lastIndexOf: loop down from the end. */
  lastIndexOf(...args: any[]): any;
  /** @deprecated Espruino 2v29 typed arrays have no reduceRight: loop down from the end. */
  reduceRight(...args: any[]): any;
  /** @deprecated Espruino 2v29 typed arrays have no copyWithin: use set(a.subarray(start, end), target). */
  copyWithin(...args: any[]): any;
  /** @deprecated Espruino 2v29 typed arrays have no toLocaleString: use join(). */
  toLocaleString(...args: any[]): any;
  /** @deprecated Espruino 2v29 typed arrays have no BYTES_PER_ELEMENT: write the size (1, 2, 4 or 8). */
  readonly BYTES_PER_ELEMENT: number;
}
interface Float64Array<TArrayBuffer extends ArrayBufferLike = ArrayBufferLike> extends EspruinoTypedArrayGaps {
  /** @deprecated On Espruino 2v29 a typed array's slice() returns a plain Array: use subarray(begin, end) for a view, or new Float64Array(a.subarray(begin, end)) for a copy. */
  slice(...args: any[]): any;
  /** @deprecated Espruino 2v29 typed arrays have no lastIndexOf: loop down from the end. */
  lastIndexOf(...args: any[]): any;
  /** @deprecated Espruino 2v29 typed arrays have no reduceRight: loop down from the end. */
  reduceRight(...args: any[]): any;
  /** @deprecated Espruino 2v29 typed arrays have no copyWithin: use set(a.subarray(start, end), target). */
  copyWithin(...args: any[]): any;
  /** @deprecated Espruino 2v29 typed arrays have no toLocaleString: use join(). */
  toLocaleString(...args: any[]): any;
  /** @deprecated Espruino 2v29 typed arrays have no BYTES_PER_ELEMENT: write the size (1, 2, 4 or 8). */
  readonly BYTES_PER_ELEMENT: number;
}

interface Uint8ArrayConstructor {
  /** @deprecated Espruino 2v29 has no Uint8Array.from: use new Uint8Array(arrayOrLength) and fill it. */
  readonly from: NotOnEspruino<"Uint8Array.from">;
  /** @deprecated Espruino 2v29 has no Uint8Array.of: use new Uint8Array([a, b, c]). */
  readonly of: NotOnEspruino<"Uint8Array.of">;
  /** @deprecated Espruino 2v29 has no Uint8Array.BYTES_PER_ELEMENT: write 1. */
  readonly BYTES_PER_ELEMENT: number;
}
