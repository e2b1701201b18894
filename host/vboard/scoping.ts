// Espruino's scoping, compiled onto V8. Espruino 2v29 resolves names at run time, scope by
// scope, and creates a variable only when its statement runs (measured, see README):
//  - `var x` / `let x` / a function declaration exist only once their statement has run; before
//    that the name resolves outward (reading gets the outer variable, assigning overwrites it or
//    makes a global; reading a name that exists nowhere is a ReferenceError);
//  - `var x = x + 1` creates x before evaluating the initialiser; a second `var x` keeps x;
//  - function declarations are function-scoped even inside blocks; let/const are block-scoped,
//    without a temporal dead zone and with one binding for a whole `for (let ...)` loop;
//  - `eval`, direct or not, runs in the caller's scope; `arguments` does not alias parameters.
// V8 hoists, so board code is rewritten before it runs. A function or block whose variables a
// closure can keep, an eval can reach, or a reference can meet before their statement ran keeps
// them in a scope object (`$$s3 = {" p": parent, a: a, x: $$U}`, $$U = not declared yet) and
// every reference goes through it; that object is also what the memory model walks (a closure
// keeps its whole scope chain, as on Espruino). Other functions keep V8 locals: there every
// reference provably follows its declaration, so V8's hoisting cannot show. At the top level
// names are properties of the global object, which V8 resolves the Espruino way once the
// declarations are turned into assignments.
import { parse, type Node } from "acorn";

// What the memory model needs of each function the code creates.
export interface FnMeta {
  params: string[];
  name?: string; // a named function expression keeps its name
  body: number; // characters of code Espruino stores for it
  arrow: boolean;
  flash: boolean; // code referenced in Storage (flash) rather than copied into RAM
  src: string; // the function's own text (what fn.toString() gives on the board)
}

export interface CompileOptions {
  flash: boolean;
  // Eval in the caller's scope: the names each scope object of the caller's chain holds,
  // innermost first; the code's own declarations go into the first. The compiled code then
  // expects those scope objects in variables $$e0, $$e1, ...
  chain?: string[][];
}

export interface Compiled {
  code: string;
  metas: FnMeta[]; // $$vb.f(fn, base + i, ...) refers to metas[i]
  globals: string[]; // global names the code reads (the memory model counts the built-ins among them)
  constructs: string[]; // global names the code calls with `new`
  methods: string[]; // method names the code calls (obj.name(...))
}

type Any = Node & Record<string, any>;
type Kind = "program" | "function" | "block" | "native" | "chain";

interface Decl {
  dom: number[]; // positions from which the variable exists on every path (declaration runs first)
}

class Scope {
  decls = new Map<string, Decl>();
  closures = false;
  evalSite = false;
  unsafe = false;
  opaque = false; // parameters or declarations V8 must keep (patterns): left to V8
  materialized = false;
  v8 = "";
  stmts: Any[] | null = null; // the statement list whose direct children dominate what follows
  constructor(
    readonly kind: Kind,
    readonly node: Any | null,
    readonly parent: Scope | null,
    readonly cpos = 0, // where a function is created: its position, or a declaration's end
  ) {}
  get fnScope(): Scope {
    let s: Scope = this;
    while (s.kind === "block" || s.kind === "native") s = s.parent!;
    return s;
  }
  declare(name: string, at: number | null): void {
    let d = this.decls.get(name);
    if (!d) this.decls.set(name, (d = { dom: [] }));
    if (at !== null) d.dom.push(at);
  }
  // A scope object of eval's caller (or a module's): its names come from the object as it is, so
  // whether one is declared yet is asked of the object (own property, not $$U).
  get dynamic(): boolean {
    return this.kind === "chain";
  }
}

const FUNCTION = new Set(["FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression"]);
const LOOP_HEAD = new Set(["ForStatement", "ForInStatement", "ForOfStatement"]);

function isLexical(n: Any | null | undefined): boolean {
  return !!n && ((n.type === "VariableDeclaration" && n.kind !== "var") || n.type === "ClassDeclaration");
}

