// Size probe: the MQTT client state machine with the codec it pulls in. Bundled with
// bundleES5("bench/client-size-entry.ts") (scripts/device-bundle.mjs), never run; subtract
// bench/device-codec.ts's bundle for the client alone.
import { mqttClient } from "../shared/mqtt/client";

declare const global: any;
global.mqttClient = mqttClient;
