// The pinwire topic tree (see README.md, "MQTT topics", and docs/catalogue.md):
//   pinwire/<id>/status  retained "online"/"offline" (the device's will is "offline")
//   pinwire/<id>/info    retained JSON {id, board, runtime, app, version, hash, script, memory, ...}
//   pinwire/<id>/app     retained: the board's catalogue
//   pinwire/<id>/state   the board's reports: each change alone, and the retained snapshot
//   pinwire/<id>/cmd     to the board: one command message, or a JSON control by alias
//   pinwire/<id>/log     the board's log lines
//   pinwire/<id>/ha...   Home Assistant plain-text mirrors, their /set command topics, the index
export const ROOT = "pinwire";

export type Kind = "status" | "info" | "state" | "cmd";

export interface ParsedTopic {
  id: string;
  rest: string; // everything after pinwire/<id>/, e.g. "state" or "ha/led/set"
}

export function parseTopic(topic: string): ParsedTopic | null {
  if (!topic.startsWith("pinwire/")) return null;
  const i = topic.indexOf("/", 8);
  if (i < 0 || i === 8) return null;
  return { id: topic.slice(8, i), rest: topic.slice(i + 1) };
}

export function topicOf(id: string, rest: string): string {
  return ROOT + "/" + id + "/" + rest;
}
