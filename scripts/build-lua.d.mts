export const ROOT: string;
export const OUT: string;
export const TARGETS: { name: string; luaTarget: string; rewrite: string }[];
export function outDir(name: string): string;
export function isStale(): boolean;
export interface LuaBuild {
  dir: string;
  files: number;
  bytes: number;
  rewrites: { truthy: number; logical: number; bitwise: number; shift: number; compound: number; errors: string[] };
}
export function buildLua(o?: { log?: (s: string) => void }): Record<string, LuaBuild>;