// Names bound by a pattern (catch parameters, destructuring).
function patternNames(p: Any, out: string[] = []): string[] {
  if (!p) return out;
  switch (p.type) {
    case "Identifier":
      out.push(p.name);
      break;
    case "ObjectPattern":
      for (const q of p.properties) patternNames(q.type === "RestElement" ? q.argument : q.value, out);
      break;
    case "ArrayPattern":
      for (const q of p.elements) if (q) patternNames(q, out);
      break;
    case "RestElement":
      patternNames(p.argument, out);
      break;
    case "AssignmentPattern":
      patternNames(p.left, out);
      break;
  }
  return out;
}

// Child nodes in source order (the generic part of both walks).
function children(n: Any): Any[] {
  const out: Any[] = [];
  for (const k in n) {
    if (k === "loc" || k === "start" || k === "end" || k === "type") continue;
    const v = n[k];
    if (Array.isArray(v)) {
      for (const x of v) if (x && typeof x.type === "string") out.push(x);
    } else if (v && typeof v === "object" && typeof v.type === "string") out.push(v);
  }
  return out.sort((a, b) => a.start - b.start);
}

export function parseScript(src: string): Node {
  return parse(src, { ecmaVersion: "latest", sourceType: "script", allowReturnOutsideFunction: false });
}

export function compile(src: string, o: CompileOptions, metaBase = 0, ast: Node = parseScript(src)): Compiled {
  return new Compiler(src, o, metaBase).run(ast as Any);
}

class Compiler {
  private scopes = new Map<Any, Scope>(); // node that opens a scope -> scope
  private evalAliases = new Set<Decl | string>(); // bindings assigned `eval` (string: a global name)
  private metas: FnMeta[] = [];
  private globals = new Set<string>();
  private constructs = new Set<string>();
  private methods = new Set<string>();
  private nextId = 0;
  private root!: Scope;

  constructor(
    private src: string,
    private o: CompileOptions,
    private metaBase: number,
  ) {}

  run(ast: Any): Compiled {
    // The caller's chain (eval): outermost first so each parent exists.
    let outer: Scope | null = null;
    const chain = this.o.chain ?? [];
    for (let i = chain.length - 1; i >= 0; i--) {
      const s: Scope = new Scope("chain", null, outer);
      for (const n of chain[i]) s.declare(n, null);
      s.materialized = true;
      s.v8 = "$$e" + i;
      outer = s;
    }
    if (outer) {
      this.root = outer; // the eval's own declarations go into the caller's innermost scope
      this.root.stmts = ast.body;
    } else {
      this.root = new Scope("program", ast, null);
      this.root.stmts = ast.body;
    }
    this.scopes.set(ast, this.root);
    this.declarePass(ast, this.root);
    this.refPass(ast, this.root);
    for (const s of this.scopes.values()) {
      if ((s.kind === "function" || s.kind === "block") && !s.opaque && (s.closures || s.evalSite || s.unsafe)) {
        s.materialized = true;
        s.v8 = (s.kind === "function" ? "$$s" : "$$b") + this.nextId++;
      }
    }
    const code = this.emit(ast, this.root);
    return { code, metas: this.metas, globals: [...this.globals], constructs: [...this.constructs], methods: [...this.methods] };
  }

  // ---- pass 1: scopes and declarations
  private open(n: Any, kind: Kind, parent: Scope, cpos = 0): Scope {
    const s = new Scope(kind, n, parent, cpos);
    this.scopes.set(n, s);
    return s;
  }

  // Does a block-like statement list declare let/const/class directly?
  private blockScope(n: Any, scope: Scope): Scope {
    let lexical = false;
    if (n.type === "BlockStatement") lexical = n.body.some(isLexical);
    else if (n.type === "SwitchStatement") lexical = n.cases.some((c: Any) => c.consequent.some(isLexical));
    else if (LOOP_HEAD.has(n.type)) lexical = isLexical(n.init ?? n.left);
    if (!lexical) return scope;
    const s = this.open(n, "block", scope);
    s.stmts = n.type === "BlockStatement" ? n.body : null;
    return s;
  }

