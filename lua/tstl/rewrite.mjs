// Source-to-source pass run before typescript-to-lua: it rewrites the few JavaScript
// semantics that TSTL translates literally but Lua evaluates differently, so the protocol
// source in shared/ stays as it is and still behaves the same on Lua. Uses the type checker
// of the original program; the output is ordinary TypeScript that TSTL type-checks again.
//
// 1. Truthiness. In Lua only nil and false are false; 0, NaN and "" are true. Conditions
//    (if/while/do/for, `?:`, `!`, operands of && and ||) whose type can be a number or a string
//    become explicit tests: `(x) !== 0`, `(s) !== ""`, or __truthy(x) for mixed types. Value
//    uses of `a || b` / `a && b` on such types become conditionals.
// 2. Bitwise operators, target "bit" (Lua 5.1 syntax + the `bit` module, for NodeMCU, lua5.1
//    with lua-bitop and LuaJIT): calls to bit.band, bit.bor, ... TSTL's own "JIT" target emits
//    the same calls but compiles `continue` to `goto`, which Lua 5.1 cannot parse, so the
//    build compiles this target as plain 5.1. `x >>> n` with a non-literal or zero n is reduced
//    modulo 2^32: bit.rshift returns a signed result.
// 3. Bitwise operators, target 5.3. Lua 5.3 operates on 64-bit integers and has no
//    arithmetic shift; JavaScript works on int32. Each `| & ^ << ~` result is folded back to
//    int32, `>>` becomes a floor division, `>>>` masks to 32 bits first, and compound
//    assignments (`x >>= 7`) are expanded.
import ts from "typescript";

const TRUTHY_HELPER =
  "\n// Added for Lua by lua/tstl/rewrite.mjs: JavaScript truthiness.\n" +
  "function __truthy(v: unknown): boolean {\n" +
  '  return v !== undefined && v !== null && v !== false && v !== 0 && v !== "" && v === v;\n' +
  "}\n";

const INT32 = (e) => `((((${e}) & 0xffffffff) ^ 0x80000000) - 0x80000000)`;

const BITWISE = new Set([
  ts.SyntaxKind.BarToken,
  ts.SyntaxKind.AmpersandToken,
  ts.SyntaxKind.CaretToken,
  ts.SyntaxKind.LessThanLessThanToken,
  ts.SyntaxKind.GreaterThanGreaterThanToken,
  ts.SyntaxKind.GreaterThanGreaterThanGreaterThanToken,
]);

// LuaBitOp / NodeMCU `bit` functions (the calls typescript-to-lua's own JIT target emits).
const BIT_FN = new Map([
  [ts.SyntaxKind.BarToken, "bor"],
  [ts.SyntaxKind.AmpersandToken, "band"],
  [ts.SyntaxKind.CaretToken, "bxor"],
  [ts.SyntaxKind.LessThanLessThanToken, "lshift"],
  [ts.SyntaxKind.GreaterThanGreaterThanToken, "arshift"],
  [ts.SyntaxKind.GreaterThanGreaterThanGreaterThanToken, "rshift"],
]);

const COMPOUND = new Map([
  [ts.SyntaxKind.BarEqualsToken, ts.SyntaxKind.BarToken],
  [ts.SyntaxKind.AmpersandEqualsToken, ts.SyntaxKind.AmpersandToken],
  [ts.SyntaxKind.CaretEqualsToken, ts.SyntaxKind.CaretToken],
  [ts.SyntaxKind.LessThanLessThanEqualsToken, ts.SyntaxKind.LessThanLessThanToken],
  [ts.SyntaxKind.GreaterThanGreaterThanEqualsToken, ts.SyntaxKind.GreaterThanGreaterThanToken],
  [ts.SyntaxKind.GreaterThanGreaterThanGreaterThanEqualsToken, ts.SyntaxKind.GreaterThanGreaterThanGreaterThanToken],
]);

// Rewrites every source file of `program` (except those in `skip`) for `target` ("bit" or
// "5.3"). Returns Map<fileName, text> and a count of each rewrite for the build log.
export function rewriteProgram(program, target, skip = () => false) {
  const checker = program.getTypeChecker();
  const out = new Map();
  const stats = { truthy: 0, logical: 0, bitwise: 0, shift: 0, compound: 0, errors: [] };
  for (const sf of program.getSourceFiles()) {
    if (sf.isDeclarationFile || skip(sf.fileName)) continue;
    const r = new FileRewriter(sf, checker, target, stats);
    out.set(sf.fileName, r.run());
  }
  return { files: out, stats };
}

