// The board runtime's figures: minified sizes per board (scripts/device-bundle.mjs, what gets
// flashed: the boot-time app.js and the Storage modules it loads on demand), free JsVars on
// the virtual esp8266 after boot + connect and after the OTA module is loaded, and the messages per second the board's MQTT path sustains on the
// virtual board: commands (SERVO_ROTATE, QoS 1) in through Aedes, state reports (QoS 1) out,
// a few commands in flight at once (broker sockets without Nagle, see test/device-harness.ts).
// Then the figures that count: free JsVars on Espruino 2v29 itself (../shared/espruino, or
// PINWIRE_ESPRUINO_BIN), ESP8266 and ESP32 pools, the bundles laid out as `pinwire flash`
// writes them, after boot + connect to a real broker (the app announced, its snapshot out).
// Run: npm run bench:device. The last line is the summary.
import { bundleES5 } from "../scripts/device-bundle.mjs";
import { buildBoard } from "../host/app/build";
import { encodeMessage } from "../shared/messages";
import { SERVO_ANGLE, SERVO_ROTATE } from "../test/helpers/reference-app";
import { encodeHello, otaReplyTopic, otaStatusTopic, otaTopic } from "../shared/ota";
import { bootBoard, startAedes, stateOf, Watcher } from "../test/device-harness";
import { bootReal, load, realConfig, type BoardPool } from "../test/espruino/board-rig";

const COMMANDS = Number(process.env.BENCH_COMMANDS || 1500);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT || 4);

async function throughput(): Promise<{ rate: number; reports: number; free: number; freeBoot: number; freeOta: number }> {
  const broker = await startAedes();
  const w = await Watcher.connect("mqtt://127.0.0.1:" + broker.port, "pinwire/bench/state");
  await w.c.subscribeAsync([otaStatusTopic("bench"), otaReplyTopic("bench")]);
  const rig = await bootBoard({ id: "bench", broker: "mqtt://127.0.0.1:" + broker.port, pins: { light: null } });
  try {
    await w.next((m) => stateOf(m.payload)[SERVO_ANGLE] === 90);
    await w.next((m) => m.topic === otaStatusTopic("bench"));
    const freeBoot = (await rig.board.memory()).free;
    // A HELLO on the OTA topic loads pw.ota (answered with CAPS).
    await w.c.publishAsync(otaTopic("bench"), Buffer.from(encodeHello(1)));
    await w.next((m) => m.topic === otaReplyTopic("bench"));
    const freeOta = (await rig.board.memory()).free;
    // Command k sets angle k % 181 (never 90 first, the boot angle). A report showing the
    // angle of an outstanding command means it and every earlier one were handled (in order;
    // reports that queue up while the link is busy are merged into one snapshot).
    const angleOf = (k: number) => (k + 91) % 181;
    let sent = 0;
    let done = 0;
    let reports = 0;
    let finish!: () => void;
    const finished = new Promise<void>((r) => (finish = r));
    const pump = () => {
      while (sent < COMMANDS && sent - done < IN_FLIGHT) void w.c.publish("pinwire/bench/cmd", Buffer.from(encodeMessage(SERVO_ROTATE, angleOf(sent++))), { qos: 1 });
    };
    w.c.on("message", (topic, p) => {
      if (!topic.endsWith("/state")) return;
      reports++;
      const v = stateOf(p)[SERVO_ANGLE];
      for (let k = done; k < sent; k++)
        if (angleOf(k) === v) {
          done = k + 1;
          break;
        }
      if (done >= COMMANDS) finish();
      else pump();
    });
    const t0 = performance.now();
    pump();
    await finished;
    const s = (performance.now() - t0) / 1000;
    return { rate: Math.round(COMMANDS / s), reports, free: (await rig.board.memory()).free, freeBoot, freeOta };
  } finally {
    await rig.close();
    await w.close();
    await broker.close();
  }
}

// Free JsVars on the real interpreter once the board is online: its snapshot (every report
// back to back, the last thing it sends at connect) has arrived. The median of RUNS boots.
const RUNS = Number(process.env.BENCH_REAL_RUNS || 3);
async function realFree(pool: BoardPool): Promise<number> {
  const broker = await startAedes();
  const frees: number[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const id = "bench-" + pool + "-" + i;
      const w = await Watcher.connect("mqtt://127.0.0.1:" + broker.port, "pinwire/" + id + "/state");
      const b = await bootReal(pool, realConfig({ id, broker: "mqtt://127.0.0.1:" + broker.port }));
      try {
        await w.next((m) => m.payload.length > 8, 0, 30000);
        frees.push((await b.memory()).free);
      } finally {
        await b.close();
        await w.close();
      }
    }
  } finally {
    await broker.close();
  }
  frees.sort((a, b) => a - b);
  console.log(`real ${pool} pool: ${frees.join(", ")} JsVars free after boot + connect (${RUNS} boots, load ${load()})`);
  return frees[frees.length >> 1];
}

const sizes: Record<string, number> = {};
for (const b of ["esp8266", "esp32", "linux"]) {
  const r = await buildBoard(b);
  sizes[b] = r.bytes;
  const mods = r.modules.map((m) => `${m.name} ${m.bytes}`).join(", ");
  const all = r.bytes + r.modules.reduce((n, m) => n + m.bytes, 0);
  console.log(`bundle ${b}: app.js ${r.bytes} bytes minified (${r.file}); Storage modules loaded on demand: ${mods}; ${all} bytes in all`);
}
// Where the esp8266 app's bytes go (the probe bundles the same shared code alone).
const libs = (await bundleES5("device/probes/libs.ts", { PINWIRE_BOARD: "esp8266" })).length;
console.log(`esp8266 app.js: shared MQTT client+codec+bytes ${libs}, device/ code ${sizes.esp8266 - libs} bytes`);
const t = await throughput();
console.log(`JsVars free on the virtual esp8266 (of 1700): ${t.freeBoot} after boot + connect, ${t.freeOta} after an OTA HELLO (pw.ota loaded, answered, unloaded again)`);
console.log(`MQTT path on the virtual esp8266: ${COMMANDS} SERVO_ROTATE commands (QoS 1, ${IN_FLIGHT} in flight) -> ${t.reports} state reports; ${t.rate} commands/s; ${t.free} JsVars free after`);
const real8266 = await realFree("esp8266");
const real32 = await realFree("esp32");
console.log(`targets on the real interpreter: esp8266 pool >= 1000 free (${real8266 >= 1000 ? "met" : "short by " + (1000 - real8266)}), esp32 pool >= 1800 (${real32 >= 1800 ? "met" : "short by " + (1800 - real32)}); vboard vs real esp8266: ${(((t.freeBoot - real8266) / real8266) * 100).toFixed(1)} %`);
console.log(`device: esp8266 ${sizes.esp8266} bytes, real esp8266 pool ${real8266} JsVars free (online), esp32 pool ${real32} free, vboard ${t.freeBoot} free`);
process.exit(0);
