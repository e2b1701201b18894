// Every protocol failure in shared/ is a ProtocolError whose `code` names the rule that was
// broken (for MQTT the normative statement id of the 3.1.1 spec, e.g. "MQTT-3.3.2-2"; for
// WebSocket the RFC 6455 section, e.g. "WS-5.2"; otherwise a short kebab-case name).
// The detail text is optional: on the board every string costs bytes, so callers there pass
// only the code and the host explains codes with describe() in shared/error-text.ts.
//
// Not `extends Error`: that throws on Espruino (super(msg) fails on the interpreter).
export class ProtocolError {
  name = "ProtocolError";
  constructor(public code: string, public message?: string) {}
  toString(): string {
    return this.name + " [" + this.code + "]" + (this.message ? ": " + this.message : "");
  }
}

export function fail(code: string, message?: string): never {
  throw new ProtocolError(code, message);
}

export function isProtocolError(e: unknown): e is ProtocolError {
  return e instanceof ProtocolError;
}