class FileRewriter {
  constructor(sf, checker, target, stats) {
    this.sf = sf;
    this.checker = checker;
    this.target = target;
    this.stats = stats;
    this.needHelper = false;
  }

  run() {
    const body = this.splice(this.sf, 0, this.sf.end);
    return this.needHelper ? body + TRUTHY_HELPER : body;
  }

  error(node, msg) {
    const { line } = this.sf.getLineAndCharacterOfPosition(node.getStart());
    this.stats.errors.push(`${this.sf.fileName}:${line + 1}: ${msg}: ${node.getText()}`);
  }

  // Original text of [start, end) with each child replaced by its rewritten text.
  splice(node, start = node.getStart(this.sf), end = node.end) {
    let s = "";
    let at = start;
    const cond = this.conditionChild(node);
    ts.forEachChild(node, (child) => {
      const cs = child.getStart(this.sf);
      s += this.sf.text.slice(at, cs);
      if (child !== cond) s += this.text(child);
      else if (ts.isPrefixUnaryExpression(node)) s += "(" + this.cond(child) + ")";
      else s += this.cond(child);
      at = child.end;
    });
    return s + this.sf.text.slice(at, end);
  }

  conditionChild(node) {
    switch (node.kind) {
      case ts.SyntaxKind.IfStatement:
      case ts.SyntaxKind.WhileStatement:
      case ts.SyntaxKind.DoStatement:
      case ts.SyntaxKind.ConditionalExpression:
        return node.condition ?? node.expression;
      case ts.SyntaxKind.ForStatement:
        return node.condition;
      case ts.SyntaxKind.PrefixUnaryExpression:
        return node.operator === ts.SyntaxKind.ExclamationToken ? node.operand : undefined;
    }
    return undefined;
  }

