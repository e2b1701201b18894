// process.memory() for the virtual board: the JsVars Espruino 2v29 would hold for what board
// code keeps alive, derived from how the interpreter stores values (src/jsvar.h, jsutils.h,
// jsparse.c at RELEASE_2V29) and checked against the real interpreter on each pool (README).
//
// Every value is one or more fixed-size JsVars:
//  - a name (variable, property key, array index, parameter) is one var holding up to
//    `nameChars` characters, plus a string-extension var per further `strExt` characters; an
//    integer in the ref range (±2^(refBits-1)) is stored inside its name, as is a boolean under
//    an integer key; undefined is a name with no value;
//  - any other number, boolean or null is one var; a string holds `strFirst` characters in its
//    first var and `strExt` in each extension; a string read from Storage stays in flash: 1 var;
//  - an object or array is one var plus its names (and `__proto__` for instances);
//  - a typed array is a view, an ArrayBuffer and its data (a string up to `flatFrom` bytes,
//    above that a flat string: one header plus one var per `varBytes` bytes);
//  - a function is one var, plus a name per parameter, plus (if its body is not empty) a code
//    name and the code (a flash string: 1 var, or the text in RAM), plus a scope link when it
//    was made inside a function: one name, and when the chain has k >= 2 scopes a copied array
//    of k entries; each scope in the chain is a function-call object with one name per
//    parameter and local, kept alive by the closure;
//  - a named function expression also keeps its name;
//  - listeners of `obj.on(ev, f)` live in an array under the name "#on" + ev.
// Timers, watches and sockets carry fixed costs measured on the interpreter; the firmware's
// own vars after boot (`base`) are measured too.
import type { FnMeta } from "./scoping";

export interface Pool {
  vars: number; // process.memory().total
  varBytes: number; // sizeof(JsVar), process.memory().blocksize
  refBits: number; // JSVARREF_BITS for this pool size
  refCountBits: number; // JSVARREFCOUNT_BITS
  packBits: number; // JSVARREFCOUNT_PACK_BITS
  nameChars: number; // JSVAR_DATA_STRING_NAME_LEN: 4 on 32-bit builds, 8 on 64-bit
  base: number; // vars the firmware holds when boot code starts (measured)
}

export interface Geometry {
  nameChars: number;
  strFirst: number; // JSVAR_DATA_STRING_LEN
  strExt: number; // JSVAR_DATA_STRING_MAX_LEN
  flatFrom: number; // JSV_FLAT_STRING_BREAK_EVEN: longer buffers are flat strings
  varBytes: number;
  intMin: number;
  intMax: number;
}

export function geometry(p: Pool): Geometry {
  const strFirst = p.nameChars + ((p.refBits * 3 + p.packBits) >> 3);
  const strExt = p.nameChars + ((p.refBits * 3 + p.packBits + p.refCountBits) >> 3);
  const half = p.refBits >= 32 ? 2 ** 31 : 2 ** (p.refBits - 1);
  return { nameChars: p.nameChars, strFirst, strExt, flatFrom: strFirst + strExt, varBytes: p.varBytes, intMin: -half, intMax: half - 1 };
}

// Fixed costs measured on Espruino 2v29 (test/espruino/vboard-memory.test.ts prints them).
export const COSTS = {
  timer: 5, // setTimeout: the timer object and its fields, besides the callback
  interval: 2, // setInterval's extra "interval" field
  timerArgs: 2, // the args array of setTimeout(f, ms, a, ...), besides its elements
  watch: 11, // setWatch: the watch object, besides the callback
  socket: 34, // a connected net socket's internals (options, buffers, the firmware's socket list)
  moduleCache: 3, // the firmware's module cache, made by the first require()
  builtinObject: 1, // a built-in object or class made in the root when first named, besides its name
  classUse: 8, // a built-in class made in the root with its prototype by `new` or a method call
  viewClass: 9, // the typed arrays' own methods (set, subarray), first called
  stackTrace: 240, // characters of the stack trace text an Error keeps (measured: ~38 vars with its message)
};

// What the board's realm tells the model about its values.
export interface Realm {
  fnInfo(fn: Function): [FnMeta | undefined, object | null] | undefined; // registered functions
  builtin(o: object): boolean; // part of the firmware (made at power-on)
  builtinKeys(o: object): ReadonlySet<string> | undefined; // the keys a built-in object had then
  listeners(o: object): Record<string, unknown[]> | undefined;
  isPin(o: object): boolean;
  notDeclared: object; // $$U
  objectProto: object;
  flashStrings: ReadonlySet<string>;
  flatStrings: ReadonlySet<string>; // made by E.toString: one flat string
}

const INDEX = /^(?:0|[1-9]\d{0,8})$/;

export class Walker {
  n = 0;
  private seen = new Set<object>();
  private protos = new Set<object>(); // F.prototype of the functions seen
  private usedProtos = new Set<object>();

  constructor(
    private g: Geometry,
    private realm: Realm,
  ) {}

  private ext(len: number, first: number): number {
    return len <= first ? 0 : Math.ceil((len - first) / this.g.strExt);
  }

  nameCost(key: string | number): number {
    if (typeof key === "number" || INDEX.test(key)) return 1;
    return 1 + this.ext(key.length, this.g.nameChars);
  }

  strCost(s: string): number {
    if (s.length > this.g.nameChars) {
      if (this.realm.flashStrings.has(s)) return 1;
      if (this.realm.flatStrings.has(s)) return this.dataCost(s.length);
    }
    return 1 + this.ext(s.length, this.g.strFirst);
  }

