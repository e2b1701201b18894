// A board that refuses a command reports a short code on pinwire/<id>/error; the bridge logs
// it with the rule and the sentence that explain it.
import { PassThrough } from "node:stream";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Service } from "../host/bridge/service";
import { createLogger } from "../host/log";
import { E_MSG_RANGE } from "../shared/message-codes.board";
import { startTestService } from "./host-helpers";

describe("board error reports", () => {
  let svc: Service;
  const lines: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  beforeAll(async () => {
    const out = new PassThrough();
    out.on("data", (chunk: Buffer) => {
      for (const l of chunk.toString().split("\n")) if (l.trim()) lines.push(JSON.parse(l));
      for (const w of waiters.splice(0)) w();
    });
    svc = await startTestService({ log: createLogger({ destination: out }) });
  });
  afterAll(() => svc.close());

  it("are logged spelled out", async () => {
    const c = await mqtt.connectAsync(svc.mqttUrl);
    const seen = new Promise<Record<string, unknown>>((resolve) => {
      const check = () => {
        const l = lines.find((x) => x.event === "board-error");
        if (l) resolve(l);
        else waiters.push(check);
      };
      check();
    });
    await c.publishAsync("pinwire/e1/error", JSON.stringify({ code: E_MSG_RANGE }));
    const l = await seen;
    await c.endAsync();
    expect(l).toMatchObject({ id: "e1", code: E_MSG_RANGE, rule: "msg-range" });
    expect(String(l.why)).toMatch(/outside the range its catalogue declares/);
  });
});
