// Size probe (bench/device.bench.ts, never flashed): the shared code the boot-time app pulls
// in (the WebSocket client and the OTA receiver are the Storage modules pw.ws and pw.ota).
// app.js minus this = the device code's own bytes.
import { alloc, fromBinaryString, utf8Decode, utf8Encode } from "../../shared/bytes";
import { mqttClient } from "../../shared/mqtt/client";

(global as any).x = [mqttClient, fromBinaryString, utf8Decode, utf8Encode, alloc];
