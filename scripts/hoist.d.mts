export function hoistDeclarations(code: string): string;
export function prefixTopLevel(code: string): string;
