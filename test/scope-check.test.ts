// The build's answer to Espruino hoisting nothing (scripts/hoist.mjs, scripts/scope-check.mjs):
// the check finds every use that may run before its declaration, the hoisting pass leaves none
// and keeps the code's meaning, and the top-level prefix renames only the program's own names.
import vm from "node:vm";
import { describe, expect, it } from "vitest";
import { hoistDeclarations, prefixTopLevel } from "../scripts/hoist.mjs";
import { scopeHazards } from "../scripts/scope-check.mjs";

const kinds = (code: string) => scopeHazards(code).map((h: any) => h.name + ":" + h.kind);

// Runs code in a fresh context and returns what it leaves in `out`.
function run(code: string): unknown {
  const ctx: any = { out: null };
  vm.runInNewContext(code, ctx);
  return JSON.parse(JSON.stringify(ctx.out));
}

const PROGRAMS = [
  // a var the minifier declared after its first use (an inlined function's local)
  "function f(x){o=x*2;var o;return o}out=[f(2),f(3)];",
  // a var only declared inside one branch, used outside it
  "function g(c){if(c){var u=1,i=2}else u=5;return u+(i||0)}out=[g(1),g(0)];",
  // for-loop and for-in declarations, a function declared after the code that calls it
  "function h(a){var s=0;for(var i=0;i<a.length;i++)s+=a[i];for(var k in{p:1,q:2})s+=k.length;return t(s);function t(v){return v*10}}out=h([1,2,3]);",
  // nested functions and closures keep seeing the right variables
  "var n=1;function m(){var n=2;return function(){return n}}function q(){return n}out=[m()(),q()];",
  // a declaration without an initialiser in a statement list, and one in a single-statement if
  "function z(c){if(c)var w;w=3;var y;return[w,y]}out=z(1);",
];

describe("scoping check and hoisting pass", () => {
  it("finds uses before a declaration and declarations inside blocks", () => {
    expect(kinds("function f(x){o=x;var o;return o}")).toEqual(["o:before"]);
    expect(kinds("function g(c){if(c){var u=1}return u}")).toEqual(["u:nested"]);
    expect(kinds("f();function f(){}")).toEqual(["f:before"]);
    // what runs later (a callback, a method) only needs the declaration in the body
    expect(kinds("function a(){return b()}function b(){return 1}a();")).toEqual([]);
    expect(kinds("setTimeout(function(){x++},1);var x=0;")).toEqual([]);
    // a function called on the spot runs now
    expect(kinds("(function(){x=1})();var x;")).toEqual(["x:before"]);
    // parameters and catch names are not declarations of the body
    expect(kinds("function p(a){a=1;try{}catch(e){e=2}return a}")).toEqual([]);
  });

  for (const p of PROGRAMS)
    it("hoisting keeps the meaning and leaves no hazard: " + p.slice(0, 40), () => {
      const h = hoistDeclarations(p);
      expect(scopeHazards(h)).toEqual([]);
      expect(run(h)).toEqual(run(p));
    });

  it("the top-level prefix renames the program's bindings and nothing else", () => {
    const code = "var a=1,b=5;function c(a){return a+b}function d(){var b=2;return function(){return b+a}}try{c(1)}catch(a){}out=[d()(),c(a),{a:a}.a,typeof print];";
    const p = prefixTopLevel(code);
    expect(p).toContain("function $c(a){return a+$b}");
    expect(p).toContain("var b=2;return function(){return b+$a}");
    expect(run(p)).toEqual(run(code));
    // a user's globals typed at the console no longer collide with the script's
    expect(run(p + "var a=99,c=0;out=[$c(1),$a];")).toEqual([6, 1]);
  });
});
