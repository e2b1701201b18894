// Constructs whose JsVar cost the virtual board's memory model (host/vboard/memory.ts) derives
// from Espruino's storage layout; vboard-memory.test.ts measures each on the real interpreter
// and on the virtual board. Every case makes 20 copies (names of 3 characters, so each fits
// one name var) and keeps them, run from a Storage file as board code runs.
const N = 20;
const nm = (p: string, i: number) => p + "_" + String.fromCharCode(97 + i);
const rep = (f: (i: number) => string) => Array.from({ length: N }, (_, i) => f(i)).join("\n");
const names = (p: string) => Array.from({ length: N }, (_, i) => nm(p, i)).join(",");

export const COPIES = N;

export const CASES: Record<string, string> = {
  // functions: 1 var, a name per parameter, code name + flash string when the body is not empty
  "function(){...}": rep((i) => `function ${nm("f", i)}(){return 1}`),
  "function(a){...}": rep((i) => `function ${nm("f", i)}(a){return 1}`),
  "function(a,b,c){...}": rep((i) => `function ${nm("f", i)}(a,b,c){return 1}`),
  "function(){} (empty body)": rep((i) => `function ${nm("f", i)}(){}`),
  "function(abcdefgh){...} (long parameter name)": rep((i) => `function ${nm("f", i)}(abcdefgh){return 1}`),
  "var f = function(a){...}": rep((i) => `var ${nm("f", i)} = function(a){return 1};`),
  "var f = function nm(a){...} (named)": rep((i) => `var ${nm("f", i)} = function nm(a){return 1};`),
  "(a) => a": rep((i) => `var ${nm("f", i)} = (a) => a;`),
  // closures: the scope they were made in, and a copied chain from two scopes up
  "closure, 1 scope": rep((i) => `var ${nm("c", i)} = (function(){ return function(){return 1}; })();`),
  "closure, 1 scope with 2 vars": rep((i) => `var ${nm("c", i)} = (function(){ var x = 1, y = 2; return function(){return 1}; })();`),
  "closure, 1 scope with 2 params": rep((i) => `var ${nm("c", i)} = (function(p, q){ return function(){return 1}; })(1, 2);`),
  "closure, 2 scopes": rep((i) => `var ${nm("c", i)} = (function(){ return function(){ return function(){return 1}; }; })()();`),
  "closure, 3 scopes": rep((i) => `var ${nm("c", i)} = (function(){ return function(){ return function(){ return function(){return 1}; }; }; })()()();`),
  "20 closures sharing 1 scope": `var cs = (function(){ var r = []; ${rep(() => "r.push(function(){return 1});")} return r; })();`,
  "20 closures sharing 2 scopes": `var cs = (function(){ return (function(){ var r = []; ${rep(() => "r.push(function(){return 1});")} return r; })(); })();`,
  "20 functions in an IIFE, kept": `(function(){ ${rep((i) => `function ${nm("f", i)}(a){return 1}`)} global.keep = [${names("f")}]; })();`,
  "20 functions in an IIFE, not kept": `(function(){ ${rep((i) => `function ${nm("f", i)}(a){return 1}`)} })();`,
  // numbers, booleans, null: inside the name when they fit
  "var v = 5": rep((i) => `var ${nm("v", i)} = ${i};`),
  "var v = 1000 (fits 11 bits)": rep((i) => `var ${nm("v", i)} = ${1000 + i};`),
  "var v = 2000": rep((i) => `var ${nm("v", i)} = ${2000 + i};`),
  "var v = 100000": rep((i) => `var ${nm("v", i)} = ${100000 + i};`),
  "var v = -1000": rep((i) => `var ${nm("v", i)} = ${-1000 - i};`),
  "var v = 1.5": rep((i) => `var ${nm("v", i)} = ${i}.5;`),
  "var v = true": rep((i) => `var ${nm("v", i)} = true;`),
  "var v = null": rep((i) => `var ${nm("v", i)} = null;`),
  "var v;": rep((i) => `var ${nm("v", i)};`),
  // strings: 8 characters in the first var, then extensions (8 on the 1,700 pool, 9 on 2,500)
  'var s = ""': rep((i) => `var ${nm("s", i)} = "";`),
  "string of 8": rep((i) => `var ${nm("s", i)} = "abcdefgh";`),
  "string of 9": rep((i) => `var ${nm("s", i)} = "abcdefghi";`),
  "string of 17": rep((i) => `var ${nm("s", i)} = "abcdefghijklmnopq";`),
  "string of 100": rep((i) => `var ${nm("s", i)} = "${"x".repeat(100)}";`),
  "string built by +=": rep((i) => `var ${nm("s", i)} = "abcd"; ${nm("s", i)} += "efghijkl";`),
  "Storage.read (stays in flash)": rep((i) => `var ${nm("s", i)} = require("Storage").read("blob");`),
  "E.toString of 100 bytes (flat)": rep((i) => `var ${nm("s", i)} = E.toString(new Uint8Array(100));`),
  // objects and arrays
  "{}": rep((i) => `var ${nm("o", i)} = {};`),
  "{a:1}": rep((i) => `var ${nm("o", i)} = {a:1};`),
  "{a:100000}": rep((i) => `var ${nm("o", i)} = {a:100000};`),
  "{a:true}": rep((i) => `var ${nm("o", i)} = {a:true};`),
  '{a:"x"}': rep((i) => `var ${nm("o", i)} = {a:"x"};`),
  "{a:1.5}": rep((i) => `var ${nm("o", i)} = {a:1.5};`),
  "{abcdefghijkl:1} (long key)": rep((i) => `var ${nm("o", i)} = {abcdefghijkl:1};`),
  "{a:{b:{c:1}}}": rep((i) => `var ${nm("o", i)} = {a:{b:{c:1}}};`),
  "[1,2,3]": rep((i) => `var ${nm("a", i)} = [1,2,3];`),
  "[true,false,true]": rep((i) => `var ${nm("a", i)} = [true,false,true];`),
  "[100000,100001,100002]": rep((i) => `var ${nm("a", i)} = [100000,100001,100002];`),
  '["a","b"]': rep((i) => `var ${nm("a", i)} = ["a","b"];`),
  // typed arrays: view, buffer, data (a string, flat above 16/17 bytes)
  "new Uint8Array(0)": rep((i) => `var ${nm("u", i)} = new Uint8Array(0);`),
  "new Uint8Array(8)": rep((i) => `var ${nm("u", i)} = new Uint8Array(8);`),
  "new Uint8Array(16)": rep((i) => `var ${nm("u", i)} = new Uint8Array(16);`),
  "new Uint8Array(100)": rep((i) => `var ${nm("u", i)} = new Uint8Array(100);`),
  "new ArrayBuffer(32)": rep((i) => `var ${nm("u", i)} = new ArrayBuffer(32);`),
  "views on one buffer": `var B = new ArrayBuffer(64);\n` + rep((i) => `var ${nm("u", i)} = new Uint8Array(B, 8, 8);`),
  // instances, prototypes, properties on functions
  "new K() with this.a = 1": `function K(){ this.a = 1; }\n` + rep((i) => `var ${nm("k", i)} = new K();`),
  "F.prototype.m = 1": rep((i) => `function ${nm("q", i)}(){return 1} ${nm("q", i)}.prototype.m = 1;`),
  "f.x = 1 on a function": rep((i) => `function ${nm("f", i)}(){return 1} ${nm("f", i)}.x = 1;`),
  // what the firmware keeps for code: timers, watches, listeners
  "setTimeout(f, ms)": rep(() => `setTimeout(function(){return 1}, 100000);`),
  "setTimeout(f, ms, arg)": rep(() => `setTimeout(function(){return 1}, 100000, 1);`),
  "setInterval(f, ms)": rep(() => `setInterval(function(){return 1}, 100000);`),
  "setWatch(f, pin)": rep((i) => `setWatch(function(){return 1}, D${i % 10}, {repeat:true});`),
  "obj.on(ev, f), 20 on one object": `var eo = {};\n` + rep(() => `eo.on("data", function(){return 1});`),
  "obj.on(ev, f), one each": rep((i) => `var ${nm("o", i)} = {}; ${nm("o", i)}.on("data", function(){return 1});`),
  "obj.on(ev, f), two each": rep((i) => `var ${nm("o", i)} = {}; ${nm("o", i)}.on("data", function(){return 1}); ${nm("o", i)}.on("data", function(){return 2});`),
  // built-ins: a native function kept in a variable is a var each time
  "var g = print": rep((i) => `var ${nm("g", i)} = print;`),
  "var g = JSON.stringify": rep((i) => `var ${nm("g", i)} = JSON.stringify;`),
};

// Where the model is knowingly approximate (README, "Memory model"): the largest difference
// per copy allowed there.
export const APPROXIMATE: Record<string, number> = {};

// Runs the named case from Storage file "c" and leaves its cost in D (usage after - before).
export const RUNNER =
  'var D = 0, u0 = 0, u1 = 0; u0 = process.memory().usage; u1 = process.memory().usage; eval(require("Storage").read("c")); D = process.memory().usage - u1;';
