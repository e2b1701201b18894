// The client as the board runs it: compiled to ES5 with the board variants (short error codes) and bundled like the device pipeline, loaded on the virtual Espruino board (syntax gate, binary-string sockets) and
// talking to Aedes through the board's net module, with an mqtt.js peer on the other side.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { deviceSize } from "../bench/device-size";
import { VirtualBoard } from "../host/vboard/index";
import { hostCode } from "../shared/error-text";
import * as MB from "../shared/mqtt/constants.board";
import { peer, startBroker, type Broker, type Peer } from "./mqtt-client-harness";


// The client exactly as the board build ships it: the one device pipeline (tsc ES5, board
// variants, esbuild IIFE, terser) over the size-probe entry that puts mqttClient on global.
async function boardBundle(): Promise<string> {
  return (await deviceSize("bench/client-size-entry.ts")).code;
}

let broker: Broker;
let board: VirtualBoard;
let dir: string;
let p: Peer;

beforeAll(async () => {
  broker = await startBroker();
  dir = mkdtempSync(join(tmpdir(), "mqtt-board-"));
  board = new VirtualBoard({ board: "esp8266", storageDir: dir });
  await board.boot();
  p = await peer(broker.port);
  await p.client.subscribeAsync("from/board", { qos: 1 });
});

afterAll(async () => {
  await p.end();
  await board.stop();
  await broker.close();
  rmSync(dir, { recursive: true, force: true });
});

test("runs on the virtual ESP8266: connects, subscribes, receives and publishes", async () => {
  const code = await boardBundle();
  board.flash(code, "mqtt");
  await board.eval('eval(require("Storage").read("mqtt"));');
  // The board's transport: Espruino sockets speak binary strings.
  await board.eval(`
    var net = require("net");
    var c = mqttClient({ clientId: "vboard", keepalive: 30, open: function () {
      var s = net.connect({ host: "127.0.0.1", port: ${broker.port} }, function () {
        c.connected({ write: function (b) { s.write(E.toString(b)); }, close: function () { s.end(); } });
      });
      s.on("data", function (d) { c.data(E.toUint8Array(d)); });
      s.on("close", function () { c.closed(); });
    } });
    c.onconnect = function (sp) {
      print("up " + sp);
      try { c.publish("bad/+", "x"); } catch (e) { print("refused " + e.code); }
      c.subscribe("to/board", 2);
    };
    c.onsuback = function (id, g) { print("suback " + g.join(",")); };
    c.onmessage = function (t, b, pk) { print("msg " + t + " " + pk.qos); c.publish("from/board", "echo " + E.toString(b), 1); };
    c.onack = function (id, type) { print("ack " + type); };
    c.tick(Date.now());
    c.connect();
    setInterval(function () { c.tick(Date.now()); }, 250);
  `);
  await board.waitForOutput("suback 2");
  await p.client.publishAsync("to/board", "hi", { qos: 2 });
  await board.waitForOutput("msg to/board 2");
  await p.until(() => p.got.length === 1);
  expect(p.got[0].text).toBe("echo hi");
  await board.waitForOutput("ack 4");
  expect(board.consoleOutput).toContain("up false");
  // The board build's short code (shared/mqtt/constants.board.ts), which the host maps back.
  expect(board.consoleOutput).toContain("refused " + MB.E_TOPIC_WILDCARD);
  expect(hostCode(MB.E_TOPIC_WILDCARD)).toBe("MQTT-3.3.2-2");
});
