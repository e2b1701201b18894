// Espruino keeps a function's parameter names as children of the function object, one JsVar
// each, for as long as the function exists (measured on Espruino 2v29, ESP8266 pool: 50
// functions of three parameters cost 359 JsVars, the same 50 reading `arguments` 210). A board
// holds about 150 parameters of resident functions, so this pass rewrites
// `function f(a, b) {...}` of the minified output as `function f() {var a=arguments[0],
// b=arguments[1]; ...}`: the same meaning on Espruino (no strict mode, so nothing depends on
// parameters aliasing `arguments`), one JsVar less per parameter, about 19 bytes more code per
// parameter and a call that takes about twice as long (4 us more on the Linux build).
//
// Espruino looks `arguments` up like any name, through the enclosing scopes first: inside a
// function made by a function that read its own `arguments`, it finds the outer call's (2v29:
// `function o(){var a=arguments[0];return function(){return arguments[0]}}` gives o(1)(2) = 1).
// So a function is rewritten only when no function around it reads `arguments` (after the
// rewrite) and none inside it does; assertArgumentsSafe checks the result.
// It runs after hoist.mjs, whose var list at the top of each body it extends.
import * as acorn from "acorn";
import { children, FN } from "./hoist.mjs";

// Each function with: its own reads of `arguments` (not those of functions inside it), whether
// a function inside it reads `arguments`, its parent node and the function around it.
function functions(ast) {
  const all = [];
  const visit = (n, parent, key, owner) => {
    if (FN.has(n.type)) {
      const f = { n, parent, key, owner, own: false, inner: false };
      all.push(f);
      children(n, (c, p, k) => visit(c, p, k, f));
      if (f.own || f.inner) for (let o = owner; o && !o.inner; o = o.owner) o.inner = true;
      return;
    }
    if (n.type === "Identifier" && n.name === "arguments" && owner) owner.own = true;
    children(n, (c, p, k) => visit(c, p, k, owner));
  };
  children(ast, (c, p, k) => visit(c, p, k, null));
  return all;
}

export function paramsFromArguments(code, where = "bundle") {
  const ast = acorn.parse(code, { ecmaVersion: 5 });
  const edits = [];
  // Outer functions first (a parent is pushed before its children).
  for (const f of functions(ast)) {
    const fn = f.n;
    let around = false;
    for (let o = f.owner; o && !around; o = o.owner) around = o.own;
    if (!fn.params.length || around || f.inner) continue;
    // Called where it stands: gone after the call, nothing to save.
    if (f.parent && f.parent.type === "CallExpression" && f.key === "callee") continue;
    const names = fn.params.map((p) => p.name);
    // A parameter named like a function declared in the body would be replaced by it before
    // the first statement runs in JavaScript, not in this rewrite: left as it is (the minifier
    // does not produce it).
    if (fn.body.body.some((s) => s.type === "FunctionDeclaration" && names.includes(s.id.name))) continue;
    f.own = true;
    const open = code.indexOf("(", fn.id ? fn.id.end : fn.start + 8);
    edits.push({ start: open + 1, end: fn.params[fn.params.length - 1].end, text: "" });
    const list = names.map((n, i) => n + "=arguments[" + i + "]").join(",");
    const lead = fn.body.body[0];
    if (lead && lead.type === "VariableDeclaration") edits.push({ start: lead.start + 4, end: lead.start + 4, text: list + "," });
    else edits.push({ start: fn.body.start + 1, end: fn.body.start + 1, text: "var " + list + ";" });
  }
  edits.sort((a, b) => b.start - a.start);
  let out = code;
  for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  assertArgumentsSafe(out, where);
  return out;
}

// Throws when a function reads `arguments` inside another that reads its own: on Espruino the
// inner one would get the outer call's.
export function assertArgumentsSafe(code, where = "bundle") {
  for (const f of functions(acorn.parse(code, { ecmaVersion: 5 }))) {
    if (!f.own) continue;
    for (let o = f.owner; o; o = o.owner)
      if (o.own) throw new Error(where + ": a function at " + f.n.start + " reads `arguments` inside one that reads its own (at " + o.n.start + "): Espruino would give it the outer call's");
  }
}