  dataCost(bytes: number): number {
    if (bytes <= this.g.flatFrom) return 1 + this.ext(bytes, this.g.strFirst);
    return 1 + Math.ceil(bytes / this.g.varBytes);
  }

  // A name and the value it holds.
  slot(key: string | number, v: unknown): number {
    const name = this.nameCost(key);
    if (v === undefined) return name;
    const intKey = typeof key === "number" || INDEX.test(key);
    if (typeof v === "number" && Number.isInteger(v) && v >= this.g.intMin && v <= this.g.intMax && !Object.is(v, -0)) return name;
    if (typeof v === "boolean" && intKey) return name;
    return name + this.value(v);
  }

  value(v: unknown): number {
    switch (typeof v) {
      case "undefined":
        return 0;
      case "number":
      case "boolean":
      case "bigint":
        return 1;
      case "string":
        return this.strCost(v);
      case "object":
        return v === null ? 1 : this.object(v);
      case "function":
        return this.fn(v);
      default:
        return 1;
    }
  }

  private own(o: object, skip?: ReadonlySet<string>): number {
    let n = 0;
    let keys: string[];
    try {
      keys = Object.keys(o);
    } catch {
      return 0;
    }
    for (const k of keys) {
      if (skip?.has(k)) continue;
      const d = Object.getOwnPropertyDescriptor(o, k);
      if (!d) continue;
      n += "value" in d ? this.slot(k, d.value) : this.slot(k, d.get ?? d.set);
    }
    const ev = this.realm.listeners(o);
    if (ev)
      for (const e of Object.keys(ev)) {
        const l = ev[e];
        n += this.nameCost("#on" + e) + 1;
        l.forEach((f, i) => (n += this.slot(i, f)));
      }
    return n;
  }

  private object(o: object): number {
    if (this.seen.has(o)) return 0;
    this.seen.add(o);
    if (this.realm.builtin(o)) return (this.realm.isPin(o) ? 1 : 0) + this.own(o, this.realm.builtinKeys(o));
    if (ArrayBuffer.isView(o)) {
      const view = o as ArrayBufferView;
      return 1 + this.object(view.buffer) + (Object.prototype.toString.call(o) === "[object DataView]" ? 8 : 0);
    }
    if (Object.prototype.toString.call(o) === "[object ArrayBuffer]") return 1 + this.dataCost((o as ArrayBuffer).byteLength);
    if (Array.isArray(o)) return 1 + this.own(o);
    const tag = Object.prototype.toString.call(o);
    if (tag === "[object Promise]") return 1;
    let n = 1;
    // an Error keeps its message and a stack trace text ("sTrace")
    if (tag === "[object Error]") n += this.slot("message", (o as Error).message) + this.nameCost("sTrace") + this.dataCost(COSTS.stackTrace);
    const proto = Object.getPrototypeOf(o);
    if (proto && proto !== this.realm.objectProto && !(tag === "[object Error]")) {
      n += this.nameCost("__proto__");
      if (!this.realm.builtin(proto) && !this.seen.has(proto)) {
        this.usedProtos.add(proto);
        n += this.object(proto);
        // `new F()` made the prototype with a constructor field
        if (Object.prototype.hasOwnProperty.call(proto, "constructor")) n += this.nameCost("constructor");
      }
    }
    return n + this.own(o);
  }

  private fn(f: Function): number {
    // a built-in function: a native function var wherever it is kept
    if (this.realm.builtin(f)) return 1 + (this.seen.has(f) ? 0 : (this.seen.add(f), this.own(f, this.realm.builtinKeys(f))));
    if (this.seen.has(f)) return 0;
    this.seen.add(f);
    const info = this.realm.fnInfo(f);
    const meta = info?.[0];
    let n = 1;
    if (meta) {
      for (const p of meta.params) n += this.nameCost(p);
      if (meta.body > 0) {
        n += 1 + (meta.flash ? 1 : 1 + this.ext(meta.body, this.g.strFirst));
        const chain: object[] = [];
        for (let s = info![1]; s; s = (s as Record<string, object | null>)[" p"]) chain.push(s);
        if (chain.length) n += 1 + (chain.length >= 2 ? 1 + chain.length : 0);
        for (const s of chain) n += this.scope(s);
      }
      if (meta.name) n += 1 + this.strCost(meta.name);
    } else n += f.length + 2; // a method or class member: its parameters, code name and code
    const p = Object.getOwnPropertyDescriptor(f, "prototype");
    if (p && p.value && typeof p.value === "object") this.protos.add(p.value);
    return n + this.own(f);
  }

  private scope(s: object): number {
    if (this.seen.has(s)) return 0;
    this.seen.add(s);
    let n = 1;
    for (const k of Object.keys(s)) {
      if (k === " p") continue;
      const v = (s as Record<string, unknown>)[k];
      if (v === this.realm.notDeclared) continue;
      n += this.slot(k, v);
    }
    return n;
  }

  // Prototypes count where Espruino would have made them: read for instances or given fields.
  finish(): number {
    for (const proto of this.protos) {
      if (!this.usedProtos.has(proto) && Object.keys(proto).length === 0) continue;
      this.n += this.nameCost("prototype");
      if (!this.seen.has(proto)) this.n += this.object(proto);
    }
    return this.n;
  }

  add(n: number): void {
    this.n += n;
  }
}
