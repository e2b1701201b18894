// MQTT 3.1.1 packets as plain objects, shared by the parser, the generator and the client.
// Numeric types (the control packet type from the fixed header) keep the board bundle small.
import type { Bytes } from "../bytes";

export const CONNECT = 1;
export const CONNACK = 2;
export const PUBLISH = 3;
export const PUBACK = 4;
export const PUBREC = 5;
export const PUBREL = 6;
export const PUBCOMP = 7;
export const SUBSCRIBE = 8;
export const SUBACK = 9;
export const UNSUBSCRIBE = 10;
export const UNSUBACK = 11;
export const PINGREQ = 12;
export const PINGRESP = 13;
export const DISCONNECT = 14;

export interface Will {
  topic: string;
  payload: Bytes;
  qos: number;
  retain: boolean;
}

export interface ConnectPacket {
  type: 1;
  clientId: string;
  clean: boolean;
  keepalive: number; // seconds, 0 = off
  username?: string;
  password?: Bytes;
  will?: Will;
}

export interface ConnackPacket {
  type: 2;
  sessionPresent: boolean;
  returnCode: number; // 0 accepted, 1..5 refused
}

export interface PublishPacket {
  type: 3;
  topic: string;
  payload: Bytes;
  qos: number;
  retain: boolean;
  dup: boolean;
  id?: number; // present when qos > 0
}

// PUBACK, PUBREC, PUBREL, PUBCOMP, UNSUBACK: a packet id and nothing else.
export interface AckPacket {
  type: 4 | 5 | 6 | 7 | 11;
  id: number;
}

export interface Subscription {
  topic: string;
  qos: number;
}

export interface SubscribePacket {
  type: 8;
  id: number;
  subs: Subscription[];
}

export interface SubackPacket {
  type: 9;
  id: number;
  granted: number[]; // 0,1,2 or 0x80 (failure)
}

export interface UnsubscribePacket {
  type: 10;
  id: number;
  topics: string[];
}

// PINGREQ, PINGRESP, DISCONNECT
export interface EmptyPacket {
  type: 12 | 13 | 14;
}

export type Packet =
  | ConnectPacket
  | ConnackPacket
  | PublishPacket
  | AckPacket
  | SubscribePacket
  | SubackPacket
  | UnsubscribePacket
  | EmptyPacket;
