// OTA push vs console upload, on loopback: a virtual ESP32 (chunk 2 KB, window 4) flashed as
// `pinwire flash` does, behind a counting TCP proxy to Aedes. For 4, 16 and 64 KB scripts:
//   OTA: HELLO to DONE (all chunks acknowledged, size + CRC32 checked on the board, boot
//        state switched), and the bytes on the board's broker link both ways;
//   console: the `espruino` CLI writing the same script to Storage on the board's TCP
//        console, from its first byte to the board's CRC32 answer (CLI start-up excluded;
//        shown apart), and the console bytes both ways. Two things favour the console here:
//        the CLI runs with STORAGE_UPLOAD_METHOD=1 (no pause after each Storage.write; its
//        default pauses 250 ms per chunk against a real UART's overruns), and the virtual
//        board's console is a TCP socket, not a UART, so no baud rate limits it.
// The times are the simulator's at loopback speed. What a real link adds is estimated from
// the bytes measured: the console at 115,200 baud (8N1: 10 bits a byte; the direction with
// more bytes, UART being full duplex), OTA at 1 Mbit/s of TCP payload both ways (a cautious
// rate for an ESP board on 2.4 GHz WiFi; native ESP8266 code sustains about 4 Mbit/s).
// Last line: ota: 16KB in <S> s, wire <W>x script bytes, <V>x faster than console upload
//   (<labels>); wire time at real rates: OTA <a> s at 1 Mbit/s WiFi, console <b> s at 115200 baud
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startConsoleRelay } from "../flash/console-relay";
import { boardFile, runEspruinoCli } from "../flash/espruino-cli";
import { openConsole } from "../flash/ports";
import { pushScript } from "../flash/push";
import { buildBoard } from "../host/app/build";
import { crc32 } from "../shared/crc32";
import { BOOT_RUNNING } from "../shared/ota";
import { bootStatus, flashedBoard, hostClient, startBroker, startProxy } from "../test/ota-rig";

const SIZES = [4, 16, 64];
const ROUNDS = 5;
const WIFI_BIT_S = 1e6;
const UART_BAUD = 115200;

// A script of exactly n bytes: one JS comment of printable text (runs as a no-op).
function script(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n, 0x20);
  b.write("/*", 0);
  let x = seed;
  for (let i = 2; i < n - 2; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    b[i] = 0x30 + (x % 42); // '0'..'Y': never "*/"
  }
  b.write("*/", n - 2);
  return b;
}

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

async function main(): Promise<void> {
  // A fresh bundle when the tree compiles; otherwise the one in dist/ (others may be mid-edit).
  await buildBoard("esp32").catch(() => console.error("bench: device build failed; using dist/device/esp32/app.js"));
  const broker = await startBroker();
  const proxy = await startProxy(broker.port);
  const host = await hostClient(broker.url);
  const dir = mkdtempSync(join(tmpdir(), "pinwire-bench-"));
  const rows: { kb: number; ota: number; wire: number; cli: number; cliWall: number; cliWire: number; otaEst: number; cliEst: number }[] = [];
  try {
    for (const kb of SIZES) {
      const ota: number[] = [];
      const wire: number[] = [];
      const cli: number[] = [];
      const wall: number[] = [];
      const cliWire: number[] = [];
      const otaEst: number[] = [];
      const cliEst: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const image = script(kb * 1024, kb * 10 + round);
        const b = await flashedBoard("bench" + kb + "r" + round, proxy.port, "esp32", {}, 0);
        try {
          const running = bootStatus(host, b.id, (s) => s.state === BOOT_RUNNING);
          await b.vb.boot();
          await running;
          // OTA push
          proxy.up = proxy.down = 0;
          const r = await pushScript(host, { id: b.id, image, version: "bench", waitBoot: false });
          if (r.outcome !== "installed") throw new Error("push " + kb + " KB: " + r.outcome + " " + r.code);
          ota.push(r.ms / 1000);
          wire.push((proxy.up + proxy.down) / image.length);
          otaEst.push(((proxy.up + proxy.down) * 8) / WIFI_BIT_S);
          // The same script through the espruino CLI on the console.
          const f = join(dir, "s" + kb + ".js");
          writeFileSync(f, image);
          const link = await openConsole("tcp://127.0.0.1:" + b.vb.consolePort);
          let first = 0;
          let received = 0;
          link.onData((d) => (received += d.length));
          const relay = await startConsoleRelay(link, () => (first ||= performance.now()));
          const t0 = performance.now();
          const done = relay.expect(/PWDONE(-?\d+)/);
          const run = runEspruinoCli(
            ["-p", relay.url, "--board", boardFile(dir, "esp32"), "--config", "STORAGE_UPLOAD_METHOD=1", "--storage", "up.js:" + f, "-e", 'print("PWDONE"+E.CRC32(require("Storage").read("up.js")))'],
            60000,
          );
          const m = await Promise.race([done, run.done.then(() => null)]);
          const t1 = performance.now();
          run.kill();
          await run.done;
          if (!m || Number(m[1]) >>> 0 !== crc32(image)) throw new Error("console upload " + kb + " KB failed:\n" + run.output().slice(-2000));
          cli.push((t1 - first) / 1000);
          wall.push((t1 - t0) / 1000);
          cliWire.push((relay.sent() + received) / image.length);
          cliEst.push((Math.max(relay.sent(), received) * 10) / UART_BAUD);
          await relay.close();
          await link.close();
        } finally {
          await b.close();
        }
      }
      rows.push({ kb, ota: median(ota), wire: median(wire), cli: median(cli), cliWall: median(wall), cliWire: median(cliWire), otaEst: median(otaEst), cliEst: median(cliEst) });
    }
  } finally {
    await host.endAsync(true);
    await proxy.close();
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log("script   OTA push (s)  wire/script   console upload (s)  with CLI start (s)  console wire/script   speed-up   OTA at 1 Mbit/s (s)   console at 115200 (s)");
  for (const r of rows)
    console.log(
      (r.kb + " KB").padEnd(9) +
        r.ota.toFixed(3).padStart(12) +
        r.wire.toFixed(3).padStart(14) +
        r.cli.toFixed(3).padStart(21) +
        r.cliWall.toFixed(3).padStart(20) +
        r.cliWire.toFixed(3).padStart(22) +
        (r.cli / r.ota).toFixed(1).padStart(11) +
        "x" +
        r.otaEst.toFixed(3).padStart(22) +
        r.cliEst.toFixed(3).padStart(24),
    );
  console.log(
    "(medians of " + ROUNDS + " rounds; virtual ESP32 over loopback; OTA time = HELLO to DONE; speed-up against the console upload without CLI start-up; " +
      "the last two columns are the measured bytes at real link rates, not timings)",
  );
  const r16 = rows.find((r) => r.kb === 16)!;
  console.log(
    `ota: 16KB in ${r16.ota.toFixed(3)} s, wire ${r16.wire.toFixed(3)}x script bytes, ${(r16.cli / r16.ota).toFixed(1)}x faster than console upload ` +
      `(virtual ESP32 on loopback; console: espruino CLI with the non-default STORAGE_UPLOAD_METHOD=1, on a TCP console with no UART); ` +
      `wire time at real rates: OTA ${r16.otaEst.toFixed(2)} s at 1 Mbit/s WiFi, console ${r16.cliEst.toFixed(2)} s at 115200 baud`,
  );
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
