// QoS 0 deliveries, written by pinwire instead of by Aedes.
//
// Profiled at 100 subscribers x 1,000 msg/s, Aedes' own path spends its time in writev: each
// delivery is its own setImmediate, its own mqtt-packet writeToStream (several writes, corked
// until the next tick) and so its own writev, even when many messages for one subscriber are
// ready in the same turn; under load the batches never grow, the backlog does (p50 over a
// second). Here each message is encoded once (shared/mqtt/generator.ts) for all its subscribers,
// and every subscriber's writes in one turn leave in one writev, so a busier broker makes
// bigger batches instead of a longer queue.
//
// It hooks in through Aedes' authorizeForward(client, packet), which Aedes calls right before
// each delivery and which may return null for "do not forward": for a QoS 0 delivery the
// hook writes the PUBLISH itself and returns null; QoS 1 and 2 go on through Aedes (acks,
// retries, persistence).
//
// A subscriber that does not read is not waited for (Aedes would wait for 'drain', holding one
// of its concurrency slots for every other client): above maxBuffered bytes queued on its
// socket, its QoS 0 messages are dropped (at most once, as QoS 0 allows) and counted in the log.
// A QoS 1/2 delivery cannot be dropped: a subscriber that is owed one while over the limit is
// disconnected instead (a persistent session keeps the message for its next connection; a
// clean one ends, as it would with any lost connection). Aedes' own wait for 'drain' on QoS
// 1/2 writes is turned off in embedded.ts, so this limit is what bounds those too: one
// stalled subscriber with 3,000 publishers had grown the host from 169 to 826 MB.
import type { Writable } from "node:stream";
import type { AedesPublishPacket, Client } from "aedes";
import { encode } from "../../shared/mqtt/generator";
import type { Logger } from "../log";

export interface FanoutOptions {
  log: Logger;
  maxBuffered?: number; // bytes queued on a subscriber's socket before QoS 0 is dropped; default 1 MiB
  // The limit for one client, when it differs (the host's own bridge link); default maxBuffered.
  maxBufferedFor?: (client: Client) => number;
}

interface Sink {
  corkedIn: number; // the turn it was last corked in
  dropped: number; // QoS 0 messages dropped in the current slow spell
}

// Sockets corked in this turn of the event loop, all uncorked by one setImmediate: under load
// Aedes hands out queued messages one per immediate (its mqemitter's concurrency limit), and
// process.nextTick would run between them, one writev per message again.
let corked: Writable[] = [];
let turn = 0;
function uncorkAll(): void {
  const l = corked;
  corked = [];
  turn++;
  for (let i = 0; i < l.length; i++) l[i].uncork();
}

export function qos0Fanout(o: FanoutOptions): (client: Client, packet: AedesPublishPacket) => AedesPublishPacket | null {
  const max = o.maxBuffered ?? 1 << 20;
  const sinks = new WeakMap<object, Sink>();
  // The last message encoded: the deliveries of one message to its subscribers come one after
  // another, each with its own packet object but the same topic, payload and retain flag.
  let topic = "";
  let payload: Buffer | null = null;
  let retain = false;
  let bytes: Uint8Array | null = null;

  const limitFor = o.maxBufferedFor ?? (() => max);
  return function authorizeForward(client, packet) {
    const conn = client.conn as unknown as Writable & { destroyed: boolean };
    // QoS 1/2, and a payload given as a string to aedes.publish(): Aedes' own path.
    if (packet.qos !== 0 || typeof packet.payload === "string") {
      if (packet.qos === 0 || conn.destroyed || conn.writableLength <= limitFor(client)) return packet;
      o.log.warn({ event: "slow-subscriber-disconnected", client: client.id, buffered: conn.writableLength, max: limitFor(client) }, "subscriber not reading with a QoS " + packet.qos + " delivery due: disconnected (--max-queued)");
      conn.destroy();
      // A clean session has nothing to keep; a persistent one keeps the message queued.
      return client.clean ? null : packet;
    }
    // Closing or closed: Aedes would drop the delivery too.
    if (!client.connected || conn.destroyed || !conn.writable) return null;
    let s = sinks.get(conn);
    if (!s) sinks.set(conn, (s = { corkedIn: -1, dropped: 0 }));
    if (conn.writableLength > limitFor(client)) {
      if (!s.dropped++) o.log.warn({ event: "slow-subscriber", client: client.id, buffered: conn.writableLength }, "subscriber not reading: dropping its QoS 0 messages");
      return null;
    }
    if (s.dropped) {
      o.log.info({ event: "slow-subscriber-resumed", client: client.id, dropped: s.dropped }, "subscriber reading again");
      s.dropped = 0;
    }
    if (packet.payload !== payload || packet.topic !== topic || packet.retain !== retain || !bytes) {
      topic = packet.topic;
      payload = packet.payload as Buffer;
      retain = packet.retain;
      bytes = encode({ type: 3, topic, payload, qos: 0, retain, dup: false });
    }
    if (s.corkedIn !== turn) {
      s.corkedIn = turn;
      conn.cork();
      if (!corked.length) setImmediate(uncorkAll);
      corked.push(conn);
    }
    conn.write(bytes);
    return null;
  };
}
