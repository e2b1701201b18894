// Size probe: the codec as the board's MQTT client uses it (client->server encoders, the
// parser with the client decoder table). Bundled by bench/codec.bench.ts, never run.
import { CLIENT_DECODERS, MqttParser } from "../shared/mqtt/parser";
import { encodeAck, encodeConnect, encodeEmpty, encodePublish, encodeSubscribe, encodeUnsubscribe } from "../shared/mqtt/generator";

declare const global: any;
global.codec = [new MqttParser(CLIENT_DECODERS, 4096), encodeAck, encodeConnect, encodeEmpty, encodePublish, encodeSubscribe, encodeUnsubscribe];