  text(node) {
    if (ts.isBinaryExpression(node)) {
      const op = node.operatorToken.kind;
      if (op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.AmpersandAmpersandToken) return this.logical(node);
      if (BITWISE.has(op)) return this.bitwise(op, node.right, this.text(node.left), this.text(node.right));
      if (COMPOUND.has(op)) return this.compound(node);
    }
    if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.TildeToken) {
      this.stats.bitwise++;
      const a = this.text(node.operand);
      return this.target === "bit" ? `LuaBit.bnot(${a})` : INT32("~" + a);
    }
    return this.splice(node);
  }

  // What a JavaScript truthiness test of this value needs on Lua: "safe" (Lua agrees:
  // booleans, objects, undefined), "number", "string" (maybe also nullish: see `nullish`),
  // or "mixed" (any, unknown, or numbers/strings together with other things).
  classify(node) {
    const t = this.checker.getTypeAtLocation(node);
    const parts = t.isUnion() ? t.types : [t];
    let num = false;
    let str = false;
    let other = false;
    let unknown = false;
    const nullish = [];
    for (const p of parts) {
      const f = p.flags;
      if (f & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.TypeParameter | ts.TypeFlags.BigIntLike)) unknown = true;
      else if (f & ts.TypeFlags.NumberLike) num = true;
      else if (f & ts.TypeFlags.StringLike) str = true;
      else if (f & ts.TypeFlags.Undefined) nullish.push("undefined");
      else if (f & ts.TypeFlags.Null) nullish.push("null");
      else other = true;
    }
    if (!num && !str && !unknown) return { kind: "safe", nullish };
    if (unknown || (num && str) || other) return { kind: "mixed", nullish };
    return { kind: num ? "number" : "string", nullish };
  }

  // The node in a condition position.
  cond(node) {
    if (ts.isParenthesizedExpression(node)) return "(" + this.cond(node.expression) + ")";
    if (ts.isBinaryExpression(node)) {
      const op = node.operatorToken.kind;
      if (op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.AmpersandAmpersandToken) {
        // Only the truth of the whole is used, so each operand is a condition.
        return this.cond(node.left) + " " + node.operatorToken.getText(this.sf) + " " + this.cond(node.right);
      }
    }
    if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.ExclamationToken) {
      return "!(" + this.cond(node.operand) + ")";
    }
    const { kind, nullish } = this.classify(node);
    const t = this.text(node);
    if (kind === "safe") return t;
    this.stats.truthy++;
    const falsy = kind === "number" ? "0" : kind === "string" ? '""' : null;
    if (falsy && !nullish.length) {
      if (isComputed(node)) return `(${t}) !== ${falsy}`;
      // A read typed number or string can still be undefined at run time (an index signature,
      // an array read past its end): in Lua `nil ~= 0` would be true.
      return `(${t} || ${falsy}) !== ${falsy}`;
    }
    if (falsy && isPure(node)) {
      // Explicit nullish tests keep TypeScript's narrowing for the code that follows.
      return nullish.map((n) => `${t} !== ${n} && `).join("") + `(${t}) !== ${falsy}`;
    }
    this.needHelper = true;
    return "__truthy(" + t + ")";
  }

  // `a || b`, `a && b` used as values.
  logical(node) {
    const or = node.operatorToken.kind === ts.SyntaxKind.BarBarToken;
    const l = node.left;
    const { kind } = this.classify(l);
    const lt = this.text(l);
    const rt = this.text(node.right);
    if (kind === "safe") return lt + (or ? " || " : " && ") + rt;
    // `n || 0` and `s || ""` give the same value in Lua when n is a number or nullish, s a
    // string or nullish (Lua returns the 0 or "" itself).
    const r = node.right;
    if (or && kind === "number" && r.kind === ts.SyntaxKind.NumericLiteral && r.text === "0") return lt + " || " + rt;
    if (or && kind === "string" && ts.isStringLiteral(r) && r.text === "") return lt + " || " + rt;
    if (!isPure(l)) {
      this.error(node, "cannot rewrite && / || on a non-boolean operand with side effects");
      return lt + (or ? " || " : " && ") + rt;
    }
    this.stats.logical++;
    const c = this.cond(l);
    return or ? `(${c} ? ${lt} : ${rt})` : `(${c} ? ${rt} : ${lt})`;
  }

  // a OP b where `right` is the right operand's node and a, b the rewritten texts.
  bitwise(op, right, a, b) {
    this.stats.bitwise++;
    if (this.target === "bit") {
      const call = `LuaBit.${BIT_FN.get(op)}(${a}, ${b})`;
      if (op === ts.SyntaxKind.GreaterThanGreaterThanGreaterThanToken && !positiveLiteral(right)) {
        this.stats.shift++;
        return `(${call} % 4294967296)`;
      }
      return call;
    }
    // 5.3
    switch (op) {
      case ts.SyntaxKind.GreaterThanGreaterThanToken:
        return `Math.floor(${INT32(a)} / Math.pow(2, ${b}))`;
      case ts.SyntaxKind.GreaterThanGreaterThanGreaterThanToken:
        return `((${a}) & 0xffffffff) >>> ${b}`;
      case ts.SyntaxKind.AmpersandToken:
        // x & K with 0 <= K < 2^31 is already the int32 result.
        if (smallMask(right)) return `${a} & ${b}`;
        return INT32(`${a} & ${b}`);
      default:
        return INT32(`${a} ${ts.tokenToString(op)} ${b}`);
    }
  }

  compound(node) {
    const op = COMPOUND.get(node.operatorToken.kind);
    const target = this.text(node.left);
    if (!isPure(node.left)) {
      this.error(node, "cannot expand a compound bitwise assignment with side effects");
      return this.splice(node);
    }
    this.stats.compound++;
    return `${target} = ${this.bitwise(op, node.right, target, "(" + this.text(node.right) + ")")}`;
  }
}

function positiveLiteral(n) {
  return ts.isNumericLiteral(n) && Number(n.text) > 0 && Number(n.text) < 32;
}

function smallMask(n) {
  return ts.isNumericLiteral(n) && Number(n.text) >= 0 && Number(n.text) < 2147483648;
}

// The result of an operator, never undefined.
function isComputed(n) {
  while (ts.isParenthesizedExpression(n)) n = n.expression;
  return ts.isBinaryExpression(n) || ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n) || ts.isNumericLiteral(n);
}

// Reading it twice is harmless: identifiers, `this`, property chains, literal indexes.
function isPure(n) {
  if (ts.isIdentifier(n) || n.kind === ts.SyntaxKind.ThisKeyword) return true;
  if (ts.isPropertyAccessExpression(n)) return isPure(n.expression);
  if (ts.isParenthesizedExpression(n)) return isPure(n.expression);
  if (ts.isElementAccessExpression(n)) return isPure(n.expression) && (ts.isNumericLiteral(n.argumentExpression) || ts.isIdentifier(n.argumentExpression));
  return false;
}
