// Espruino 2v29 rejects some syntax that V8 accepts (measured: see shared/notes/espruino.md).
// Code is parsed once before it runs, so a bundle that would not even load on a board fails
// here too. The same walk gives the static part of the memory estimate.
import { parse, type Node } from "acorn";
import { full } from "acorn-walk";

export interface SourceFacts {
  functions: number;
  params: number;
  declarations: number;
  properties: number;
  bodyChars: number; // characters of outermost function bodies (what RAM keeps of code typed in)
  code: string; // the source with top-level let/const turned into var (see below)
}

function unsupported(n: Node & Record<string, any>): string | null {
  switch (n.type) {
    case "ObjectPattern":
    case "ArrayPattern":
      return "destructuring";
    case "SpreadElement":
      return "spread (...)";
    case "RestElement":
      return "rest parameters";
    case "AssignmentPattern":
      return "default parameter values";
    case "AwaitExpression":
      return "await";
    case "YieldExpression":
      return "generators";
    case "LabeledStatement":
      return "labels";
    case "ChainExpression":
      return "optional chaining (?.)";
    case "BinaryExpression":
    case "AssignmentExpression":
      return n.operator === "**" || n.operator === "**=" ? "the ** operator" : null;
    case "Property":
    case "MethodDefinition":
    case "PropertyDefinition":
      return n.computed && n.type !== "PropertyDefinition" ? "computed property names" : null;
    case "FunctionDeclaration":
    case "FunctionExpression":
    case "ArrowFunctionExpression":
      if (n.generator) return "generators";
      if (n.async) return "async functions";
      return null;
  }
  return null;
}

export class EspruinoSyntaxError extends Error {}

// Reboots run the same .bootcde again and again: keep the last few results.
const cache = new Map<string, SourceFacts>();
const CACHE_SIZE = 8;

// Throws EspruinoSyntaxError (message says what and where) or returns what the code declares.
export function checkSource(code: string, gate = true): SourceFacts {
  const key = (gate ? "1" : "0") + code;
  const hit = cache.get(key);
  if (hit) return hit;
  const f = analyse(code, gate);
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(key, f);
  return f;
}

function analyse(code: string, gate: boolean): SourceFacts {
  const ast = parse(code, { ecmaVersion: "latest", sourceType: "script", locations: true, allowReturnOutsideFunction: false });
  const f: SourceFacts = { functions: 0, params: 0, declarations: 0, properties: 0, bodyChars: 0, code };
  const bodies: Array<[number, number]> = [];
  // Espruino's let/const are function-scoped like var, so typing `let x` again at the
  // console (or uploading the same file twice) works there; V8's script scope would throw.
  // Same-length replacement keeps error positions.
  for (const st of (ast as unknown as { body: Array<Node & { kind?: string }> }).body) {
    if (st.type === "VariableDeclaration" && (st.kind === "let" || st.kind === "const"))
      f.code = f.code.slice(0, st.start) + (st.kind === "let" ? "var" : "var  ") + f.code.slice(st.start + st.kind.length);
  }
  full(ast, (node) => {
    const n = node as Node & Record<string, any>;
    if (gate) {
      const what = unsupported(n);
      if (what) {
        const loc = n.loc!.start;
        throw new EspruinoSyntaxError("Espruino 2v29 has no " + what + " (line " + loc.line + " col " + (loc.column + 1) + ")");
      }
    }
    if (n.type === "FunctionDeclaration" || n.type === "FunctionExpression" || n.type === "ArrowFunctionExpression") {
      f.functions++;
      f.params += n.params.length;
      bodies.push([n.body.start, n.body.end]);
    } else if (n.type === "VariableDeclarator") f.declarations++;
    else if (n.type === "Property" || n.type === "PropertyDefinition" || n.type === "MethodDefinition") f.properties++;
  });
  // Nested bodies lie inside their outer one: count each character once.
  let reach = -1;
  for (const [a, b] of bodies.sort((x, y) => x[0] - y[0])) {
    if (b <= reach) continue;
    f.bodyChars += b - Math.max(a, reach);
    reach = b;
  }
  return f;
}
