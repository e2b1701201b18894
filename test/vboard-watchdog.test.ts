// The board's watchdog on the virtual board: a script stuck in `while(true){}` is reset as the
// chip would reset it, and boots again from Storage. The board runs on its own thread, so the
// host stays responsive while the script spins, and the reset ends that thread wherever it is.
//  - ESP8266: E.enableWatchdog does nothing (a stub in Espruino 2v29's port); the SDK's own
//    software watchdog resets a script that keeps the CPU for 3.2 s ("soft wdt");
//  - ESP32: E.enableWatchdog(timeout, isAuto) arms the task watchdog (whole seconds), kicked
//    by the idle loop, or only by E.kickWatchdog() when isAuto is false;
//  - Linux build: no watchdog; a stuck script stays stuck (the host can still stop the board).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { VirtualBoard } from "../host/vboard/index";

const boards: VirtualBoard[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const b of boards.splice(0)) await b.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function board(name: "esp8266" | "esp32" | "linux", script: string): VirtualBoard {
  const dir = mkdtempSync(join(tmpdir(), "vboard-wdt-"));
  dirs.push(dir);
  const b = new VirtualBoard({ board: name, storageDir: dir });
  boards.push(b);
  b.flash(script);
  return b;
}

// Counts its boots in Storage; spins forever on the first `spins` of them.
const spinner = (spins: number, arm = "") =>
  `var S = require("Storage"); var n = (S.readJSON("boots", 1) || 0) + 1; S.writeJSON("boots", n);
   ${arm}
   if (n <= ${spins}) { print("spinning " + n); while (true) {} }
   print("booted " + n + " after " + (typeof ESP8266 !== "undefined" ? ESP8266.getResetInfo().reason : typeof ESP32 !== "undefined" ? ESP32.getResetInfo().reason : "-"));`;

describe("watchdog", () => {
  it("esp8266: the chip's software watchdog resets a script stuck in while(true) after 3.2 s", async () => {
    const b = board("esp8266", spinner(1));
    expect(b.watchdogMs).toBeUndefined();
    const resets: string[] = [];
    b.on("watchdog", (r: string) => resets.push(r));
    const t0 = Date.now();
    expect(await b.boot()).toBe(false); // the first boot never finished
    await b.waitForOutput("booted 2", 0, 20000);
    const ms = Date.now() - t0;
    expect(ms).toBeGreaterThanOrEqual(3200);
    expect(resets).toEqual(["soft wdt"]);
    expect(b.watchdogMs).toBe(3200); // the chip's own, always on
    expect(b.consoleOutput).toContain("booted 2 after soft wdt");
    expect(await b.eval("n")).toBe(2); // the board answers again
  });

  it("esp32: E.enableWatchdog(1) resets a stuck script; the idle loop kicks it while the script is well", async () => {
    const b = board("esp32", spinner(2, "E.enableWatchdog(1); setTimeout(function () { print('idle ok'); }, 1500);"));
    const resets: string[] = [];
    b.on("watchdog", (r: string) => resets.push(r));
    expect(b.watchdogMs).toBeUndefined(); // the ESP32 runs none until asked
    await b.boot();
    await b.waitForOutput("booted 3", 0, 20000);
    expect(resets).toEqual(["task wdt", "task wdt"]);
    expect(b.watchdogMs).toBe(1000);
    // Armed and idle for longer than its timeout: no further reset.
    await b.waitForOutput("idle ok", 0, 20000);
    expect(resets).toHaveLength(2);
  });

  it("esp32: with isAuto false only E.kickWatchdog() keeps the board alive", async () => {
    const b = board(
      "esp32",
      `var S = require("Storage"); var n = (S.readJSON("boots", 1) || 0) + 1; S.writeJSON("boots", n);
       E.enableWatchdog(1, false);
       var kicks = 0;
       var iv = setInterval(function () { if (n > 1 || kicks < 3) { kicks++; E.kickWatchdog(); } }, 200);
       print("boot " + n);`,
    );
    const resets: string[] = [];
    b.on("watchdog", (r: string) => resets.push(r));
    await b.boot();
    // First boot: three kicks, then the interval runs on without kicking: reset. Second boot
    // kicks for ever.
    await b.waitForOutput("boot 2", 0, 20000);
    expect(resets).toEqual(["task wdt"]);
    const mark = b.consoleOutput.length;
    await b.eval('setTimeout(function () { print("still up"); }, 1500)');
    await b.waitForOutput("still up", mark, 20000);
    expect(resets).toHaveLength(1);
  });

  it("linux: E.enableWatchdog does nothing; a stuck script stays stuck and stop() still ends it", async () => {
    const b = board("linux", "E.enableWatchdog(0.5); print('spinning'); while (true) {}");
    const booted = b.boot();
    await b.waitForOutput("spinning");
    expect(b.watchdogMs).toBeUndefined(); // nothing was armed
    const answered = b.eval("1").then(
      () => "answered",
      () => "ended",
    );
    await b.stop();
    expect(await answered).toBe("ended");
    expect(await booted).toBe(false);
  });
});
