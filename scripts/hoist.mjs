// Makes minified code mean the same on Espruino as in JavaScript. Espruino hoists nothing (see
// scope-check.mjs), while a minifier freely declares a `var` where it first needs one: inside a
// branch, or after its first use once a function is inlined. This pass gives every function
// body (and the program) one `var` list at its very top and drops the `var` keyword everywhere
// else (`var a=1,b` becomes the expression `a=1,b`), then moves function declarations up to
// just behind the list: what JavaScript's own hoisting does. It runs on the minifier's output
// and costs a few bytes per function that had a declaration elsewhere.
import * as acorn from "acorn";

export const FN = new Set(["FunctionDeclaration", "FunctionExpression"]);

// Calls f(child, node, key) for each child node of n.
export function children(n, f) {
  for (const k of Object.keys(n)) {
    if (k === "type" || k === "start" || k === "end") continue;
    const v = n[k];
    if (Array.isArray(v)) {
      for (const c of v) if (c && typeof c.type === "string") f(c, n, k);
    } else if (v && typeof v.type === "string") f(v, n, k);
  }
}

function apply(code, edits) {
  edits.sort((a, b) => b.start - a.start);
  let out = code;
  for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

const bodyOf = (fn) => (fn.type === "Program" ? fn.body : fn.body.body);
const bodyStart = (fn) => (fn.type === "Program" ? 0 : fn.body.start + 1);

// Pass 1: the var lists. A body that starts with a `var` statement keeps it and takes the
// other names into it; elsewhere the keyword goes (a statement with nothing to assign goes
// whole). Edits remove a keyword or a statement, or insert at a point: they never overlap.
function hoistVars(code) {
  const ast = acorn.parse(code, { ecmaVersion: 5 });
  const edits = [];
  const scope = (fn) => {
    const params = new Set(fn.type === "Program" ? [] : fn.params.map((p) => p.name));
    const body = bodyOf(fn);
    const lead = body[0] && body[0].type === "VariableDeclaration" ? body[0] : null;
    const have = new Set(lead ? lead.declarations.map((d) => d.id.name) : []);
    const names = [];
    const visit = (n, parent, key) => {
      if (FN.has(n.type)) return scope(n) || undefined;
      if (n.type === "VariableDeclaration" && n !== lead) {
        for (const d of n.declarations) if (!params.has(d.id.name) && !have.has(d.id.name) && !names.includes(d.id.name)) names.push(d.id.name);
        const inList = Array.isArray(parent[key]);
        if (inList && !n.declarations.some((d) => d.init)) edits.push({ start: n.start, end: n.end, text: "" });
        else edits.push({ start: n.start, end: n.start + (code[n.start + 3] === " " ? 4 : 3), text: "" });
      }
      children(n, visit);
    };
    children(fn.type === "Program" ? fn : fn.body, visit);
    if (!names.length) return;
    // Into the leading statement, before its `;` (or its end when it has none).
    if (lead) {
      const end = code[lead.end - 1] === ";" ? lead.end - 1 : lead.end;
      edits.push({ start: end, end, text: "," + names.join(",") });
    } else edits.push({ start: bodyStart(fn), end: bodyStart(fn), text: "var " + names.join(",") + ";" });
  };
  scope(ast);
  return apply(code, edits);
}

// Pass 2: function declarations behind the leading var list and other declarations. One
// outermost move at a time, re-parsing after each, so moved text never holds a stale edit.
function hoistFunctions(code) {
  for (;;) {
    const ast = acorn.parse(code, { ecmaVersion: 5 });
    let move = null;
    const find = (fn) => {
      if (move) return;
      const body = bodyOf(fn);
      let lead = 0;
      while (lead < body.length && (body[lead].type === "FunctionDeclaration" || (lead === 0 && body[0].type === "VariableDeclaration"))) lead++;
      const late = body.slice(lead).find((s) => s.type === "FunctionDeclaration");
      if (late) {
        move = { fn, late, at: lead ? body[lead - 1].end : bodyStart(fn) };
        return;
      }
      const visit = (n) => {
        if (move) return;
        if (FN.has(n.type)) return find(n);
        children(n, visit);
      };
      children(fn.type === "Program" ? fn : fn.body, visit);
    };
    find(ast);
    if (!move) return code;
    const text = code.slice(move.late.start, move.late.end);
    code = code.slice(0, move.at) + text + code.slice(move.at, move.late.start) + code.slice(move.late.end);
  }
}

export function hoistDeclarations(code) {
  return hoistFunctions(hoistVars(code));
}

// Gives every top-level binding (var or function of the program) a "$" prefix. A board script
// is top-level code (see scripts/device-bundle.mjs), so its top-level names are globals:
// unprefixed, a minified `c` would be overwritten by a user typing `var c = 1` at the console.
// Names of up to 4 characters fit in one JsVar, so the prefix plus the minifier's one or two
// letters costs no RAM (only bytes). "$$" when an inner scope already uses a "$" name the
// renaming would capture.
export function prefixTopLevel(code) {
  try {
    return prefixWith(code, "$");
  } catch (e) {
    return prefixWith(code, "$$");
  }
}

function prefixWith(code, prefix) {
  const ast = acorn.parse(code, { ecmaVersion: 5 });
  const top = new Set();
  for (const s of ast.body) {
    if (s.type === "FunctionDeclaration") top.add(s.id.name);
    if (s.type === "VariableDeclaration") for (const d of s.declarations) top.add(d.id.name);
  }
  const renamed = new Set([...top].map((n) => prefix + n));
  const edits = [];
  // Walk with a stack of inner scopes' names; an identifier that no inner scope binds and the
  // program binds is renamed.
  const innerNames = (fn) => {
    const names = new Set(fn.params.map((p) => p.name));
    if (fn.type === "FunctionExpression" && fn.id) names.add(fn.id.name);
    const visit = (n) => {
      if (FN.has(n.type)) {
        if (n.type === "FunctionDeclaration") names.add(n.id.name);
        return;
      }
      if (n.type === "VariableDeclaration") for (const d of n.declarations) names.add(d.id.name);
      children(n, visit);
    };
    children(fn.body, visit);
    for (const x of names) if (renamed.has(x)) throw new Error("prefixTopLevel: an inner scope declares " + x);
    return names;
  };
  const walk = (n, parent, key, scopes) => {
    if (FN.has(n.type)) {
      const inner = [...scopes, innerNames(n)];
      if (n.type === "FunctionDeclaration" && scopes.length === 0 && top.has(n.id.name)) edits.push({ start: n.id.start, end: n.id.end, text: prefix + n.id.name });
      walk(n.body, n, "body", inner);
      return;
    }
    if (n.type === "CatchClause") {
      const sc = [...scopes, new Set([n.param.name])];
      if (renamed.has(n.param.name)) throw new Error("prefixTopLevel: a catch clause declares " + n.param.name);
      walk(n.body, n, "body", sc);
      return;
    }
    if (n.type === "Identifier") {
      if (parent && parent.type === "MemberExpression" && key === "property" && !parent.computed) return;
      if (parent && parent.type === "Property" && key === "key") return;
      if (parent && (parent.type === "LabeledStatement" || parent.type === "BreakStatement" || parent.type === "ContinueStatement")) return;
      if (!top.has(n.name) || scopes.some((s) => s.has(n.name))) return;
      edits.push({ start: n.start, end: n.end, text: prefix + n.name });
      return;
    }
    children(n, (c, p, k) => walk(c, p, k, scopes));
  };
  children(ast, (c, p, k) => walk(c, p, k, []));
  return apply(code, edits);
}

// Takes compiled classes out of their IIFEs. TypeScript writes an ES5 class as
//   var X = (function () { function X2(...) {...} X2.prototype.m = function () {...}; return X2; })();
// and on Espruino every method made inside that function keeps its scope alive: about 20 JsVars
// a class more than the same methods made at the top level (measured on 2v29). For a class
// without a base class at the top level of a bundle the wrapper does nothing else, so this pass
// (run on the bundle, after tree-shaking has dropped the classes nothing uses) writes
//   function X2(...) {...} X2.prototype.m = function () {...}; var X = X2;
export function flattenClasses(code) {
  const ast = acorn.parse(code, { ecmaVersion: 5, sourceType: "module" });
  const top = new Set();
  for (const s of ast.body) {
    if (s.type === "FunctionDeclaration") top.add(s.id.name);
    if (s.type === "VariableDeclaration") for (const d of s.declarations) top.add(d.id.name);
  }
  const edits = [];
  for (const s of ast.body) {
    if (s.type !== "VariableDeclaration" || s.declarations.length !== 1) continue;
    const d = s.declarations[0];
    const call = d.init;
    if (!call || call.type !== "CallExpression" || call.arguments.length) continue;
    const fn = call.callee;
    if (fn.type !== "FunctionExpression" || fn.params.length || fn.id) continue;
    const body = fn.body.body;
    const ret = body[body.length - 1];
    if (!ret || ret.type !== "ReturnStatement" || !ret.argument || ret.argument.type !== "Identifier") continue;
    const inner = ret.argument.name;
    const rest = body.slice(0, -1);
    // Only a constructor and assignments to it: nothing else lives in the wrapper's scope.
    const ctor = rest.find((x) => x.type === "FunctionDeclaration" && x.id.name === inner);
    if (!ctor || !rest.every((x) => x === ctor || (x.type === "ExpressionStatement" && x.expression.type === "AssignmentExpression"))) continue;
    if (inner !== d.id.name && top.has(inner)) continue;
    const text = rest.map((x) => code.slice(x.start, x.end)).join("\n") + (inner === d.id.name ? "" : "\nvar " + d.id.name + " = " + inner + ";");
    edits.push({ start: s.start, end: s.end, text });
  }
  return apply(code, edits);
}

// Frees what only the start needs. A board script's top-level function stays defined for as
// long as the script runs (each costs 4 JsVars and more), though many run only once, while the
// script starts: the runtime's start, config checks, each part's maker. A top-level function
// that is only ever called (never passed as a value) from the top-level code, from a function
// called on the spot there, or from such functions, cannot run again once the top-level code
// has finished: this pass deletes each of them at the end of the script, and Espruino frees
// them. Run on the final script (after prefixTopLevel: top-level names are then
// unique, so every use of such a name is a use of the top-level function).
export function freeStartOnly(code) {
  const ast = acorn.parse(code, { ecmaVersion: 5 });
  const fns = new Map(); // name -> declaration node
  for (const s of ast.body) if (s.type === "FunctionDeclaration") fns.set(s.id.name, s);
  // Top-level variables: one only the start reads or writes (a config read once, a part's
  // declaration) is freed the same way.
  const vars = new Set();
  for (const s of ast.body) if (s.type === "VariableDeclaration") for (const d of s.declarations) vars.add(d.id.name);
  // Every use of each candidate name: [the function whose body it is in (null: top level), is a call]
  const uses = new Map([...fns.keys(), ...vars].map((n) => [n, []]));
  const visit = (n, parent, key, owner) => {
    if (FN.has(n.type)) {
      // A function called where it stands runs as part of its owner.
      const onTheSpot = parent && parent.type === "CallExpression" && key === "callee";
      const inner = n.type === "FunctionDeclaration" && owner === null && fns.get(n.id.name) === n ? n : onTheSpot ? owner : n;
      children(n.body, (c, p, k) => visit(c, p, k, inner));
      return;
    }
    if (n.type === "Identifier" && uses.has(n.name)) {
      const isProp = parent && ((parent.type === "MemberExpression" && key === "property" && !parent.computed) || (parent.type === "Property" && key === "key"));
      if (!isProp && !(parent && parent.type === "FunctionDeclaration" && key === "id"))
        uses.get(n.name).push([owner, parent && (parent.type === "CallExpression" || parent.type === "NewExpression") && key === "callee"]);
      return;
    }
    children(n, (c, p, k) => visit(c, p, k, owner));
  };
  children(ast, (c, p, k) => visit(c, p, k, null));
  let free = new Set(uses.keys());
  for (let changed = true; changed; ) {
    changed = false;
    for (const name of [...free]) {
      const isVar = vars.has(name);
      const ok = uses.get(name).every(([owner, call]) => (call || isVar) && (owner === null || (owner.type === "FunctionDeclaration" && free.has(owner.id.name) && owner.id.name !== name)));
      if (!ok || !uses.get(name).length) {
        free.delete(name);
        changed = true;
      }
    }
  }
  if (!free.size) return code;
  // delete, not "= undefined": the global's name goes too (one JsVar more each).
  return code + (code.endsWith(";") ? "" : ";") + [...free].map((n) => "delete " + n).join(",") + ";";
}

// Inlines tiny helpers at their calls. `function f(a, b) { return <expression> }` is written in
// place of each call `f(x, y)` when that cannot change what is evaluated: the expression uses
// each parameter at most once and in their order, or the arguments have no side effects (names,
// literals, property reads, arithmetic on them: evaluating one twice, or in another order,
// changes nothing). `function f(a, b) { s1; s2 }` of assignments and calls likewise where the
// call is a statement. A function whose calls are all inlined is no longer referenced and the minifier
// drops it: for the byte helpers of shared/bytes.ts that is 5 functions, 25 JsVars on a board.
export function inlineHelpers(code) {
  const ast = acorn.parse(code, { ecmaVersion: 5, sourceType: "module" });
  const helpers = new Map();
  const simple = (n) =>
    n.type === "Identifier" ||
    n.type === "Literal" ||
    n.type === "ThisExpression" ||
    (n.type === "UnaryExpression" && n.operator !== "delete" && simple(n.argument)) ||
    (n.type === "BinaryExpression" && simple(n.left) && simple(n.right)) ||
    (n.type === "MemberExpression" && simple(n.object) && (!n.computed || simple(n.property)));
  for (const s of ast.body) {
    if (s.type !== "FunctionDeclaration" || s.params.length > 4) continue;
    const params = s.params.map((p) => p.name);
    const body = s.body.body;
    let kind = null;
    let parts = null;
    if (body.length === 1 && body[0].type === "ReturnStatement" && body[0].argument) {
      kind = "expr";
      parts = [body[0].argument];
    } else if (body.length && body.every((x) => x.type === "ExpressionStatement" && (x.expression.type === "AssignmentExpression" || x.expression.type === "CallExpression"))) {
      kind = "stmt";
      parts = body.map((x) => x.expression);
    } else continue;
    // Identifiers in the body: parameters only where they are used, no this/arguments/functions.
    let ok = true;
    const uses = [];
    const visit = (n, parent, key) => {
      if (!ok) return;
      if (FN.has(n.type) || n.type === "ThisExpression") ok = false;
      if (n.type === "Identifier") {
        const isProp = parent && ((parent.type === "MemberExpression" && key === "property" && !parent.computed) || (parent.type === "Property" && key === "key"));
        if (n.name === "arguments") ok = false;
        else if (!isProp && params.includes(n.name)) uses.push(n);
      }
      children(n, visit);
    };
    for (const p of parts) visit(p, null, null);
    if (!ok) continue;
    // Each parameter used at most once, in the order given: then any arguments will do.
    const order = uses.map((u) => params.indexOf(u.name));
    const once = new Set(order).size === order.length && order.every((v, i) => !i || v > order[i - 1]);
    helpers.set(s.id.name, { params, kind, parts, uses, node: s, once });
  }
  if (!helpers.size) return code;
  const edits = [];
  const render = (h, args) => {
    const text = h.parts.map((p) => {
      let out = "";
      let at = p.start;
      for (const u of h.uses.filter((x) => x.start >= p.start && x.end <= p.end).sort((a, b) => a.start - b.start)) {
        out += code.slice(at, u.start) + "(" + code.slice(args[h.params.indexOf(u.name)].start, args[h.params.indexOf(u.name)].end) + ")";
        at = u.end;
      }
      return out + code.slice(at, p.end);
    });
    return "(" + text.join(",") + ")";
  };
  const visit = (n, parent, key) => {
    if (n.type === "CallExpression" && n.callee.type === "Identifier" && helpers.has(n.callee.name)) {
      const h = helpers.get(n.callee.name);
      const inHelper = [...helpers.values()].some((x) => n.start >= x.node.start && n.end <= x.node.end);
      const okArgs = n.arguments.length === h.params.length && (h.once || n.arguments.every(simple));
      const okPlace = h.kind === "expr" || (parent && parent.type === "ExpressionStatement");
      if (!inHelper && okArgs && okPlace) {
        edits.push({ start: n.start, end: n.end, text: render(h, n.arguments) });
        return;
      }
    }
    children(n, visit);
  };
  children(ast, visit);
  return apply(code, edits);
}
