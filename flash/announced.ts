// What the broker holds retained about devices: which ones have the OTA receiver (their status
// on pinwire/<id>/ota/s) and what board each is (the `board` field of pinwire/<id>/info), so
// that a push builds the script for each device's own kind of board.
import type { MqttClient } from "mqtt";
import { isBoard, type BoardName } from "../shared/boards";

export interface Announced {
  id: string;
  ota: boolean; // has reported OTA status
  board?: BoardName; // from its info
  info?: Record<string, unknown>;
}

// The broker streams retained messages after the SUBACK, with no order against other traffic,
// so the picture is taken as complete once a message we publish to ourselves has come back and
// nothing more has arrived for quietMs (at most limitMs in all). For named devices it is
// complete as soon as each has sent both its messages.
export async function announced(client: MqttClient, ids?: string[], quietMs = 300, limitMs = 5000): Promise<Map<string, Announced>> {
  const found = new Map<string, Announced>();
  const sync = "pinwire/$push/" + client.options.clientId;
  const topics = ids ? ids.flatMap((id) => ["pinwire/" + id + "/ota/s", "pinwire/" + id + "/info"]) : ["pinwire/+/ota/s", "pinwire/+/info"];
  let synced = false;
  let quiet: NodeJS.Timeout | undefined;
  let limit: NodeJS.Timeout | undefined;
  let onMsg: (topic: string, payload: Buffer) => void = () => {};
  const entry = (id: string) => {
    let a = found.get(id);
    if (!a) found.set(id, (a = { id, ota: false }));
    return a;
  };
  const complete = () => !!ids && ids.every((id) => found.get(id)?.ota && found.get(id)?.info);
  const done = new Promise<void>((resolve) => {
    const settle = () => {
      clearTimeout(quiet);
      quiet = complete() ? setTimeout(resolve, 0) : setTimeout(resolve, quietMs);
    };
    onMsg = (topic: string, payload: Buffer) => {
      const m = /^pinwire\/([^/]+)\/(ota\/s|info)$/.exec(topic);
      if (m && (!ids || ids.includes(m[1]))) {
        const a = entry(m[1]);
        if (m[2] === "ota/s") a.ota = payload.length > 0;
        else {
          try {
            const info = JSON.parse(payload.toString("utf8"));
            if (info && typeof info === "object") {
              a.info = info;
              if (typeof info.board === "string" && isBoard(info.board)) a.board = info.board;
            }
          } catch {
            // not JSON: a device from before info was JSON; its kind stays unknown
          }
        }
      } else if (topic === sync) synced = true;
      if (synced) settle();
    };
    limit = setTimeout(resolve, limitMs);
  });
  client.on("message", onMsg);
  try {
    await client.subscribeAsync([...topics, sync]);
    await client.publishAsync(sync, "", { qos: 1 });
    await done;
  } finally {
    clearTimeout(quiet);
    clearTimeout(limit);
    client.removeListener("message", onMsg);
  }
  await client.unsubscribeAsync([...topics, sync]);
  return found;
}
