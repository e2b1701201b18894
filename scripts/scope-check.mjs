// The scoping check for code that runs on Espruino: nothing is hoisted there. A `var` exists
// only once its statement has run and a function declaration only once its statement is
// reached; before that the name resolves in the enclosing scopes, so reading it gets, and
// assigning it overwrites, an outer variable of the same name (minified bundles reuse one-letter
// names in every scope, so this silently corrupts another function's state).
//
// scopeHazards(code) lists every use of a `var` or function declaration that may run before the
// declaration has run on every path:
//   - "nested": the declaration is not a direct statement of its function body (inside an if,
//     a loop, a try...), so some paths never create it, yet the name is used;
//   - "before": a use in the same function body (or in a function called on the spot) that
//     comes before the declaration statement.
// A use inside a nested function that is not called on the spot runs later (a callback, a
// method) and only needs the declaration to be a direct statement of the enclosing body.
import * as acorn from "acorn";

const FN = new Set(["FunctionDeclaration", "FunctionExpression"]);

// Collects the declarations of one function (or program) body: name -> {node, top, start}.
// `top`: the declaring statement is a direct child of the body (for `for (var ...)` and
// `for (var ... in ...)`, the loop statement is).
function declarations(fnNode) {
  const decls = new Map();
  const body = fnNode.type === "Program" ? fnNode.body : fnNode.body.body;
  const topSet = new Set(body);
  const add = (name, node, top) => {
    const prev = decls.get(name);
    // The earliest declaration that always runs decides; any later one adds nothing.
    if (!prev || (top && (!prev.top || node.start < prev.start))) decls.set(name, { node, top, start: node.start, end: node.end });
  };
  const visit = (n, top) => {
    if (!n || typeof n.type !== "string") return;
    if (n.type === "VariableDeclaration") {
      for (const d of n.declarations) add(d.id.name, n, top);
      for (const d of n.declarations) if (d.init) visit(d.init, false);
      return;
    }
    if (n.type === "FunctionDeclaration") {
      add(n.id.name, n, top);
      return; // its own body is its own scope
    }
    if (n.type === "FunctionExpression") return;
    if ((n.type === "ForStatement" && n.init) || n.type === "ForInStatement") {
      const head = n.type === "ForStatement" ? n.init : n.left;
      if (head.type === "VariableDeclaration") for (const d of head.declarations) add(d.id.name, n, top);
    }
    for (const k of Object.keys(n)) {
      if (k === "type" || k === "start" || k === "end") continue;
      const v = n[k];
      if (Array.isArray(v)) for (const c of v) visit(c, false);
      else if (v && typeof v.type === "string") visit(v, false);
    }
  };
  for (const s of body) visit(s, topSet.has(s));
  return decls;
}

// Whether a function expression is called where it stands: (function(){...})() or
// !function(){...}() and the like.
function calledOnTheSpot(fn, parent) {
  return parent && parent.type === "CallExpression" && parent.callee === fn;
}

export function scopeHazards(code, file = "<code>") {
  const ast = acorn.parse(code, { ecmaVersion: 5, locations: true });
  const hazards = [];
  // scope: {fn, decls, params:Set, parent, catchName?}
  const walk = (n, scope, parent) => {
    if (!n || typeof n.type !== "string") return;
    if (FN.has(n.type)) {
      const params = new Set(n.params.map((p) => p.name));
      if (n.type === "FunctionExpression" && n.id) params.add(n.id.name); // a named expression sees itself
      // A function called on the spot runs now: its uses count as uses at this point.
      const inner = { fn: n, decls: declarations(n), params, parent: scope, catches: [], laterFromOuter: !calledOnTheSpot(n, parent) };
      walk(n.body, inner, n);
      return;
    }
    if (n.type === "CatchClause") {
      const sc = { ...scope, catches: [...scope.catches, n.param.name] };
      walk(n.body, sc, n);
      return;
    }
    if (n.type === "Identifier") {
      use(n, scope, parent);
      return;
    }
    for (const k of Object.keys(n)) {
      if (k === "type" || k === "start" || k === "end" || k === "loc") continue;
      const v = n[k];
      if (Array.isArray(v)) for (const c of v) walk(c, scope, n);
      else if (v && typeof v.type === "string") walk(v, scope, n);
    }
  };
  // Whether the identifier node is a reference (not a property name, label or declaration name).
  const isRef = (id, parent) => {
    if (!parent) return true;
    if (parent.type === "MemberExpression" && parent.property === id && !parent.computed) return false;
    if (parent.type === "Property" && parent.key === id) return false;
    if ((parent.type === "FunctionDeclaration" || parent.type === "FunctionExpression") && (parent.id === id || parent.params.includes(id))) return false;
    if (parent.type === "VariableDeclarator" && parent.id === id) return false;
    if (parent.type === "CatchClause" && parent.param === id) return false;
    if ((parent.type === "LabeledStatement" || parent.type === "BreakStatement" || parent.type === "ContinueStatement") && parent.label === id) return false;
    return true;
  };
  function use(id, scope, parent) {
    if (!isRef(id, parent)) return;
    const name = id.name;
    // Resolve lexically; `deferredHop` becomes true once we cross a function that is not
    // called on the spot (its body runs later than the surrounding code).
    let s = scope;
    let deferredHop = false;
    while (s) {
      if (s.catches.includes(name) || s.params.has(name)) return;
      const d = s.decls.get(name);
      if (d) {
        if (!d.top) hazards.push({ file, name, kind: "nested", line: id.loc.start.line, column: id.loc.start.column, declLine: d.node.loc.start.line });
        else if (!deferredHop && id.start < d.start && !(d.node.type === "FunctionDeclaration" && insideDecl(id, d.node)))
          hazards.push({ file, name, kind: "before", line: id.loc.start.line, column: id.loc.start.column, declLine: d.node.loc.start.line });
        return;
      }
      if (s.laterFromOuter) deferredHop = true;
      s = s.parent;
    }
  }
  const insideDecl = (id, decl) => id.start >= decl.start && id.end <= decl.end;
  const program = { fn: ast, decls: declarations(ast), params: new Set(), parent: null, catches: [] };
  walk(ast, program, null);
  return hazards;
}

// Throws with every hazard listed, or returns quietly.
export function assertNoScopeHazards(code, file) {
  const h = scopeHazards(code, file);
  if (!h.length) return;
  const lines = h.slice(0, 20).map((x) => `  ${x.file}:${x.line}:${x.column} "${x.name}" ${x.kind === "nested" ? "is declared inside a block (line " + x.declLine + ")" : "is used before its declaration (line " + x.declLine + ") runs"}`);
  throw new Error(
    "scoping hazards for Espruino (nothing is hoisted there):\n" + lines.join("\n") + (h.length > 20 ? "\n  ... " + (h.length - 20) + " more" : ""),
  );
}
