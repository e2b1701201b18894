// The virtual board runs code a user pushes, so board code must not reach the host. It used to,
// three ways, each handing it the host's Function constructor and so the host's `process`
// (exit, binding, child processes, the environment):
//  1. host functions offered as board globals (`print.constructor`),
//  2. host objects offered as modules and results, and errors host code throws
//     (`require("Storage").constructor.constructor`, `catch (e) { e.constructor.constructor }`),
//  3. the global object itself, whose missing names fell through to the host's Object.prototype
//     (`this.constructor.constructor`, `toString.constructor`).
// Each escape below must find only the board's own realm, whose `process` is Espruino's
// (env, memory) and nothing more.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { VirtualBoard } from "../host/vboard/index";

const boards: VirtualBoard[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const b of boards.splice(0)) await b.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function board(name: "esp8266" | "esp32" = "esp8266"): Promise<VirtualBoard> {
  const dir = mkdtempSync(join(tmpdir(), "vboard-sandbox-"));
  dirs.push(dir);
  const b = new VirtualBoard({ board: name, storageDir: dir });
  boards.push(b);
  await b.boot();
  return b;
}

// What a Function constructor reached through `via` can see of `process` (no constructor at all
// sees nothing either).
const NOTHING = "undefined,undefined,undefined,undefined,undefined";
const probe = (via: string) =>
  `(function () { var F; try { F = ${via}; } catch (e) {} if (typeof F !== "function") return "${NOTHING}"; return F("return [typeof process.exit, typeof process.binding, typeof process.kill, typeof process.versions, typeof process.getBuiltinModule].join()")(); })()`;

describe("board code cannot reach the host", () => {
  // 1. host functions
  const functions = ["print", "setTimeout", "digitalWrite", "getTime", "load", "require", "E.toString", "E.getSizeOf", "E.enableWatchdog", "process.memory", 'require("Storage").read', 'require("crypto").SHA1', 'require("net").connect', 'require("heatshrink").compress', "ESP8266.getState", 'require("Wifi").connect', "eval", "Modules.addCached"];
  it.each(functions)("through the function %s", async (f) => {
    const b = await board();
    expect(await b.eval(probe(`(${f}).constructor`))).toBe(NOTHING);
  });

  // 2. host objects and the values host functions return
  const objects = ['require("Storage")', 'require("crypto")', 'require("net")', 'require("heatshrink")', "ESP8266", "E", "process", "process.memory()", 'require("Storage").list()', 'require("Storage").getStats()', "ESP8266.getResetInfo()", 'require("Wifi").getIP()', "E.getFlags()", 'E.toUint8Array("ab")', 'require("crypto").SHA1("a")', "D5", "NodeMCU"];
  it.each(objects)("through the object %s", async (o) => {
    const b = await board();
    expect(await b.eval(probe(`(${o}).constructor.constructor`))).toBe(NOTHING);
    expect(await b.eval(probe(`Object.getPrototypeOf(${o}).constructor.constructor`))).toBe(NOTHING);
  });

  // 3. errors host code throws
  const throwers = [
    "setTimeout(1)", // host TypeError
    'require("Storage").write("", "x")', // host Error
    "digitalWrite([{}], 1)", // host Error from pin lookup
    "var a = []; a.push(a); E.toString(a)", // host RangeError: too much recursion
    "E.toString({data: 1, count: 1e12})", // more bytes than any board: host Error, not a crash
    "changeInterval(12345, 1)",
    "clearWatch(999)",
    'eval("var x = ;")', // the scoping compiler's SyntaxError
  ];
  it.each(throwers)("through the error thrown by %s", async (code) => {
    const b = await board();
    const r = await b.eval(`(function () { try { ${code}; } catch (e) { return ${probe("e.constructor.constructor")} + "|" + (e instanceof Error); } return "no throw"; })()`);
    expect(r).toBe(NOTHING + "|true");
  });

  it("through the frames of a stack trace that crosses host code", async () => {
    const b = await board();
    const r = await b.eval(`(function () {
      var seen = [], frames = 0;
      Error.prepareStackTrace = function (e, cs) {
        cs.forEach(function (c) {
          frames++;
          var f = c.getFunction(), t = c.getThis();
          if (f) seen.push(f.constructor("return typeof process.exit")());
          if (t && t.constructor && t.constructor.constructor) seen.push(t.constructor.constructor("return typeof process.exit")());
        });
        return "";
      };
      try { E.toString({data: 1, count: 1e12}); } catch (e) { e.stack; }
      setTimeout(function () {}, 1);
      return frames + " " + seen.filter(function (s) { return s !== "undefined"; }).length;
    })()`);
    expect(r).toMatch(/^[1-9]\d* 0$/); // frames were seen, none reached the host
  });

  const globals = ["this", "globalThis", "global", "toString", "hasOwnProperty", "valueOf", "Object.getPrototypeOf(globalThis)", "globalThis.__proto__"];
  it.each(globals)("through the global object: %s", async (g) => {
    const b = await board();
    expect(await b.eval(probe(`(${g}).constructor.constructor`))).toBe(NOTHING);
  });

  it("through callbacks the host calls (this, arguments, caller)", async () => {
    const b = await board();
    await b.eval(`var got = [];
      setTimeout(function () {
        got.push(this.constructor.constructor("return typeof process.exit")());
        got.push(arguments.callee.caller === null); // the host's code is strict: no caller
        print("ran " + got.join());
      }, 1);`);
    expect(await b.waitForOutput(/ran .*\r\n/)).toContain("ran undefined,true");
  });

  it("board code's process is Espruino's: env and memory, nothing of the host's", async () => {
    const b = await board();
    expect(await b.eval("Object.keys(process).sort().join()")).toBe("env,memory,version");
    expect(await b.eval("JSON.stringify(process.env).indexOf('PATH')")).toBe(-1);
  });
});
