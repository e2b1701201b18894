// The app's side of OTA (in the boot-time bundle): subscribes the OTA topic and reports the
// boot status, but the receiver itself is the Storage module `pw.ota` (device/ota/module.ts),
// loaded with require() only when a message arrives on the topic, or at connect when a script
// on trial must be confirmed or a rollback reported. A plain boot (the usual case) reports
// "running" from here and never defines the receiver's functions, which would cost JsVars.
// The MQTT link calls otaAttach once, otaIn for each message on the topic it returns, and
// otaUp on each broker connection.
import type { MqttClientCore } from "../../shared/mqtt/client";
import { BOOT_RUNNING, OTA_BOOT, otaStatusTopic, otaTopic } from "../../shared/ota";
import { mod } from "../mods";
import { STATE_FILE } from "./state";

let m: MqttClientCore;
let id: string;
let r: any = 0; // the module's {m: message, h: healthy, i: idle}; null when pw.ota is missing
let told = false;

export function otaAttach(client: MqttClientCore, devId: string): string {
  m = client;
  id = devId;
  const t = otaTopic(id);
  m.subscribe(t, 0);
  return t;
}

// A message on the OTA topic for pw.ota, or with none, at the first connect: confirm the trial
// script or report the rollback. pw.ota is loaded for it, then unloaded once it has nothing in
// progress: a module in Modules' cache keeps all its functions defined (about 170 JsVars), and
// the next message loads it afresh. One function for both: each costs the board JsVars.
export function otaIn(p?: any): void {
  if (r === 0) {
    const o = mod("pw.ota");
    r = o && o.o(m, id);
  }
  if (!r) return;
  if (p) r.m(p);
  else r.h();
  if (r.i()) {
    Modules.removeCached("pw.ota");
    r = 0;
  }
}

// Once per boot: the module confirms a trial script or reports a rollback; otherwise the
// status is "running" (shared/ota.ts encodeBoot(tag, BOOT_RUNNING, version, ""), spelt out
// here so that its encoder stays in the module; versions are ASCII).
export function otaUp(): void {
  if (told || !m) return;
  told = true;
  const st = global.require("Storage").readJSON(STATE_FILE, 1) || {};
  // The log shows why the script before this one was given up, in its own words.
  if (st.r) console.log("pinwire: rolled back from " + st.r.v + " (" + st.r.e + ")" + (st.r.x ? ": " + st.r.x : ""));
  if (st.t || st.r) return otaIn();
  const v = st.v || "";
  const g = st.g || 0;
  try {
    m.publish(otaStatusTopic(id), E.toUint8Array(String.fromCharCode(OTA_BOOT, g >> 8, g & 255, BOOT_RUNNING, v.length) + v), 0, true);
  } catch (e) {}
}
