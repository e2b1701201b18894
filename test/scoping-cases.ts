// Espruino 2v29's scoping, case by case, with what the interpreter answers (measured on the
// ESP8266-pool build; test/espruino/vboard-scoping.test.ts checks these answers on the
// interpreter and on the virtual board side by side). Each case is a function body run from
// Storage; errors answer with their type.
export const SCOPING: Array<[name: string, body: string, espruino: string]> = [
  ["reading a name before its var statement gets the outer variable", 'var r = x; var x = "inner"; return r;', "outer"],
  ["assigning before the var statement overwrites the outer variable", 'x = "overwritten"; var x = 1; return x;', "1"],
  ["... and the outer variable keeps that value", "return x;", "overwritten"],
  ["a function declaration exists only once its statement is reached", 'return g(); function g() { return "g"; }', "ReferenceError"],
  ["var x = x + 1: x exists (undefined) before its initialiser runs", 'var x = x + "!"; return x;', "undefined!"],
  ["a second var keeps the value", "var z = 1; var z; return z;", "1"],
  ["assigning an undeclared name makes a global", "fresh = 5; return global.fresh;", "5"],
  ["reading a name that exists nowhere is a ReferenceError", "return nope;", "ReferenceError"],
  ["typeof of a name that exists nowhere is undefined", "return typeof nope2;", "undefined"],
  ["a var in a loop head outlives the loop", "for (var i = 0; i < 3; i++); return i;", "3"],
  ["a catch parameter does not overwrite the function's variable", "var e = 1; try { throw 2; } catch (e) {} return e;", "1"],
  ["a named function expression sees its own name, the outside does not", "var f = function gg() { return typeof gg; }; return f() + typeof gg;", "functionundefined"],
  ["closures in a loop share the function's variable", "var fs = []; for (var i = 0; i < 2; i++) fs.push(function () { return i; }); return fs[0]() + ',' + fs[1]();", "2,2"],
  ["arguments does not alias the parameters", "return (function (a) { arguments[0] = 9; return a; })(1);", "1"],
  ["a function declared later at the top level does not exist yet", "return typeof topLater;", "undefined"],
  ["a var declared later at the top level does not exist yet", "return typeof topVar;", "undefined"],
  ["this in a plain call is the global object", "return this === global;", "true"],
  ["eval runs in the caller's scope", 'var q = "local"; return eval("q");', "local"],
  ["indirect eval runs in the caller's scope too", 'var q = "local2"; var ev = eval; return ev("q");', "local2"],
  ["(0, eval) runs in the caller's scope", 'var q = "l3"; return (0, eval)("q");', "l3"],
  ["global.eval runs in the caller's scope", 'var q = "l4"; return global.eval("q");', "l4"],
  ["a var made by eval belongs to the caller, not the global object", 'eval("var made = 1"); return typeof made + typeof global.made;', "numberundefined"],
  ["... also through indirect eval", 'var ev = eval; ev("var made2 = 1"); return typeof made2 + typeof global.made2;', "numberundefined"],
  ["a function made by eval can be called by the caller", 'eval("function ef(){return 7}"); return ef();', "7"],
  ["a var made by eval does not exist before the eval", 'var r = typeof w; eval("var w = 1"); return r + typeof w;', "undefinednumber"],
  ["eval can assign the caller's variable", 'var v = 1; eval("v = 2"); return v;', "2"],
  ["a nested function reading a var before it runs fails", "function inner() { return y; } var r = inner(); var y = 2; return r;", "ReferenceError"],
  ["a later function declaration is not visible to a nested function yet", 'var out = "no"; (function () { out = typeof later2; })(); function later2() {} return out;', "undefined"],
  ["a function declaration inside a block is function-scoped", "{ function fb() { return 1; } } return typeof fb;", "function"],
  ["a var inside a switch case is function-scoped", "switch (1) { case 1: var sv = 3; } return sv;", "3"],
  ["let is block-scoped", "if (1) { let b = 2; } return typeof b;", "undefined"],
  ["let in a block does not overwrite the function's variable", "var c = 1; { let c = 2; } return c;", "1"],
  ["let has no temporal dead zone: typeof before it is undefined", "var r = typeof e2; let e2 = 1; return r;", "undefined"],
  ["for (let ...) closures share one binding", "var fs = []; for (let i = 0; i < 2; i++) fs.push(function () { return i; }); return fs[0]() + ',' + fs[1]();", "2,2"],
  ["\"use strict\" is ignored", '"use strict"; undeclaredInStrict = 1; return undeclaredInStrict;', "1"],
  ["the first of two declarations of one name is called until the second is reached", "function f1() { return 1; } var a = f1(); function f1() { return 2; } return a + ',' + f1();", "1,2"],
];

// The cases as one script: top-level names the cases read, then each case, answers in `R`.
export function scopingScript(): string {
  const cases = SCOPING.map(
    ([, body], i) => `t(${i}, function () { ${body} });` + (i === 14 ? "function topLater() {}" : "") + (i === 15 ? "var topVar = 1;" : ""),
  );
  return [
    "var R = [];",
    'function t(i, f) { try { R[i] = String(f()); } catch (e) { R[i] = String(e).split(":")[0]; } }',
    'var x = "outer";',
    ...cases,
  ].join("\n");
}
