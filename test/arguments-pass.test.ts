// scripts/arguments.mjs: parameters read from `arguments` (one JsVar less each on Espruino),
// never where Espruino's `arguments` lookup would find an enclosing call's (facts.test.ts).
import { describe, expect, it } from "vitest";
import { assertArgumentsSafe, paramsFromArguments } from "../scripts/arguments.mjs";

const run = (code: string, expr: string): unknown => new Function(code + ";return " + expr)();

describe("the build's arguments pass", () => {
  it("takes the parameters out of a function's list and reads them from arguments", () => {
    const out = paramsFromArguments("function f(a,b){var c=a*b;return c+1}var o={m:function(x){return x}};");
    expect(out).toContain("function f(){var a=arguments[0],b=arguments[1],c=a*b;");
    expect(out).toContain("m:function(){var x=arguments[0];");
    expect(run(out, "[f(3,4),o.m(7),f(2)]")).toEqual([13, 7, NaN]);
  });

  it("leaves a function made inside a rewritten one, one called on the spot, and one around a reader of arguments", () => {
    const code = "function o(a){return function(b){return a+b}}var r=function(t){return t}(5);function l(a){return function(){return arguments.length}}";
    const out = paramsFromArguments(code);
    expect(out).toContain("function o(){var a=arguments[0];return function(b){return a+b}}");
    expect(out).toContain("function(t){return t}(5)");
    expect(out).toContain("function l(a){");
    expect(run(out, "[o(1)(2),r,l(0)(1,2)]")).toEqual([3, 5, 2]);
  });

  it("refuses code where an inner function would read an enclosing call's arguments on Espruino", () => {
    expect(() => assertArgumentsSafe("function o(){var a=arguments[0];return function(){return arguments[0]}}")).toThrow(/outer call's/);
    expect(() => assertArgumentsSafe("function q(x){return function(){return arguments[0]}}")).not.toThrow();
  });
});
