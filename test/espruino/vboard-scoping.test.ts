// Espruino 2v29's scoping, case by case (test/scoping-cases.ts), on the interpreter and on the
// virtual board: the same answers.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { VirtualBoard } from "../../host/vboard";
import { SCOPING, scopingScript } from "../scoping-cases";
import { Espruino } from "./interpreter";

describe("scoping: virtual board vs Espruino 2v29", () => {
  it("every case answers the same, and as recorded", async () => {
    const code = Buffer.from(scopingScript());
    const e = await Espruino.start("esp8266");
    let real: string[];
    try {
      await e.writeFiles([{ name: ".bootcde", data: code }]);
      await e.boot();
      real = await e.eval<string[]>("R");
    } finally {
      await e.close();
    }
    const dir = mkdtempSync(join(tmpdir(), "pinwire-vbs-"));
    const b = new VirtualBoard({ storageDir: dir });
    let vb: string[];
    try {
      b.flash(code);
      await b.boot();
      vb = (await b.eval("R")) as string[];
    } finally {
      await b.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    SCOPING.forEach(([name, , recorded], i) => {
      expect(real[i], "Espruino: " + name).toBe(recorded);
      expect(vb[i], "vboard: " + name).toBe(real[i]);
    });
  });
});
