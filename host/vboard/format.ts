// Espruino-style text for printed values: console.log/print and the REPL's "=result".
// Floats print with 12 significant digits like the firmware (3.14157009124), so host code
// comparing console output sees what a board would print.
export function formatNumber(n: number): string {
  if (Number.isInteger(n) || !Number.isFinite(n)) return String(n);
  return String(Number(n.toPrecision(12)));
}

function isTyped(v: unknown): v is ArrayLike<number> & { constructor: { name: string } } {
  return ArrayBuffer.isView(v) && !(v instanceof DataView);
}

// A board function's own source (board code runs rewritten, see scoping.ts).
let functionText: (f: Function) => string | undefined = () => undefined;
export function setFunctionText(f: (fn: Function) => string | undefined): void {
  functionText = f;
}

// `top`: a string prints raw (console.log), otherwise quoted (inside objects, REPL results).
export function formatValue(v: unknown, top = true, depth = 0): string {
  if (typeof v === "string") return top ? v : JSON.stringify(v);
  if (typeof v === "number") return formatNumber(v);
  if (v === null || v === undefined || typeof v === "boolean") return String(v);
  if (typeof v === "function") {
    const s = functionText(v) ?? Function.prototype.toString.call(v);
    return s.length > 200 ? s.slice(0, s.indexOf("{") + 1) + " ... }" : s;
  }
  if (typeof v !== "object") return String(v);
  if (depth > 4) return "...";
  const pinName = (v as { toString?: () => string }).toString;
  if (Object.prototype.toString.call(v) === "[object Object]" && v.constructor?.name === "Pin" && typeof pinName === "function") return pinName.call(v);
  if (isTyped(v)) return "new " + v.constructor.name + "([" + Array.prototype.join.call(v, ", ") + "])";
  if (Array.isArray(v)) return v.length ? "[ " + v.map((x) => formatValue(x, false, depth + 1)).join(", ") + " ]" : "[  ]";
  if (v instanceof Error || (v as Error).stack !== undefined) return String(v);
  const keys = Object.keys(v);
  if (!keys.length) return "{  }";
  return "{ " + keys.map((k) => JSON.stringify(k) + ": " + formatValue((v as Record<string, unknown>)[k], false, depth + 1)).join(", ") + " }";
}

export function formatArgs(args: unknown[]): string {
  return args.map((a) => formatValue(a, true)).join(" ");
}

// How Espruino reports an error nobody caught: "Uncaught Error: message".
export function uncaughtText(e: unknown): string {
  if (e && typeof e === "object" && "message" in e) {
    const name = (e as Error).name || "Error";
    let msg = String((e as Error).message);
    // V8 says `x is not defined`, Espruino `"x" is not defined`.
    if (name === "ReferenceError") msg = msg.replace(/^(\S+) is not defined$/, '"$1" is not defined');
    return "Uncaught " + name + ": " + msg;
  }
  return "Uncaught " + formatValue(e, false);
}
