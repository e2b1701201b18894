// Espruino 2v29 rejects some syntax that V8 accepts (measured: see README, "Quirks"). Code is
// checked before it runs, so a bundle that would not even load on a board fails here too.
import { type Node } from "acorn";
import { full } from "acorn-walk";

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

// Throws EspruinoSyntaxError (the message says what and where) on syntax Espruino cannot parse.
export function checkSyntax(ast: Node, src: string): void {
  full(ast, (node) => {
    const what = unsupported(node as Node & Record<string, any>);
    if (!what) return;
    const before = src.slice(0, node.start);
    const line = before.split("\n").length;
    const col = node.start - before.lastIndexOf("\n");
    throw new EspruinoSyntaxError("Espruino 2v29 has no " + what + " (line " + line + " col " + col + ")");
  });
}
