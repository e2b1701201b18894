// A rough JsVar count, since V8 cannot tell what Espruino's variable pool would hold:
//   firmware baseline (bootUsage)
// + per script run: 2 per function (function var + scope), 1 per declared variable and per
//   object-literal property (from the acorn walk), and when the code came as text rather
//   than from Storage, the function bodies it defines at one JsVar per blockSize bytes
//   (an expression typed at the console is not kept)
// + live data reachable from new globals and every registered callback (timers, watches,
//   listeners): 1 per object/array/property, strings and buffers at blockSize bytes a var.
// Closure variables are invisible to V8 reflection; the per-script figures stand in for them.
import type { SourceFacts } from "./syntax";

export function staticVars(f: SourceFacts, inRam: boolean, blockSize: number): number {
  return f.functions * 2 + f.declarations + f.properties + (inRam ? Math.ceil(f.bodyChars / blockSize) : 0);
}

export class VarCounter {
  private seen = new Set<unknown>();

  constructor(private blockSize: number) {}

  private str(len: number): number {
    return len <= 4 ? 0 : Math.ceil((len - 4) / this.blockSize) + 1;
  }

  // JsVars held by v, not counting anything already counted by this counter.
  count(v: unknown, depth = 0): number {
    if (typeof v === "string") return this.str(v.length);
    if (typeof v === "number") return Number.isInteger(v) ? 0 : 1;
    if (v === null || typeof v !== "object" && typeof v !== "function") return 0;
    if (this.seen.has(v) || depth > 32) return 0;
    this.seen.add(v);
    if (ArrayBuffer.isView(v)) return 2 + Math.ceil(v.byteLength / this.blockSize);
    if (Object.prototype.toString.call(v) === "[object ArrayBuffer]")
      return 1 + Math.ceil((v as ArrayBuffer).byteLength / this.blockSize);
    let n = typeof v === "function" ? 2 : 1;
    let keys: string[];
    try {
      keys = Object.keys(v);
    } catch {
      return n;
    }
    for (const k of keys) {
      let x: unknown;
      try {
        x = (v as Record<string, unknown>)[k];
      } catch {
        continue;
      }
      n += 1 + this.count(x, depth + 1);
    }
    return n;
  }
}
