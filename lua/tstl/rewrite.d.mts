import type ts from "typescript";
export interface RewriteStats {
  truthy: number;
  logical: number;
  bitwise: number;
  shift: number;
  compound: number;
  errors: string[];
}
export function rewriteProgram(
  program: ts.Program,
  target: "bit" | "5.3",
  skip?: (fileName: string) => boolean,
): { files: Map<string, string>; stats: RewriteStats };
