// What the bridge needs from an MQTT connection (link-shared.ts: pinwire's own client). Kept
// this small so the bridge does not depend on which client carries it.
import type { Logger } from "../log";

export interface LinkOptions {
  url: string; // mqtt://, mqtts://, ws://, wss://
  clientId: string;
  username?: string;
  password?: string;
  will?: { topic: string; payload: Uint8Array; retain: boolean };
  ca?: Buffer; // extra trust for mqtts/wss (self-signed brokers)
  rejectUnauthorized?: boolean;
  log?: Logger; // for what the link skips (a PUBLISH it cannot accept) rather than fails on
}

export interface PublishOptions {
  qos?: 0 | 1;
  retain?: boolean;
}

export type MessageHandler = (topic: string, payload: Uint8Array, retain: boolean) => void;

export interface BrokerLink {
  // Resolves once connected (CONNACK 0); rejects with the refusal otherwise.
  connect(): Promise<void>;
  publish(topic: string, payload: Uint8Array | string, opts?: PublishOptions): void;
  subscribe(filters: string[]): Promise<void>;
  unsubscribe(filters: string[]): Promise<void>;
  onMessage(handler: MessageHandler): void;
  // Called on every (re)connect after the first, so the bridge can resubscribe.
  onReconnect(handler: () => void): void;
  close(): Promise<void>;
}

export type LinkFactory = (opts: LinkOptions) => BrokerLink;
