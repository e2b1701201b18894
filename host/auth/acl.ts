// Permissions for broker clients. A device may publish only under its own pinwire/<id>/ and
// subscribe only to its own command topic (and its OTA topic, where script updates arrive:
// device/ota); the bridge role may do all. Clients of a broker without credentials
// (localhost development) are "open".
//
// Client ids: pinwire-<id> (the board's) and pinwire-<id>.<anything> (a tool speaking for the
// device: '.' is not allowed in ids, so these never name another device) belong to device
// <id>. A device may use only those; no other login may use them while <id> is a known
// device. Before, device devA logging in as pinwire-devB took devB's session over (the broker
// closes the older connection with that id), 20 times in 10 s.
import { isValidTopicFilter } from "../../shared/topic";
import { isValidId } from "./credentials";

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

// The device a client id belongs to, or null.
export function clientIdOwner(clientId: string): string | null {
  if (!clientId.startsWith("pinwire-")) return null;
  const rest = clientId.slice(8);
  const dot = rest.indexOf(".");
  const id = dot < 0 ? rest : rest.slice(0, dot);
  return isValidId(id) ? id : null;
}

// Why `who` may not connect with this client id, or null when it may.
export function clientIdRefusal(who: Principal, clientId: string, isDevice: (id: string) => boolean): string | null {
  const owner = clientIdOwner(clientId);
  if (who.kind === "device") return owner === who.id ? null : "device " + who.id + " may only use client id pinwire-" + who.id + " (or pinwire-" + who.id + ".<name>), not '" + clientId + "'";
  if (owner !== null && isDevice(owner)) return "client id " + clientId + " belongs to device " + owner;
  return null;
}
