// Makes minified code mean the same on Espruino as in JavaScript. Espruino hoists nothing (see
// scope-check.mjs), while a minifier freely declares a `var` where it first needs one: inside a
// branch, or after its first use once a function is inlined. This pass gives every function
// body (and the program) one `var` list at its very top and drops the `var` keyword everywhere
// else (`var a=1,b` becomes the expression `a=1,b`), then moves function declarations up to
// just behind the list: what JavaScript's own hoisting does. It runs on the minifier's output
// and costs a few bytes per function that had a declaration elsewhere.
import * as acorn from "acorn";

const FN = new Set(["FunctionDeclaration", "FunctionExpression"]);

function children(n, f) {
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
