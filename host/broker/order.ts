// Aedes (1.2.0) numbers each message as it takes it in (brokerCounter), and each subscriber
// forwards a message only if its number is above the last one it forwarded from that broker
// (client.js dedupe: a QoS 2 message published again is not delivered twice). A retained
// message is routed only once its store has resolved, a microtask later, so a plain message
// its client published right after it is routed first, and every subscriber then drops the
// retained one as a duplicate: a board's retained info and catalogue vanished when a log line
// followed them in the same tick (moscajs/aedes#994, open).
//
// routeInOrder() keeps the order messages came in: while a retained message waits for its
// store, the messages after it wait too, and go on (in order) once it has been routed. Nothing
// is renumbered, so the QoS 2 duplicate check stays as it is. Only a retained message costs a
// wait, and only the messages that came after it.
export interface Orderable {
  id: string;
  publish(packet: { retain?: boolean }, client: unknown, done?: (err?: Error | null) => void): void;
  mq: { emit(packet: { brokerId?: string; retain?: boolean }, cb?: unknown): unknown };
}

export function routeInOrder(aedes: Orderable): void {
  const publish = aedes.publish;
  const emit = aedes.mq.emit;
  const held: [unknown, unknown, ((err?: Error | null) => void) | undefined][] = [];
  // The retained message in flight (at most one: the ones after it are held), until routed.
  let flight: object | null = null;

  const release = (f: object) => {
    if (flight !== f) return;
    flight = null;
    while (held.length && !flight) {
      const [p, c, d] = held.shift()!;
      start(p as { retain?: boolean }, c, d);
    }
  };

  function start(packet: { retain?: boolean }, client: unknown, done?: (err?: Error | null) => void): void {
    if (!packet.retain) return publish.call(aedes, packet, client, done);
    const f = {};
    flight = f;
    publish.call(aedes, packet, client, (err) => {
      // Not routed (its store failed): the ones after it go on anyway.
      release(f);
      if (done) done(err);
    });
  }

  aedes.publish = function (packet, client, done) {
    if (flight || held.length) held.push([packet, client, done]);
    else start(packet, client, done);
  };
  aedes.mq.emit = function (this: unknown, packet, cb) {
    const r = emit.call(this, packet, cb);
    if (flight && packet && packet.retain && packet.brokerId === aedes.id) release(flight);
    return r;
  };
}
