// Host-only sentences for the codes shared/mqtt/client.ts raises (the board carries only the
// codes). They live in shared/error-text.ts beside the codec's, which describe() explains in
// either spelling (host or board); re-exported here for the host code that reads them.
export { CONNACK_TEXT, MQTT_CLIENT_TEXT } from "../../shared/error-text";
