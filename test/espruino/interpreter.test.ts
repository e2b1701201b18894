// The rig itself on each interpreter: the pool it claims, Storage written through the console
// and read back, and a script booted from .bootcde.
import { afterEach, describe, expect, it } from "vitest";
import { Espruino, type Pool } from "./interpreter";

let e: Espruino | null = null;
afterEach(async () => {
  if (e) await e.close();
  e = null;
});

const TOTAL: Record<Pool, number | null> = { esp8266: 1700, esp32: 2500, stock: null };

describe("the real interpreter rig", () => {
  for (const pool of Object.keys(TOTAL) as Pool[])
    it(pool + ": its pool, Storage round trip, boot from .bootcde", async () => {
      e = await Espruino.start(pool);
      const m = await e.memory();
      if (TOTAL[pool]) expect(m.total).toBe(TOTAL[pool]);
      expect(m.free).toBeGreaterThan(m.total * 0.9);
      // 1,000 bytes cross several 384-byte console pieces; every byte value survives atob.
      const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7) & 255));
      await e.writeFiles([
        { name: "blob", data },
        { name: ".bootcde", data: Buffer.from('var booted = require("Storage").read("blob").length;') },
      ]);
      await e.boot();
      expect(await e.eval("booted")).toBe(1000);
    });
});