  // The scope a declaration statement's names go into, and whether it dominates (runs before
  // everything after it in that scope).
  private dominates(stmt: Any, parentStmt: Any | null, scope: Scope): boolean {
    const list = scope.stmts;
    if (list && list.includes(stmt)) return true;
    // for (var i ...) / for (let i ...) as a direct child: its head runs first
    if (parentStmt && LOOP_HEAD.has(parentStmt.type) && (parentStmt.init === stmt || parentStmt.left === stmt)) {
      if (scope.node === parentStmt) return true;
      return !!list && list.includes(parentStmt);
    }
    return false;
  }

  private declarePass(n: Any, scope: Scope, parent: Any | null = null): void {
    if (FUNCTION.has(n.type)) {
      if (n.type === "FunctionDeclaration" && n.id) {
        const target = scope.fnScope;
        target.declare(n.id.name, this.dominates(n, parent, target) ? n.end : null);
      }
      const f = this.open(n, "function", scope, n.type === "FunctionDeclaration" ? n.end : n.start);
      f.stmts = n.body.type === "BlockStatement" ? n.body.body : [];
      for (const p of n.params) {
        if (p.type === "Identifier") f.declare(p.name, -1);
        else {
          f.opaque = true;
          for (const q of patternNames(p)) f.declare(q, -1);
        }
      }
      if (n.type === "FunctionExpression" && n.id && !f.decls.has(n.id.name)) f.declare(n.id.name, -1);
      if (n.async || n.generator) f.opaque = true;
      const body = n.body;
      if (body.type === "BlockStatement") for (const c of body.body) this.declarePass(c, f, body);
      else this.declarePass(body, f, n);
      return;
    }
    switch (n.type) {
      case "VariableDeclaration": {
        const target = n.kind === "var" ? scope.fnScope : scope;
        const dom = this.dominates(n, parent, target);
        for (const d of n.declarations) {
          if (d.id.type === "Identifier") target.declare(d.id.name, dom ? d.start : null);
          else {
            if (target.kind !== "program" && target.kind !== "chain") target.opaque = true;
            for (const q of patternNames(d.id)) target.declare(q, dom ? d.start : null);
          }
          if (d.init) this.declarePass(d.init, scope, d);
        }
        return;
      }
      case "ClassDeclaration":
        scope.declare(n.id.name, this.dominates(n, parent, scope) ? n.end : null);
        break;
      case "CatchClause": {
        const c = this.open(n, "native", scope);
        if (n.param) for (const q of patternNames(n.param)) c.declare(q, -1);
        this.declarePass(n.body, c, n);
        return;
      }
      case "ClassExpression":
        if (n.id) {
          const c = this.open(n, "native", scope);
          c.declare(n.id.name, -1);
          for (const ch of children(n)) if (ch !== n.id) this.declarePass(ch, c, n);
          return;
        }
        break;
      case "BlockStatement":
      case "SwitchStatement":
      case "ForStatement":
      case "ForInStatement":
      case "ForOfStatement": {
        const s = this.blockScope(n, scope);
        if (n.type === "BlockStatement") {
          for (const c of n.body) this.declarePass(c, s, n);
          return;
        }
        for (const c of children(n)) this.declarePass(c, s, n);
        return;
      }
    }
    for (const c of children(n)) this.declarePass(c, scope, n);
  }

  // ---- pass 2: references, closures, eval sites
  private scopeOf(n: Any, scope: Scope): Scope {
    return this.scopes.get(n) ?? scope;
  }

  private resolve(name: string, from: Scope | null): Scope | null {
    for (let s = from; s; s = s.parent) if (s.decls.has(name)) return s;
    return null;
  }

  // Where the reference stands as far as `target`'s declarations are concerned: inside a
  // function created within target, the moment that function was created.
  private point(pos: number, from: Scope, target: Scope): number {
    let p = pos;
    for (let s: Scope | null = from; s && s !== target; s = s.parent) if (s.kind === "function") p = s.cpos;
    return p;
  }

