// The Storage module `pw.ota`: the OTA receiver, loaded by the app (attach.ts) on demand with
// require("pw.ota"). What it exports is the interface PwOta of device/modules.ts (a script
// pushed later calls it): change it there, with its version.
// The signing key, when there is one, is "otaKey" (hex) in pinwire.json.
import { MODULES_VERSION, type OtaClient, type OtaReceiver, type PwOta } from "../modules";
import { otaHealthy, otaIdle, otaMessage, otaStart } from "./receiver";

declare const exports: PwOta;

exports.v = MODULES_VERSION;
exports.o = function (m: OtaClient, id: string): OtaReceiver {
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
