// The pinwire topic tree (see host/README.md):
//   pinwire/<id>/status  retained "online"/"offline" (the device's will is "offline")
//   pinwire/<id>/info    retained JSON {board, version, memory}
//   pinwire/<id>/state   retained, one or more 8-byte board messages (SERVO_ANGLE, LIGHT_LEVEL, LED_DUTY, LED_SET)
//   pinwire/<id>/cmd     to the board: 8-byte SERVO_ROTATE / LED_SET, or a JSON control
//   pinwire/<id>/ha/...  Home Assistant plain-text mirrors and their /set command topics
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