  private isSafe(name: string, pos: number, from: Scope, target: Scope): boolean {
    if (target.kind === "program") return true; // V8's global lookup is Espruino's
    // (a caller's scope seen by eval code has no positions: every reference checks)
    const p = this.point(pos, from, target);
    for (const d of target.decls.get(name)!.dom) if (p >= d) return true;
    return false;
  }

  private reference(id: Any, scope: Scope): void {
    const t = this.resolve(id.name, scope);
    if (!t && id.name === "arguments") {
      // Espruino's arguments do not alias the parameters: keep those in the scope object.
      for (let s: Scope | null = scope; s; s = s.parent)
        if (s.kind === "function" && s.node!.type !== "ArrowFunctionExpression") {
          s.unsafe = true;
          break;
        }
      return;
    }
    if (!t) {
      this.globals.add(id.name);
      return;
    }
    if (t.kind === "program") this.globals.add(id.name);
    // Every scope an unsafe reference may fall back through must be able to say "not yet".
    for (let s: Scope | null = t; s; s = this.resolve(id.name, s.parent)) {
      if (s.kind === "program" || s.kind === "native") break;
      if (this.isSafe(id.name, id.start, scope, s)) break;
      s.unsafe = true;
    }
  }

  private markUp(scope: Scope, what: "closures" | "evalSite"): void {
    for (let s: Scope | null = scope; s; s = s.parent) {
      s[what] = true;
      if (s.kind === "function") break;
    }
  }

  private isEvalCallee(c: Any, scope: Scope): boolean {
    if (c.type === "Identifier") {
      const t = this.resolve(c.name, scope);
      if (c.name === "eval" && (!t || t.kind === "program")) return true;
      return this.evalAliases.has(t ? t.decls.get(c.name)! : c.name);
    }
    if (c.type === "SequenceExpression") return this.isEvalCallee(c.expressions[c.expressions.length - 1], scope);
    if (c.type === "MemberExpression") return (!c.computed && c.property.name === "eval") || (c.computed && c.property.type === "Literal" && c.property.value === "eval");
    return false;
  }

  private noteAlias(target: Any, value: Any | null | undefined, scope: Scope): void {
    if (!value || target.type !== "Identifier" || value.type !== "Identifier" || value.name !== "eval") return;
    const t = this.resolve(target.name, scope);
    this.evalAliases.add(t ? t.decls.get(target.name)! : target.name);
  }

  private refPass(n: Any, scope: Scope): void {
    const own = this.scopes.get(n);
    if (own && own !== scope) {
      if (FUNCTION.has(n.type)) this.markUp(scope, "closures");
      scope = own;
    }
    switch (n.type) {
      case "Identifier":
        this.reference(n, scope);
        return;
      case "VariableDeclarator":
        this.noteAlias(n.id, n.init, scope);
        if (n.init) this.refPass(n.init, scope);
        return;
      case "FunctionDeclaration":
      case "FunctionExpression":
      case "ArrowFunctionExpression":
        for (const p of n.params) if (p.type !== "Identifier") this.refPass(p, scope);
        this.refPass(n.body, scope);
        return;
      case "AssignmentExpression":
        this.noteAlias(n.left, n.right, scope);
        break;
      case "CallExpression":
        if (this.isEvalCallee(n.callee, scope)) this.markUp(scope, "evalSite");
        if (n.callee.type === "MemberExpression" && !n.callee.computed && n.callee.property.type === "Identifier") this.methods.add(n.callee.property.name);
        break;
      case "NewExpression":
        if (n.callee.type === "Identifier") {
          const t = this.resolve(n.callee.name, scope);
          if (!t || t.kind === "program") this.constructs.add(n.callee.name);
        }
        break;
      case "MemberExpression":
        this.refPass(n.object, scope);
        if (n.computed) this.refPass(n.property, scope);
        return;
      case "Property":
      case "MethodDefinition":
      case "PropertyDefinition":
        if (n.computed) this.refPass(n.key, scope);
        if (n.value) this.refPass(n.value, scope);
        return;
      case "ClassDeclaration":
      case "ClassExpression":
        if (n.superClass) this.refPass(n.superClass, scope);
        this.refPass(n.body, scope);
        return;
      case "CatchClause":
        if (n.param && n.param.type !== "Identifier") this.refPass(n.param, scope);
        this.refPass(n.body, scope);
        return;
      case "LabeledStatement":
        this.refPass(n.body, scope);
        return;
      case "BreakStatement":
      case "ContinueStatement":
      case "MetaProperty":
        return;
    }
    for (const c of children(n)) this.refPass(c, scope);
  }

