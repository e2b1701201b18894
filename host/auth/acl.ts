// Topic permissions for broker clients. A device may publish only under its own
// pinwire/<id>/ and subscribe only to its own command topic (and its OTA topic, where script
// updates arrive: device/ota); the bridge role may do all.
// Clients of a broker without credentials (localhost development) are "open".
import { isValidTopicFilter } from "../../shared/topic";

export type Principal = { kind: "open" } | { kind: "bridge"; id: string } | { kind: "device"; id: string };

export function canPublish(who: Principal, topic: string): boolean {
  if (topic.startsWith("$SYS/")) return false;
  if (who.kind !== "device") return true;
  return topic.startsWith("pinwire/" + who.id + "/") && topic.indexOf("+") < 0 && topic.indexOf("#") < 0;
}

export function canSubscribe(who: Principal, filter: string): boolean {
  if (!isValidTopicFilter(filter)) return false;
  if (who.kind !== "device") return true;
  return filter === "pinwire/" + who.id + "/cmd" || filter === "pinwire/" + who.id + "/ota";
}
