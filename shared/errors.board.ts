// Board variant of errors.ts (swapped in by scripts/device-bundle.mjs): the same exports without
// the name field and toString, which only host logs use. The board prints e.code.
export class ProtocolError {
  constructor(
    public code: string,
    public message?: string,
  ) {}
}

export function fail(code: string, message?: string): never {
  throw new ProtocolError(code, message);
}

export function isProtocolError(e: unknown): e is ProtocolError {
  return e instanceof ProtocolError;
}
