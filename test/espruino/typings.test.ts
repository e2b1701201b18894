// The board typings (types/) match Espruino 2v29, checked on the interpreter itself: every
// global and member the typings give board code (TypeScript's ES5 library as merged with
// types/espruino.d.ts) exists there, and everything types/espruino-lacks.d.ts marks as missing
// (its @deprecated declarations) is indeed missing. Run on the ESP8266 pool build (its
// firmware's size-saving blocklist) and the ESP32-like one.
import { join } from "node:path";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { root } from "../../scripts/device-bundle.mjs";
import { Espruino, type Pool } from "./interpreter";

// An expression giving a value of each interface the typings describe.
const SAMPLES: Record<string, string> = {
  Array: "[]",
  ReadonlyArray: "[]",
  ArrayConstructor: "Array",
  String: '""',
  StringConstructor: "String",
  Number: "0",
  NumberConstructor: "Number",
  Boolean: "true",
  Object: "({})",
  ObjectConstructor: "Object",
  Function: "(function(){})",
  IArguments: "(function(){return arguments})(1)",
  RegExp: "/a/",
  RegExpConstructor: "RegExp",
  Date: "new Date()",
  DateConstructor: "Date",
  Error: 'new Error("x")',
  ErrorConstructor: "Error",
  Math: "Math",
  JSON: "JSON",
  ArrayBuffer: "new ArrayBuffer(4)",
  ArrayBufferConstructor: "ArrayBuffer",
  DataView: "new DataView(new ArrayBuffer(8))",
  Int8Array: "new Int8Array(2)",
  Uint8Array: "new Uint8Array(2)",
  Uint8ClampedArray: "new Uint8ClampedArray(2)",
  Int16Array: "new Int16Array(2)",
  Uint16Array: "new Uint16Array(2)",
  Int32Array: "new Int32Array(2)",
  Uint32Array: "new Uint32Array(2)",
  Float32Array: "new Float32Array(2)",
  Float64Array: "new Float64Array(2)",
  // What the typings add to (or take from) every typed array: checked on one.
  EspruinoTypedArrayExtras: "new Int16Array(2)",
  EspruinoTypedArrayGaps: "new Int16Array(2)",
  Uint8ArrayConstructor: "Uint8Array",
  Promise: "Promise.resolve(1)",
  PromiseConstructor: "Promise",
  Console: "console",
  EspruinoProcess: "process",
  ProcessMemory: "process.memory()",
  ProcessEnv: "process.env",
  Pin: "D2",
  SerialPort: "Serial1",
  I2CBus: "new I2C()",
  SPIBus: "new SPI()",
  OneWireBus: "new OneWire(D1)",
  StorageModule: 'require("Storage")',
  StorageFile: 'require("Storage").open("pwtypes","w")',
  NetModule: 'require("net")',
  CryptoModule: 'require("crypto")',
  HeatshrinkModule: 'require("heatshrink")',
};

// What cannot be checked on the Linux builds, and why.
const NOT_HERE: Record<string, string> = {
  A0: "the ESP8266's ADC pin; the Linux builds have D0..D32 only",
  D33: "ESP32 pins; the Linux builds have D0..D32 only",
  D34: "",
  D35: "",
  D36: "",
  D37: "",
  D38: "",
  D39: "",
  // An object literal has no constructor property on Espruino; a class instance has (TypeScript
  // cannot tell the two apart, so the ES5 declaration stays).
  "Object.constructor": "",
};
// Missing from the ESP8266 firmware only (its size-saving blocklist; its crypto has SHA1
// alone): typed for the ESP32, and said so where they are declared.
const NOT_ON_ESP8266 = ["CryptoModule.SHA224", "CryptoModule.SHA256", "CryptoModule.SHA384", "CryptoModule.SHA512", "CryptoModule.PBKDF2", "CryptoModule.AES", "E.FFT"];
// Refused though present, for what they do: a typed array's slice() gives a plain Array.
const MISBEHAVES: Record<string, (sample: string) => string> = {
  slice: (sample) => "(" + sample + ").slice(0) instanceof (" + sample + ").constructor ? 'typed' : 'plain'",
};

interface Name {
  key: string; // "Array.find", "setWatch", "E.toString"
  expr: string; // what to take typeof of on the board
  lacks: boolean; // marked missing in espruino-lacks.d.ts
}

