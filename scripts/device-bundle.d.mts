export const root: string;
export const BOARDS: string[];
export const MODULES: { name: string; file: string; entry: string }[];
export const ES5_BUILT_ENV: string;
export function compileES5(tsconfig?: string): void;
export function bundleES5(entryTs: string, defines?: Record<string, string>): Promise<string>;
export function buildBoard(board: string): Promise<{ board: string; file: string; bytes: number; modules: { name: string; file: string; bytes: number }[] }>;
export function moduleFiles(board: string): { name: string; data: Buffer }[];
export const boardVariants: import("esbuild").Plugin;
