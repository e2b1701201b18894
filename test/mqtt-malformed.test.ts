// The corpus of malformed MQTT 3.1.1 input (mqtt-malformed-cases.ts): each case must raise its
// own ProtocolError code, whole and fed byte by byte, and together the cases must cover every
// code the parser has.
import { describe, expect, it } from "vitest";
import { isProtocolError } from "../shared/errors";
import * as C from "../shared/mqtt/constants";
import { ALL_DECODERS, CLIENT_DECODERS, MqttParser, SERVER_DECODERS, type Decoders } from "../shared/mqtt/parser";
import { CASES, connect, frame, s } from "./mqtt-malformed-cases";

function codeOf(decoders: Decoders, max: number | undefined, chunks: Uint8Array[]): string {
  const parser = new MqttParser(decoders, max);
  try {
    for (const c of chunks) parser.push(c);
  } catch (e) {
    if (isProtocolError(e)) return e.code;
    throw e;
  }
  return "no error";
}

describe("malformed MQTT input", () => {
  for (const c of CASES) {
    it(`${c.name} -> ${c.code}`, () => {
      const d = c.client ? CLIENT_DECODERS : ALL_DECODERS;
      expect(codeOf(d, c.max, [c.bytes])).toBe(c.code);
      const bytewise: Uint8Array[] = [];
      for (let i = 0; i < c.bytes.length; i++) bytewise.push(c.bytes.subarray(i, i + 1));
      expect(codeOf(d, c.max, bytewise)).toBe(c.code);
      // a client refuses it too (either for the same reason or as a type it never receives)
      if (!c.client) expect([c.code, C.E_TYPE]).toContain(codeOf(CLIENT_DECODERS, c.max, [c.bytes]));
    });
  }

  it("a server's table refuses every case except the valid packets a client sends", () => {
    const passing = CASES.filter((c) => codeOf(SERVER_DECODERS, c.max, [c.bytes]) === "no error").map((c) => c.name);
    expect(passing).toEqual(["client receives CONNECT", "client receives SUBSCRIBE", "client receives UNSUBSCRIBE", "client receives PINGREQ", "client receives DISCONNECT"]);
    // what only a client receives: CONNACK, SUBACK, UNSUBACK, PINGRESP
    for (const b of [frame(0x20, 0, 0), frame(0x90, [0, 1], 0), frame(0xb0, 0, 1), frame(0xd0)]) expect(codeOf(SERVER_DECODERS, undefined, [b])).toBe(C.E_TYPE);
  });

  it("the corpus covers every code the parser can raise", () => {
    const generatorOnly = [C.E_EMPTY_ID_CLEAN, C.E_STRING_LENGTH, C.E_KEEPALIVE, C.E_FIELD_TYPE];
    const all = Object.entries(C)
      .filter(([k]) => k.startsWith("E_"))
      .map(([, v]) => v as string)
      .filter((code) => !generatorOnly.includes(code));
    const covered = new Set(CASES.map((c) => c.code));
    expect(all.filter((code) => !covered.has(code))).toEqual([]);
  });

  it("the same bytes without the defect parse", () => {
    // guards the corpus itself: the helpers build valid packets when nothing is wrong
    const ok: [Uint8Array, boolean][] = [
      [connect(2, s("c")), false],
      [connect(0xc2, s("c"), s("u"), s([1])), false],
      [connect(0x36, s("c"), s("w"), s("m")), false],
      [frame(0x82, [0, 1], s("a/+/#"), 2), false],
      [frame(0xa2, [0, 1], s("a"), s("+/b")), false],
      [frame(0x30, s("a/b")), true],
      [frame(0x3d, s("a"), [0, 1], 1, 2), true],
      [frame(0x20, 1, 0), true],
      [frame(0x90, [0, 1], 0, 1, 2, 0x80), true],
      [frame(0x62, 0, 1), true],
    ];
    for (const [b, client] of ok) expect(codeOf(client ? CLIENT_DECODERS : ALL_DECODERS, undefined, [b])).toBe("no error");
  });
});
