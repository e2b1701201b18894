// Hooks the OTA receiver onto the board's MQTT client: call once, after the link has set its
// own onmessage/onconnect (they are chained, not replaced). The OTA topic is subscribed (the
// client redoes it on every new session), and each broker connection counts as healthy.
// The signing key, when there is one, is "otaKey" (hex) in pinwire.json.
import type { MqttClient } from "../../shared/mqtt/client";
import { otaHealthy, otaMessage, otaStart } from "./receiver";

export function otaAttach(m: MqttClient, id: string): void {
  let key: string | undefined;
  try {
    const c = global.require("Storage").readJSON("pinwire.json", 1);
    key = c && c.otaKey;
  } catch (e) {}
  const topic = otaStart(id, key, function (t, p, retain) {
    try {
      m.publish(t, p, 0, retain);
    } catch (e) {
      // Queue full or offline: the pusher's retry asks again.
    }
  });
  const msg = m.onmessage;
  const con = m.onconnect;
  m.onmessage = function (t, p, pk) {
    if (t === topic) otaMessage(p);
    else if (msg) msg(t, p, pk);
  };
  m.onconnect = function (s) {
    if (con) con(s);
    otaHealthy();
  };
  m.subscribe(topic, 0);
}
