// The board build swaps each shared/**/X.ts that has an X.board.ts beside it for the variant
// (scripts/device-bundle.mjs): error codes become 2-3 characters there. Each variant must export
// the same names, give distinct codes, and map back to the host spelling through error-text.
import { describe, expect, it } from "vitest";
import { describe as describeCode, hostCode } from "../shared/error-text";
import * as CB from "../shared/mqtt/client-codes.board";
import * as CQ from "../shared/mqtt/client-codes";
import * as MB from "../shared/mqtt/constants.board";
import * as MQ from "../shared/mqtt/constants";
import * as WB from "../shared/ws/codes.board";
import * as WQ from "../shared/ws/codes";
import * as BB from "../shared/message-codes.board";
import * as BQ from "../shared/message-codes";
import { deviceSize } from "../bench/device-size";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import * as B64 from "../shared/base64";
import * as B64B from "../shared/base64.board";
import * as ERR from "../shared/errors";
import * as ERRB from "../shared/errors.board";

const PAIRS: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
  ["mqtt/constants", MQ, MB],
  ["mqtt/client-codes", CQ, CB],
  ["ws/codes", WQ, WB],
  ["message-codes", BQ, BB],
];

function boardVariants(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) out.push(...boardVariants(join(dir, e.name)));
    else if (e.name.endsWith(".board.ts")) out.push(join(dir, e.name));
  }
  return out;
}

describe("board variants", () => {
  it("every X.board.ts exports exactly what X.ts does", async () => {
    const files = boardVariants(join(import.meta.dirname, "..", "shared"));
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const f of files) {
      const board = await import(f);
      const host = await import(f.replace(/\.board\.ts$/, ".ts"));
      expect(Object.keys(board).sort(), f).toEqual(Object.keys(host).sort());
    }
  });

  it("base64 through btoa equals the pure encoder", () => {
    for (let n = 0; n < 40; n++) {
      const b = new Uint8Array(n).map((_, i) => (i * 97 + n) & 255);
      expect(B64B.base64(b)).toBe(B64.base64(b));
    }
  });

  it("the board's ProtocolError carries the code and is recognised", () => {
    let caught: unknown;
    try {
      ERRB.fail("m4");
    } catch (e) {
      caught = e;
    }
    expect(ERRB.isProtocolError(caught)).toBe(true);
    expect((caught as ERRB.ProtocolError).code).toBe("m4");
    expect(ERR.isProtocolError(caught)).toBe(false); // a separate class: never mixed in one build
  });
});

describe("board error codes", () => {
  const seen = new Set<string>();
  for (const [name, host, board] of PAIRS) {
    it(name + ": same names, numbers kept, short distinct codes that map back", () => {
      expect(Object.keys(board).sort()).toEqual(Object.keys(host).sort());
      for (const k of Object.keys(host)) {
        if (typeof host[k] === "number") {
          expect(board[k], k).toBe(host[k]);
          continue;
        }
        const b = board[k] as string;
        expect(b.length, k).toBeLessThanOrEqual(3);
        expect(seen.has(b), b).toBe(false);
        seen.add(b);
        if (k === "CONNACK_REFUSED") continue;
        expect(hostCode(b)).toBe(host[k]);
        expect(describeCode(b)).not.toBe(b);
        expect(describeCode(b)).toBe(describeCode(host[k] as string));
      }
    });
  }

  it("connack refusals map back per return code; unknown codes pass through", () => {
    expect(hostCode(CB.CONNACK_REFUSED + 4)).toBe("connack-4");
    expect(describeCode(CB.CONNACK_REFUSED + 4)).toMatch(/bad user name or password/);
    expect(hostCode("no-such-code")).toBe("no-such-code");
  });

  it("the board bundle carries the short codes, not the spec ids", async () => {
    // The MQTT client and WsClient as bench/device-core.ts keeps them.
    const { code } = await deviceSize("bench/device-core.ts");
    expect(code).toContain('"' + WB.E_WS_RSV + '"');
    expect(code).not.toContain(WQ.E_WS_RSV);
    expect(code).toContain('"' + MB.E_TOPIC_WILDCARD + '"');
    expect(code).not.toContain(MQ.E_TOPIC_WILDCARD);
    expect(code).not.toContain(CQ.E_QUEUE_FULL);
  }, 60_000);
});
