// Aedes (1.2.0) numbers each message as it arrives (brokerCounter), and each subscriber
// forwards a message only if its number is above the last one it forwarded from that broker
// (client.js dedupe, meant for duplicates across a cluster). A retained message reaches the
// router only once its store has resolved, a microtask later, so a plain message its client
// published right after it is routed first, and then every subscriber drops the retained one
// as a duplicate: a board's retained info and catalogue vanished when a log line followed
// them in the same tick (moscajs/aedes#994, open). Numbering each message as it enters the
// router makes the numbers follow the order messages are routed in, and nothing is dropped.
export interface Numbered {
  id: string;
  counter: number;
  mq: { emit(packet: { brokerId?: string; brokerCounter?: number }, cb?: unknown): unknown };
}

export function numberWhenRouted(aedes: Numbered): void {
  const mq = aedes.mq;
  const emit = mq.emit;
  mq.emit = function (this: unknown, packet, cb) {
    if (packet && packet.brokerId === aedes.id) packet.brokerCounter = ++aedes.counter;
    return emit.call(this, packet, cb);
  };
}
