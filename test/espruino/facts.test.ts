// The facts about Espruino 2v29 that the device build is shaped by (docs/espruino.md), checked on
// the interpreter itself: if one stops holding, the build's workaround may be wrong.
import { afterEach, describe, expect, it } from "vitest";
import { hoistDeclarations } from "../../scripts/hoist.mjs";
import { Espruino } from "./interpreter";

let e: Espruino | null = null;
afterEach(async () => {
  if (e) await e.close();
  e = null;
});

// Runs code as .bootcde (from Storage, as a board runs its script) and returns the value of expr.
async function bootAndEval(code: string, expr: string, files: { name: string; data: Buffer }[] = []): Promise<unknown> {
  e = await Espruino.start("esp8266");
  await e.writeFiles([...files, { name: ".bootcde", data: Buffer.from(code) }]);
  await e.boot();
  return e.eval(expr);
}

describe("Espruino 2v29 facts the build relies on", () => {
  const late = "var o=1;function f(){o=5;var o=7;return o}var r=f();";

  it("a var is created only when its statement runs: an earlier assignment overwrites the outer variable", async () => {
    expect(await bootAndEval(late, "[o,r]")).toEqual([5, 7]);
  });

  it("after the build's hoisting pass the same code keeps the outer variable", async () => {
    expect(await bootAndEval(hoistDeclarations(late), "[o,r]")).toEqual([1, 7]);
  });

  it("each parameter name costs a JsVar for as long as the function exists; reading `arguments` costs none", async () => {
    const fns = (body: (i: number) => string) => Array.from({ length: 50 }, (_, i) => body(i)).join("");
    const three = fns((i) => `function f${i}(a,b,c){return a+b*c+${i}}`);
    const args = fns((i) => `function f${i}(){var a=arguments[0],b=arguments[1],c=arguments[2];return a+b*c+${i}}`);
    const cost = async (code: string) => {
      const r = (await bootAndEval(`var m0=process.memory().usage;eval(require("Storage").read("lib"));var used=process.memory().usage-m0;`, "[used,f3(1,2,3)]", [{ name: "lib", data: Buffer.from(code) }])) as number[];
      await (e as Espruino).close();
      e = null;
      return r;
    };
    const [p, pv] = await cost(three);
    const [a, av] = await cost(args);
    expect([pv, av]).toEqual([10, 10]);
    // 150 parameter names: the build's arguments pass (scripts/arguments.mjs) saves them
    expect(p - a).toBeGreaterThanOrEqual(140);
  });

  it("`arguments` is looked up through the enclosing scopes: a function made by one that read its own gets the outer call's", async () => {
    const code = "function o(){var a=arguments[0];return function(){return arguments[0]}}function q(x){return function(){return arguments[0]}}";
    expect(await bootAndEval(code, "[o(1)(2),q(1)(2)]")).toEqual([1, 2]);
  });

  it("delete of a global frees its name too; assigning undefined keeps it", async () => {
    const code = Array.from({ length: 40 }, (_, i) => `var v${i}=${i + 2000};`).join("");
    const kept = await bootAndEval(code + "var m0=process.memory().usage;" + Array.from({ length: 40 }, (_, i) => `v${i}=void 0;`).join("") + "var d=m0-process.memory().usage;", "d");
    await (e as Espruino).close();
    e = null;
    const gone = await bootAndEval(code + "var m0=process.memory().usage;" + Array.from({ length: 40 }, (_, i) => `delete v${i};`).join("") + "var d=m0-process.memory().usage;", "[d,typeof v0]");
    expect((gone as [number, string])[1]).toBe("undefined");
    expect((gone as [number, string])[0] - (kept as number)).toBeGreaterThanOrEqual(35);
  });

  it("a function declaration exists only once its statement is reached", async () => {
    expect(await bootAndEval("var t;try{g();t='called'}catch(x){t='threw'}function g(){}", "t")).toBe("threw");
  });

  it("eval inside a function keeps that function's scope alive; at the top level it does not", async () => {
    // 100 one-parameter functions and a timer that uses them, evaluated from a Storage file; a
    // 300-element array in the evaluating function's scope, which the timer's scope chain then
    // holds on to.
    const lib = Buffer.from(Array.from({ length: 100 }, (_, i) => `function f${i}(a){return a+${i}}`).join("") + "setInterval(function(){f0(1)},100000);");
    const inFn = 'function run(){var big=[];for(var i=0;i<300;i++)big.push(i);eval(require("Storage").read("lib"))}run();';
    const atTop = 'eval(require("Storage").read("lib"));';
    const used = async (code: string) => {
      const m = (await bootAndEval(code, "process.memory().usage", [{ name: "lib", data: lib }])) as number;
      await e!.close();
      e = null;
      return m;
    };
    const top = await used(atTop);
    const fn = await used(inFn);
    // The functions cost about 5 JsVars each either way; the kept scope costs the array on top.
    expect(top).toBeGreaterThan(450);
    expect(fn - top).toBeGreaterThan(250);
  });

  it("a load() made synchronously from boot code that load() started is dropped; from a timer it runs", async () => {
    const count = 'var S=require("Storage");var n=(S.readJSON("n",1)||0)+1;S.writeJSON("n",n);';
    // The rig starts the script with load() from the console, so the boot code's own load()
    // is the nested one: dropped, the count stays at 1.
    expect(await bootAndEval(count + "if(n<3)load();", 'require("Storage").readJSON("n",1)')).toBe(1);
    await e!.close();
    e = null;
    const r = await bootAndEval(count + "if(n<3)setTimeout(load,10);", "0");
    expect(r).toBe(0);
    await e!.waitFor(/>/, 5000);
    // The third boot happens after the timers: poll until the count settles.
    let n = 0;
    for (let i = 0; i < 50 && n < 3; i++) n = (await e!.eval('require("Storage").readJSON("n",1)')) as number;
    expect(n).toBe(3);
  });
});
