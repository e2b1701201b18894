// Size probe: the board's MQTT client and WebSocket client (with the codec, frame code and
// the shared helpers they pull in), kept alive through a global so nothing is tree-shaken.
// Namespace imports keep every export of the two modules, whatever they are named.
// Bundled by bench/codec.bench.ts, never run.
import * as mqtt from "../shared/mqtt/client";
import * as ws from "../shared/ws/client";

declare const global: any;
global.core = [mqtt, ws];
