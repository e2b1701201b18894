// Size probe (bench/device.bench.ts, never flashed): the shared code the board app pulls in,
// without OTA. main.ts minus this and minus the OTA share = the device code's own bytes.
import { base64 } from "../../shared/base64";
import { alloc, fromBinaryString, utf8Decode, utf8Encode } from "../../shared/bytes";
import { decodeMessage, encodeMessage, parseControl } from "../../shared/messages";
import { mqttClient } from "../../shared/mqtt/client";
import { createWsClient } from "../../shared/ws/client";

(global as any).x = [mqttClient, createWsClient, base64, decodeMessage, encodeMessage, parseControl, fromBinaryString, utf8Decode, utf8Encode, alloc];