  // ---- pass 3: code
  private text(a: number, b: number): string {
    return this.src.slice(a, b);
  }

  // A node emitted where its own text no longer stands between the same neighbours: a comma
  // expression keeps the parentheses its source had around it.
  private value(n: Any, scope: Scope, parent: Any | null): string {
    const t = this.emit(n, scope, parent);
    return n.type === "SequenceExpression" ? "(" + t + ")" : t;
  }

  // The node's source with its children emitted.
  private generic(n: Any, scope: Scope, skip?: Set<Any>): string {
    let out = "";
    let at = n.start;
    for (const c of children(n)) {
      out += this.text(at, c.start) + (skip?.has(c) ? this.text(c.start, c.end) : this.emit(c, scope, n));
      at = c.end;
    }
    return out + this.text(at, n.end);
  }

  // The innermost scope object around `scope` (what a function created there links to).
  private parentObj(scope: Scope | null): string {
    for (let s = scope; s; s = s.parent) if (s.materialized) return s.v8;
    return "null";
  }

  private declared(s: Scope, name: string): string {
    return s.dynamic ? `$$vb.h(${s.v8},${JSON.stringify(name)})` : `${s.v8}${prop(name)}!==$$U`;
  }

  // Reading `name` as seen from `from` (a reference at `pos`), starting with scope `t`.
  private read(name: string, pos: number, from: Scope, t: Scope | null, op: (target: string) => string = (x) => x): string {
    if (!t || t.kind === "program" || t.kind === "native" || !t.materialized) return op(name);
    const here = op(t.v8 + prop(name));
    if (this.isSafe(name, pos, from, t)) return here;
    return `(${this.declared(t, name)}?${here}:${this.read(name, pos, from, this.resolve(name, t.parent), op)})`;
  }

  // An eval may have added the name to a scope object between here and where it resolves.
  private ref(id: Any, scope: Scope, op: (target: string) => string = (x) => x): string {
    const t = this.resolve(id.name, scope);
    let expr = this.read(id.name, id.start, scope, t, op);
    const dyn: Scope[] = [];
    for (let s: Scope | null = scope; s && s !== t; s = s.parent) if (s.materialized && s.evalSite) dyn.push(s);
    for (let i = dyn.length - 1; i >= 0; i--) expr = `($$vb.h(${dyn[i].v8},${JSON.stringify(id.name)})?${op(dyn[i].v8 + prop(id.name))}:${expr})`;
    return expr;
  }

  // `name = value` in scope s as a declaration runs (the variable exists from now on).
  private define(s: Scope, name: string, value: string | null, needsDeclare = true): string {
    if (s.kind === "program") {
      if (value === null) return `$$vb.g(${JSON.stringify(name)})`;
      return (needsDeclare ? `$$vb.g(${JSON.stringify(name)}),` : "") + `${name}=${value}`;
    }
    const slot = s.v8 + prop(name);
    const decl = s.dynamic ? `$$vb.d(${s.v8},${JSON.stringify(name)})` : `${slot}===$$U&&(${slot}=void 0)`;
    if (value === null) return decl;
    return (needsDeclare ? decl + "," : "") + `${slot}=${value}`;
  }

  // Does an initialiser refer to the variable being declared (`var x = x + 1`)?
  private mentions(n: Any | null, name: string): boolean {
    if (!n) return false;
    if (n.type === "Identifier") return n.name === name;
    return children(n).some((c) => this.mentions(c, name));
  }

