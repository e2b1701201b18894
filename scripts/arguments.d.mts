export function paramsFromArguments(code: string, where?: string): string;
export function assertArgumentsSafe(code: string, where?: string): void;
