// The app on a virtual board (Espruino 2v29's semantics), built as `pinwire build` builds it and
// connected to a broker of its own: pressing the button toggles the LED, and a command sets it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { startApp } from "pinwire/testing";

test("the button toggles the LED; the LED command sets it", async () => {
  const app = await startApp({ board: "esp8266" });
  try {
    await app.waitForLog(/started/);
    assert.equal(await app.waitFor("LED"), 0);

    // Press the button (D0, wired to ground): the LED goes on and the press is counted.
    app.board.setPin("D0", 0);
    await app.waitFor("PRESSES", (n) => n === 1);
    assert.equal(await app.waitFor("LED", (v) => v === 1), 1);
    assert.equal(app.board.pinLevel("D2"), 0); // inverted: lit at 0
    await app.waitForLog("button pressed 1 times");
    app.board.setPin("D0", undefined);

    await app.command("LED", 0);
    await app.waitFor("LED", (v) => v === 0);
    assert.equal(app.board.pinLevel("D2"), 1);
  } finally {
    await app.stop();
  }
});