  private declTarget(kind: string, scope: Scope): Scope {
    return kind === "var" ? scope.fnScope : scope;
  }

  // A declaration as an expression (the transformed scope keeps it), or null to keep it as is.
  private declaration(n: Any, scope: Scope): string | null {
    const t = this.declTarget(n.kind, scope);
    if (!(t.kind === "program" || t.materialized)) return null;
    if (n.declarations.some((d: Any) => d.id.type !== "Identifier")) return null;
    return n.declarations
      .map((d: Any) => this.define(t, d.id.name, d.init ? this.value(d.init, scope, d) : null, !d.init || this.mentions(d.init, d.id.name) || t.kind === "program"))
      .join(",");
  }

  private fnMeta(n: Any): number {
    const body = n.body;
    let len: number;
    if (body.type === "BlockStatement") len = this.text(body.start + 1, body.end - 1).trim().length;
    else len = body.end - body.start;
    this.metas.push({
      params: n.params.map((p: Any) => (p.type === "Identifier" ? p.name : "?")),
      name: n.type === "FunctionExpression" && n.id ? n.id.name : undefined,
      body: len,
      arrow: n.type === "ArrowFunctionExpression",
      flash: this.o.flash,
      src: this.text(n.start, n.end),
    });
    return this.metaBase + this.metas.length - 1;
  }

  // A function's own text, with its scope object set up first thing in its body.
  private fnText(n: Any, outer: Scope, anonymous = false, method = false): string {
    const f = this.scopes.get(n)!;
    let head = "";
    if (f.materialized) {
      const fields = [`" p":${this.parentObj(outer)}`];
      for (const [name] of f.decls) {
        const isParam = n.params.some((p: Any) => p.type === "Identifier" && p.name === name);
        const isSelf = n.type === "FunctionExpression" && n.id && n.id.name === name && !isParam;
        fields.push(`${key(name)}:${isParam || isSelf ? name : "$$U"}`);
      }
      head = `var ${f.v8}={${fields.join(",")}};`;
    }
    const params = n.params.length ? this.text(n.params[0].start, n.params[n.params.length - 1].end) : "";
    const body = n.body;
    let bodyText: string;
    if (body.type === "BlockStatement") bodyText = "{" + head + this.statements(body.body, f, body) + "}";
    else if (head) bodyText = "{" + head + "return (" + this.emit(body, f, n) + ");}";
    else bodyText = this.emit(body, f, n);
    if (method) return "(" + params + ")" + bodyText;
    if (n.type === "ArrowFunctionExpression") return (n.async ? "async " : "") + "(" + params + ")=>" + bodyText;
    const name = !anonymous && n.id ? " " + n.id.name : "";
    return (n.async ? "async " : "") + "function" + (n.generator ? "*" : "") + name + "(" + params + ")" + bodyText;
  }

  private registered(n: Any, outer: Scope, anonymous = false): string {
    return `($$vb.f(${this.fnText(n, outer, anonymous)},${this.fnMeta(n)},${this.parentObj(outer)}))`;
  }

  private statements(list: Any[], scope: Scope, parent: Any): string {
    if (!list.length) return this.text(parent.start + 1, parent.end - 1);
    let out = this.text(parent.start + 1, list[0].start);
    let at = list[0].start;
    for (const s of list) {
      out += this.text(at, s.start) + this.emit(s, scope, parent);
      at = s.end;
    }
    return out + this.text(at, parent.end - 1);
  }

  // A block scope's object, made as the block is entered.
  private blockHead(s: Scope, outer: Scope): string {
    const fields = [`" p":${this.parentObj(outer)}`];
    for (const [name] of s.decls) fields.push(`${key(name)}:$$U`);
    return `let ${s.v8}={${fields.join(",")}};`;
  }

