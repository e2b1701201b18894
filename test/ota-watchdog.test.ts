// A pushed script stuck in `while(true){}` (issue 13, item 9): its health timer can never run,
// so only the chip's watchdog gets the board out, and the boot after that reset counts as a
// failed trial boot (device/ota/boot.ts). Virtual boards flashed as `pinwire flash` does, with
// the watchdogs modelled as host/vboard/README.md "Watchdog" describes: the ESP32's task
// watchdog is armed by the boot loader for the trial; the ESP8266's software watchdog is the
// chip's own and always on.
import { describe, expect, it } from "vitest";
import { pushScript } from "../flash/push";
import { BOOT_RUNNING } from "../shared/ota";
import { bootStatus, fileRig, flashedBoard } from "./ota-rig";

const rig = fileRig();

const SPIN = 'print("spinning"); while (true) {}';

describe("a pushed script that never returns to the idle loop", () => {
  for (const [name, reason, ms] of [
    ["esp32", "task wdt", 2000],
    ["esp8266", "soft wdt", 3200],
  ] as const)
    it(`${name}: the ${reason} resets it, and the next boot rolls back (boots)`, async () => {
      const id = "wdt-" + name;
      const b = await flashedBoard(id, rig.broker.port, name);
      rig.boards.push(b);
      const running = bootStatus(rig.host, id, (s) => s.state === BOOT_RUNNING);
      await b.vb.boot();
      await running;
      expect(b.vb.watchdogMs).toBe(name === "esp8266" ? 3200 : undefined);
      const resets: string[] = [];
      b.vb.on("watchdog", (r: string) => resets.push(r));
      const t0 = Date.now();
      const r = await pushScript(rig.host, { id, image: Buffer.from(SPIN), version: "9.0.0-spin", health: 2, boots: 1 });
      expect(r).toMatchObject({ outcome: "rolled-back", code: "boots", version: "0.1.0" });
      expect(resets).toEqual([reason]);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(ms);
      expect(b.out()).toContain("spinning");
      expect(JSON.parse(b.vb.storage.read("pw.st")!.toString())).toMatchObject({ c: "pw.a", v: "0.1.0", t: 0 });
    });
});
