export const root: string;
export const BOARDS: string[];
export const MODULES: { name: string; file: string; entry: string }[];
export function bundleES5(entryTs: string, defines?: Record<string, string>, plugins?: import("esbuild").Plugin[], opts?: { iife?: boolean; tail?: string; module?: boolean }): Promise<string>;
export function bundleLoader(board: string): Promise<string>;
export function moduleFiles(board: string): { name: string; data: Buffer }[];
export const es5Loader: import("esbuild").Plugin;
export function boardVariant(path: string): string;