  private emit(n: Any, scope: Scope, parent: Any | null = null): string {
    switch (n.type) {
      case "Program": {
        let out = "";
        let at = 0;
        for (const s of n.body) {
          out += this.text(at, s.start) + this.emit(s, scope, n);
          at = s.end;
        }
        return out + this.text(at, this.src.length);
      }
      case "ExpressionStatement":
        // Espruino has no strict mode.
        if (n.directive === "use strict") return '"use sloppy";';
        break;
      case "Identifier":
        return this.ref(n, scope);
      case "FunctionDeclaration": {
        const t = scope.fnScope;
        const fn = this.registered(n, scope, true);
        // A declaration leaves no completion value (what the console prints, what eval returns).
        if (t.kind === "program") return `void (${n.id.name}=${fn});`;
        if (!t.materialized) return this.generic(n, scope);
        return "void (" + this.define(t, n.id.name, fn, false) + ");";
      }
      case "FunctionExpression":
      case "ArrowFunctionExpression": {
        const method = parent && (parent.type === "MethodDefinition" || (parent.type === "Property" && (parent.method || parent.kind !== "init")));
        if (method) return this.fnText(n, scope, false, true);
        return this.registered(n, scope);
      }
      case "ClassDeclaration": {
        const t = scope;
        if (!(t.kind === "program" || t.materialized)) return this.generic(n, scope, new Set([n.id]));
        const cls = this.generic(n, scope, new Set([n.id]));
        return "void (" + this.define(t, n.id.name, "(" + cls + ")", false) + ");";
      }
      case "VariableDeclaration": {
        const d = this.declaration(n, scope);
        if (d === null) break;
        const inHead = parent && LOOP_HEAD.has(parent.type) && (parent.init === n || parent.left === n);
        return inHead ? d : "void (" + d + ");";
      }
      case "ForInStatement":
      case "ForOfStatement": {
        const own = this.scopeOf(n, scope);
        let inner: string;
        const left = n.left;
        if (left.type === "VariableDeclaration" && left.declarations[0].id.type === "Identifier" && !left.declarations[0].init) {
          const t = this.declTarget(left.kind, own);
          const name = left.declarations[0].id.name;
          if (t.kind === "program" || t.materialized) {
            const slot = t.kind === "program" ? name : t.v8 + prop(name);
            const kw = n.type === "ForInStatement" ? " in " : " of ";
            inner = `for(${slot}${kw}(${this.define(t, name, null)},${this.emit(n.right, own, n)}))${this.emit(n.body, own, n)}`;
          } else inner = this.generic(n, own);
        } else if (left.type === "Identifier") {
          const kw = n.type === "ForInStatement" ? " in " : " of ";
          inner = `for(${this.lhs(left, own)}${kw}${this.value(n.right, own, n)})${this.emit(n.body, own, n)}`;
        } else inner = this.generic(n, own);
        return own !== scope && own.materialized ? "{" + this.blockHead(own, scope) + inner + "}" : inner;
      }
      case "ForStatement":
      case "SwitchStatement": {
        const own = this.scopeOf(n, scope);
        const inner = this.generic(n, own);
        return own !== scope && own.materialized ? "{" + this.blockHead(own, scope) + inner + "}" : inner;
      }
      case "BlockStatement": {
        const own = this.scopeOf(n, scope);
        const head = own !== scope && own.materialized ? this.blockHead(own, scope) : "";
        return "{" + head + this.statements(n.body, own, n) + "}";
      }
      case "CatchClause": {
        const own = this.scopeOf(n, scope);
        return this.text(n.start, n.body.start) + this.emit(n.body, own, n);
      }
      case "ClassExpression": {
        const own = this.scopeOf(n, scope);
        return this.generic(n, own, new Set(n.id ? [n.id] : []));
      }
      case "ClassBody":
        return this.generic(n, scope);
      case "MemberExpression":
        if (n.computed) break;
        return this.text(n.start, n.object.start) + this.emit(n.object, scope, n) + this.text(n.object.end, n.end);
      case "Property":
        if (n.shorthand && n.value.type === "Identifier") return JSON.stringify(n.key.name) + ":" + this.ref(n.value, scope);
        if (n.computed) break;
        return this.text(n.start, n.value.start) + this.emit(n.value, scope, n) + this.text(n.value.end, n.end);
      case "MethodDefinition":
      case "PropertyDefinition":
        if (n.computed) break;
        return n.value ? this.text(n.start, n.value.start) + this.emit(n.value, scope, n) + this.text(n.value.end, n.end) : this.text(n.start, n.end);
      case "AssignmentExpression":
        if (n.left.type === "Identifier") return this.assign(n.left, n.operator, this.value(n.right, scope, n), scope);
        break;
      case "UpdateExpression":
        if (n.argument.type === "Identifier") {
          const op = n.operator;
          return this.ref(n.argument, scope, (t) => (n.prefix ? op + t : t + op));
        }
        break;
      case "UnaryExpression":
        if (n.argument.type === "Identifier" && n.operator === "typeof") return "(" + this.ref(n.argument, scope, (t) => "typeof " + t) + ")";
        if (n.argument.type === "Identifier" && n.operator === "delete") {
          const t = this.resolve(n.argument.name, scope);
          return !t || t.kind === "program" || t.kind === "native" || !t.materialized ? this.text(n.start, n.end) : "false";
        }
        break;
      case "CallExpression":
        return this.call(n, scope);
      case "LabeledStatement":
        return this.text(n.start, n.body.start) + this.emit(n.body, scope, n);
      case "BreakStatement":
      case "ContinueStatement":
      case "MetaProperty":
        return this.text(n.start, n.end);
    }
    return this.generic(n, scope);
  }