function isDeprecated(n: ts.Node): boolean {
  return ts.getJSDocTags(n).some((t) => t.tagName.text === "deprecated");
}

// Every name the board typings declare, with whether they say it is missing.
function declaredNames(): Name[] {
  const files = [join(root, "types", "espruino.d.ts"), join(root, "types", "espruino-lacks.d.ts")];
  const program = ts.createProgram(files, { lib: ["lib.es5.d.ts"], types: [], noEmit: true });
  // Binding sets the parent pointers the JSDoc lookup walks.
  program.getTypeChecker();
  const names = new Map<string, Name>();
  const add = (key: string, expr: string, lacks: boolean) => {
    const n = names.get(key);
    if (n) n.lacks ||= lacks;
    else names.set(key, { key, expr, lacks });
  };
  for (const sf of program.getSourceFiles()) {
    const ours = files.includes(sf.fileName);
    if (!ours && !sf.fileName.endsWith("lib.es5.d.ts")) continue;
    for (const s of sf.statements) {
      if (ts.isVariableStatement(s)) for (const d of s.declarationList.declarations) add(d.name.getText(sf), "typeof " + d.name.getText(sf), ours && isDeprecated(s));
      else if (ts.isFunctionDeclaration(s) && s.name) add(s.name.text, "typeof " + s.name.text, ours && isDeprecated(s));
      else if (ts.isModuleDeclaration(s) && ours && s.body && ts.isModuleBlock(s.body)) {
        for (const f of s.body.statements) if (ts.isFunctionDeclaration(f) && f.name) add(s.name.text + "." + f.name.text, "typeof " + s.name.text + "." + f.name.text, isDeprecated(f));
      } else if (ts.isInterfaceDeclaration(s) && SAMPLES[s.name.text]) {
        for (const m of s.members) {
          if (!m.name || !ts.isIdentifier(m.name) || (ts.isPropertySignature(m) && m.questionToken)) continue;
          add(s.name.text + "." + m.name.text, "typeof (" + SAMPLES[s.name.text] + ")[" + JSON.stringify(m.name.text) + "]", ours && isDeprecated(m));
        }
      }
    }
  }
  return [...names.values()].filter((n) => !(n.key in NOT_HERE) && !/^(ProcessEnv)\.\[/.test(n.key));
}

const names = declaredNames();

for (const pool of ["esp8266", "esp32"] as Pool[]) {
  describe("the board typings on Espruino 2v29 (" + pool + " pool)", () => {
    let e: Espruino;
    let kinds: Map<string, string>;
    beforeAll(async () => {
      e = await Espruino.start(pool);
      kinds = new Map();
      // A missing member of a string or number throws rather than being undefined. A few per
      // console line: the ESP8266 pool has little room for a long one.
      const one = (n: Name) => "(function(){try{return " + n.expr + "}catch(x){return 'undefined'}})()";
      for (let i = 0; i < names.length; i += 12) {
        const part = names.slice(i, i + 12);
        const got = await e.eval<string[]>("[" + part.map(one).join(",") + "]");
        part.forEach((n, j) => kinds.set(n.key, got[j]));
      }
    }, 120000);
    afterAll(async () => e?.close());

    it("has every global and member the typings give board code", () => {
      const want = names.filter((n) => !n.lacks && !(pool === "esp8266" && NOT_ON_ESP8266.includes(n.key)));
      expect(want.length).toBeGreaterThan(300);
      expect(want.filter((n) => kinds.get(n.key) === "undefined").map((n) => n.key)).toEqual([]);
    });

    it("lacks everything espruino-lacks.d.ts says it lacks (or it does not do what it should)", async () => {
      for (const n of names.filter((x) => x.lacks && /Array\.slice$/.test(x.key))) {
        const sample = SAMPLES[n.key.split(".")[0]];
        expect(await e.eval<string>(MISBEHAVES.slice(sample)), n.key).toBe("plain");
      }
      const lacking = names.filter((n) => n.lacks && !/Array\.slice$/.test(n.key));
      expect(lacking.length).toBeGreaterThan(100);
      expect(lacking.filter((n) => kinds.get(n.key) !== "undefined").map((n) => n.key + " is " + kinds.get(n.key))).toEqual([]);
    });
  });
}
