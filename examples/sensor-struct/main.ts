// The sensor app: every PERIOD ms (1 s to start with) one READING, the seed's 36-byte C struct
// `struct { int id; float v1; float v2; unsigned long v3; char v4[20]; }`, filled from the
// analog sensor (app.ts says what each member holds). A PERIOD command sets the period, takes a
// reading at once and is reported back, so 0 means "one reading now, then only on request".
// pinwire.json puts the board on the host's binary WebSocket gateway: every host (the bridge,
// the dashboard in the browser) decodes the struct from the catalogue the board announces.
import { analogIn, log, on, report } from "pinwire/device";
import { PERIOD, READING, sensor as sensorPart } from "./app";

const sensor = analogIn(sensorPart);
const started = getTime();
let n = 0;
let smooth = -1;
let timer: any = null;

function read(): void {
  const level = sensor.get();
  smooth = smooth < 0 || level < 0 ? level : smooth + (level - smooth) / 4;
  n++;
  report(READING, { id: n, v1: level, v2: smooth, v3: Math.floor((getTime() - started) * 1000), v4: level < 0 ? "no sensor" : "ok" });
}

function every(ms: number): void {
  if (timer) clearInterval(timer);
  timer = ms > 0 ? setInterval(read, ms) : null;
  report(PERIOD, ms);
}

on(PERIOD, function (ms) {
  every(ms);
  read();
  log("sensor-struct: a reading every " + ms + " ms");
});

every(1000);
log("sensor-struct started");
