// The app's side of OTA (in the boot-time bundle): subscribes the OTA topic and reports the
// boot status, but the receiver itself is the Storage module `pw.ota` (device/ota/module.ts),
// loaded with require() only when a message arrives on the topic, or at connect when a script
// on trial must be confirmed or a rollback reported. A plain boot (the usual case) reports
// "running" from here and never defines the receiver's functions, which would cost JsVars.
// Call once, after the link has set its own onmessage/onconnect (they are chained).
import { fromBinaryString } from "../../shared/bytes";
import type { MqttClient } from "../../shared/mqtt/client";
import { BOOT_RUNNING, OTA_BOOT, otaStatusTopic, otaTopic } from "../../shared/ota";
import { mod } from "../mods";
import { readState } from "./state";

export function otaAttach(m: MqttClient, id: string): void {
  const topic = otaTopic(id);
  let r: any = 0; // the module's {m: message, h: healthy}; null when pw.ota is missing
  let told = false;
  const ota = function (): any {
    if (r === 0) {
      const o = mod("pw.ota");
      r = o && o.o(m, id);
    }
    return r;
  };
  const msg = m.onmessage;
  const con = m.onconnect;
  m.onmessage = function (t, p, pk) {
    if (t !== topic) {
      if (msg) msg(t, p, pk);
    } else if (ota()) r.m(p);
  };
  m.onconnect = function (s) {
    if (con) con(s);
    if (told) return;
    told = true;
    const st = readState();
    if (st.t || st.r) {
      if (ota()) r.h();
    } else {
      // shared/ota.ts encodeBoot(tag, BOOT_RUNNING, version, ""), spelt out: its encoder stays
      // in the module. Versions are ASCII.
      const v = st.v || "";
      const g = st.g || 0;
      try {
        m.publish(otaStatusTopic(id), fromBinaryString(String.fromCharCode(OTA_BOOT, g >> 8, g & 255, BOOT_RUNNING, v.length) + v), 0, true);
      } catch (e) {}
    }
  };
  m.subscribe(topic, 0);
}
