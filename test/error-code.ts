// The code of the error a call throws ("no error" when it returns), for tests that assert
// which rule a bad input broke. Anything not of the expected kind is rethrown.
import { isProtocolError } from "../shared/errors";

export const NO_ERROR = "no error";

export function codeOf(f: () => unknown, kind: (e: unknown) => boolean = isProtocolError): string {
  try {
    f();
  } catch (e) {
    if (kind(e)) return (e as { code: string }).code;
    throw e;
  }
  return NO_ERROR;
}
