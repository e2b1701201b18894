// Size probe: the board's MQTT client and WebSocket client (with the codec, frame code and
// the shared helpers they pull in), kept alive through a global so nothing is tree-shaken.
// Bundled by bench/codec.bench.ts, never run.
import { mqttClient } from "../shared/mqtt/client";
import { WsClient } from "../shared/ws/client";

declare const global: any;
global.core = [mqttClient, WsClient];