  // A reference used as an assignment target.
  private lhs(id: Any, scope: Scope): string {
    const t = this.resolve(id.name, scope);
    if (!t || t.kind === "program" || t.kind === "native" || !t.materialized) return id.name;
    if (this.isSafe(id.name, id.start, scope, t)) return t.v8 + prop(id.name);
    // Choose the object holding the variable, then assign through it.
    let obj = "$$vb.G";
    const chain: Scope[] = [];
    for (let s: Scope | null = t; s; s = this.resolve(id.name, s.parent)) {
      if (s.kind === "program") break;
      if (s.kind === "native" || !s.materialized) return id.name; // V8 keeps that one: best effort
      chain.push(s);
      if (this.isSafe(id.name, id.start, scope, s)) break;
    }
    for (let i = chain.length - 1; i >= 0; i--) {
      const s = chain[i];
      obj = i === chain.length - 1 && this.isSafe(id.name, id.start, scope, s) ? s.v8 : `(${this.declared(s, id.name)}?${s.v8}:${obj})`;
    }
    return `${obj}${prop(id.name)}`;
  }

  private assign(id: Any, op: string, value: string, scope: Scope): string {
    return "(" + this.ref(id, scope, (t) => `${t}${op}${value}`) + ")";
  }

  private call(n: Any, scope: Scope): string {
    const args = n.arguments.map((a: Any) => this.value(a, scope, n)).join(",");
    if (this.isEvalCallee(n.callee, scope)) {
      const chain: string[] = [];
      for (let s: Scope | null = scope; s; s = s.parent) if (s.materialized) chain.push(s.v8);
      const where = chain.length ? "[" + chain.join(",") + "]" : "null";
      const c = n.callee;
      if (c.type === "MemberExpression") {
        const k = c.computed ? this.emit(c.property, scope, c) : JSON.stringify(c.property.name);
        return `$$vb.m(${this.emit(c.object, scope, c)},${k},this,${where},[${args}])`;
      }
      return `$$vb.e((${this.emit(c, scope, n)}),this,${where},[${args}])`;
    }
    const c = n.callee;
    if (c.type === "Identifier") {
      const t = this.resolve(c.name, scope);
      const callee = this.ref(c, scope);
      const wrapped = t && t.materialized && t.kind !== "program" ? "(0," + callee + ")" : callee;
      return wrapped + "(" + args + ")";
    }
    return this.generic(n, scope);
  }
}

function prop(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? "." + name : "[" + JSON.stringify(name) + "]";
}

function key(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name);
}
