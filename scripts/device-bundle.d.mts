export const root: string;
export const BOARDS: string[];
export function compileES5(): void;
export function bundleES5(entryTs: string, defines?: Record<string, string>): Promise<string>;
export function buildBoard(board: string): Promise<{ board: string; file: string; bytes: number }>;
export const boardVariants: import("esbuild").Plugin;
