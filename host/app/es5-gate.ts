// The ES5 gate: what Espruino 2v29 cannot parse or lacks, found in JavaScript (a bundle, or a
// package's file before it is bundled), and the same names found in an app's own TypeScript
// before it is transpiled, so that a problem is reported at the line the app's author wrote.
// The type-aware checks (check.ts) find more; this gate needs no types, so it also catches a
// name shadowed by a local declaration (`declare const Map: any`) and packages' JavaScript.
import * as acorn from "acorn";
import * as walk from "acorn-walk";
import ts from "typescript";

export const MISSING_GLOBALS = ["Map", "Set", "Symbol", "WeakMap", "WeakSet", "Reflect", "Proxy"];
export const MISSING_MEMBERS: Record<string, string[]> = { Math: ["imul"], Array: ["from", "of"], ArrayBuffer: ["isView"] };

export interface GateProblem {
  message: string;
  pos: number; // offset in the code
  line: number; // 1-based
  column: number; // 1-based
}

export interface GateOptions {
  // Refuse every `.slice(...)` call: a typed array's slice returns a plain Array on Espruino.
  // The runtime's bundles are held to it (they never call slice); an app's bundle is not,
  // because its strings and arrays may slice, and the type-aware check already refuses a typed
  // array's slice at its line.
  anySlice?: boolean;
}

function lineColumn(code: string, pos: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = 0; i < pos; i++)
    if (code.charCodeAt(i) === 10) {
      line++;
      last = i;
    }
  return { line, column: pos - last };
}

// What Espruino would choke on in JavaScript, each with where it is.
export function gateProblems(code: string, o: GateOptions = { anySlice: true }): GateProblem[] {
  const problems: GateProblem[] = [];
  const add = (message: string, pos: number) => problems.push({ message, pos, ...lineColumn(code, pos) });
  let ast: acorn.Node;
  try {
    ast = acorn.parse(code, { ecmaVersion: 5 });
  } catch (e) {
    const pos = (e as { pos?: number }).pos ?? 0;
    add("not ES5: " + (e as Error).message, pos);
    return problems;
  }
  for (let i = 0; i < code.length; i++)
    if (code.charCodeAt(i) > 127) {
      add("non-ASCII character", i);
      break;
    }
  walk.full(ast, (node: any) => {
    if (node.type === "Identifier" && MISSING_GLOBALS.includes(node.name)) add("uses " + node.name, node.start);
    if (node.type === "MemberExpression" && !node.computed) {
      const obj = node.object.type === "Identifier" ? node.object.name : "";
      const prop = node.property.name;
      if (MISSING_MEMBERS[obj]?.includes(prop)) add("uses " + obj + "." + prop, node.start);
      // Uint8Array#slice returns a plain Array and Array.prototype.slice is undefined there.
      if (prop === "slice" && obj !== "" && /^(Array|Uint8Array)$/.test(obj)) add("uses " + obj + ".slice", node.start);
      if (node.object.type === "MemberExpression" && node.object.property.name === "prototype" && prop === "slice") add("uses X.prototype.slice", node.start);
    }
    if (o.anySlice && node.type === "CallExpression" && node.callee.type === "MemberExpression" && node.callee.property.name === "slice")
      add("calls .slice (typed-array slice returns an Array on Espruino: use subarray or [].slice.call)", node.start);
  });
  return problems;
}

// The gate's verdict as lines ("uses Map at 12"): every runtime bundle must give none.
export function espruinoProblems(code: string, o?: GateOptions): string[] {
  return gateProblems(code, o).map((p) => (p.message.startsWith("not ES5") ? p.message : p.message + " at " + p.pos));
}

// The same names in an app's TypeScript, at the positions its author wrote them (an
// identifier that is a property name or a declaration's own name does not count).
export function gateTypeScript(sf: ts.SourceFile): GateProblem[] {
  const problems: GateProblem[] = [];
  const add = (message: string, node: ts.Node) => {
    const pos = node.getStart(sf);
    const lc = sf.getLineAndCharacterOfPosition(pos);
    problems.push({ message, pos, line: lc.line + 1, column: lc.character + 1 });
  };
  const isValueRef = (id: ts.Identifier): boolean => {
    const p = id.parent;
    if ((ts.isPropertyAccessExpression(p) && p.name === id) || (ts.isPropertyAssignment(p) && p.name === id) || ts.isPropertySignature(p) || ts.isMethodDeclaration(p) || ts.isMethodSignature(p)) return false;
    if (ts.isTypeReferenceNode(p) || ts.isExpressionWithTypeArguments(p) || ts.isQualifiedName(p) || ts.isTypeQueryNode(p)) return ts.isTypeQueryNode(p);
    if ((ts.isVariableDeclaration(p) || ts.isFunctionDeclaration(p) || ts.isClassDeclaration(p) || ts.isParameter(p) || ts.isImportSpecifier(p) || ts.isInterfaceDeclaration(p) || ts.isTypeAliasDeclaration(p)) && p.name === id) return false;
    return !ts.isTypeNode(p);
  };
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n) && MISSING_GLOBALS.includes(n.text) && isValueRef(n)) add("uses " + n.text, n);
    if (ts.isPropertyAccessExpression(n) && ts.isIdentifier(n.expression)) {
      const obj = n.expression.text;
      const prop = n.name.text;
      if (MISSING_MEMBERS[obj]?.includes(prop)) add("uses " + obj + "." + prop, n);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return problems;
}
