// Replay and downgrade (issue 13, item 3), on virtual boards flashed as `pinwire flash` does:
// a push recorded off the broker (HELLO, MANIFEST, chunks) and played back under a new tag
// after a newer script was installed is refused for its challenge and leaves the running
// script alone; a MANIFEST with the fresh challenge spliced in is refused for its signature
// (signed board) or as a downgrade (unsigned board); a downgrade goes in only when asked for.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { describeResult } from "../flash/cli";
import { pushScript } from "../flash/push";
import { BOOT_RUNNING } from "../shared/ota";
import { appWithVersion, type Board, bootStatus, fileRig, flashedBoard, recordPushes } from "./ota-rig";

const rig = fileRig();

async function board(id: string, name: "esp8266" | "esp32", extra: object = {}): Promise<Board> {
  const b = await flashedBoard(id, rig.broker.port, name, extra);
  rig.boards.push(b);
  const running = bootStatus(rig.host, id, (s) => s.state === BOOT_RUNNING);
  await b.vb.boot();
  await running;
  return b;
}

const state = (b: Board): any => JSON.parse(b.vb.storage.read("pw.st")!.toString());

describe("a recorded push played back", () => {
  for (const [name, signed] of [
    ["esp8266", true],
    ["esp32", false],
  ] as const)
    it(`${name}, ${signed ? "signed" : "unsigned"}: v1 replayed after v2 is refused (challenge${signed ? ", sig" : ", downgrade"}); v2 keeps running`, async () => {
      const id = "replay-" + name;
      const key = signed ? randomBytes(16) : undefined;
      const b = await board(id, name, key ? { otaKey: key.toString("hex") } : {});
      const rec = await recordPushes(rig.broker.url, id);
      try {
        const v1 = Buffer.from(appWithVersion(name, "1.0.0"), "latin1");
        expect(await pushScript(rig.host, { id, image: v1, version: "1.0.0", key })).toMatchObject({ outcome: "updated", version: "1.0.0" });
        const chunks = rec.msgs.length - 2;
        expect(chunks).toBeGreaterThan(3);
        const v2 = Buffer.from(appWithVersion(name, "2.0.0"), "latin1");
        expect(await pushScript(rig.host, { id, image: v2, version: "2.0.0", key })).toMatchObject({ outcome: "updated", version: "2.0.0" });
        const before = state(b);
        expect(before).toMatchObject({ v: "2.0.0", t: 0 });
        const running = Buffer.from(b.vb.storage.read(before.c)!);
        // As recorded, under a new tag: the board's challenge is a new one.
        const replayed = await rec.replay(4321);
        expect(replayed[0]).toBe("caps");
        expect(replayed[1]).toBe("challenge");
        expect(new Set(replayed.slice(2))).toEqual(new Set(["session"]));
        // With the fresh challenge spliced in: the signature no longer matches, and an unsigned
        // board refuses the older version.
        const spliced = await rec.replay(4322, true);
        expect(spliced[1]).toBe(signed ? "sig" : "downgrade");
        expect(new Set(spliced.slice(2))).toEqual(new Set(["session"]));
        expect(state(b)).toEqual(before);
        expect(Buffer.from(b.vb.storage.read(before.c)!).equals(running)).toBe(true);
        expect(b.vb.storage.read(before.p)!.length).toBeGreaterThan(1000); // the slot v1 was in, untouched
        // The board still takes a genuine push.
        const v3 = Buffer.from(appWithVersion(name, "3.0.0"), "latin1");
        expect(await pushScript(rig.host, { id, image: v3, version: "3.0.0", key })).toMatchObject({ outcome: "updated", version: "3.0.0" });
      } finally {
        await rec.close();
      }
    });
});

describe("downgrades", () => {
  it("an older version is refused unless the push allows it; the same version again is not a downgrade", async () => {
    const key = randomBytes(16);
    const b = await board("downgrade1", "esp8266", { otaKey: key.toString("hex") });
    const v2 = Buffer.from(appWithVersion("esp8266", "2.1.0"), "latin1");
    expect(await pushScript(rig.host, { id: "downgrade1", image: v2, version: "2.1.0-aaaaaaaa", key })).toMatchObject({ outcome: "updated" });
    const v1 = Buffer.from(appWithVersion("esp8266", "2.0.9"), "latin1");
    const r = await pushScript(rig.host, { id: "downgrade1", image: v1, version: "2.0.9-bbbbbbbb", key });
    expect(r).toMatchObject({ outcome: "refused", code: "downgrade", version: "2.1.0-aaaaaaaa" });
    expect(describeResult(r)).toBe("downgrade1: refused: the script's version is older than the one the device runs (give --allow-downgrade to install it anyway); running 2.1.0-aaaaaaaa");
    expect(state(b)).toMatchObject({ v: "2.1.0-aaaaaaaa" });
    // The same release rebuilt (another CRC) is not older.
    expect(await pushScript(rig.host, { id: "downgrade1", image: v2, version: "2.1.0-cccccccc", key })).toMatchObject({ outcome: "updated" });
    expect(await pushScript(rig.host, { id: "downgrade1", image: v1, version: "2.0.9-bbbbbbbb", key, allowDowngrade: true })).toMatchObject({ outcome: "updated", version: "2.0.9-bbbbbbbb" });
    expect(state(b)).toMatchObject({ v: "2.0.9-bbbbbbbb", pv: "2.1.0-cccccccc" });
  });
});
