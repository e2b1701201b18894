// The Storage module `pw.ota`: the OTA receiver, loaded by the app (attach.ts) on demand with
// require("pw.ota"). Its interface is what an app pushed later will call, so keep it stable:
//   exports.o(m: MqttClient, id) -> {m(payload), h(), i()}   a message on the OTA topic; the
//     broker is up; whether no push is in progress (the script may then unload the module).
// The signing key, when there is one, is "otaKey" (hex) in pinwire.json.
import type { MqttClient } from "../../shared/mqtt/client";
import { otaHealthy, otaIdle, otaMessage, otaStart } from "./receiver";

declare const exports: any;

exports.o = function (m: MqttClient, id: string): any {
  let key: string | undefined;
  try {
    const c = global.require("Storage").readJSON("pinwire.json", 1);
    key = c && c.otaKey;
  } catch (e) {}
  otaStart(id, key, function (t, p, retain) {
    try {
      m.publish(t, p, 0, retain);
    } catch (e) {
      // Queue full or offline: the pusher's retry asks again.
    }
  });
  return { m: otaMessage, h: otaHealthy, i: otaIdle };
};
