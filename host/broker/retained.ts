// The embedded broker's retained messages, kept in a tree by topic level.
//
// Aedes' memory persistence keeps them in one Map and answers every SUBSCRIBE by testing each
// retained topic against each filter: with 10,000 devices (about five retained topics each)
// every device's SUBSCRIBE to its own cmd topic walked 50,000 topics, and above 8,000 devices
// new connections fell to about 4 per second. Here a filter walks only the branches it can
// match: a plain filter is one lookup per level, `+` visits one level's children, `#` the
// subtree below it. Matching is MQTT 3.1.1's (section 4.7), as Aedes routes live messages:
// `+` matches one level, empty ones included; `#` matches its parent level and everything
// below; a filter starting with a wildcard does not match topics starting with `$`.
//
// Each payload is copied when stored, into memory of its own: a parsed packet's payload is a
// view into the chunk the socket read, and a retained view would keep that whole chunk alive.
import { Readable } from "node:stream";

interface Node {
  children: Map<string, Node> | null;
  packet: RetainedPacket | null;
}

export interface RetainedPacket {
  topic: string;
  payload: Buffer;
  [k: string]: unknown;
}

const node = (): Node => ({ children: null, packet: null });

// A copy in memory of its own (Buffer.from would share an 8 KB pool slab with other buffers).
function own(b: Buffer): Buffer {
  const c = Buffer.allocUnsafeSlow(b.length);
  c.set(b);
  return c;
}

export class RetainedIndex {
  private root = node();
  count = 0;
  bytes = 0; // payload bytes held

  get(topic: string): RetainedPacket | null {
    let n: Node | undefined = this.root;
    for (const level of topic.split("/")) {
      n = n.children?.get(level);
      if (!n) return null;
    }
    return n.packet;
  }

  // Stores the message (payload copied), or removes the topic's when the payload is empty.
  // Returns false (and keeps nothing) when a new topic would take the payloads held over
  // maxBytes; a topic already held may always be replaced.
  set(packet: RetainedPacket, maxBytes = Infinity): boolean {
    const levels = packet.topic.split("/");
    if (!packet.payload.length) {
      this.remove(levels);
      return true;
    }
    if (this.bytes + packet.payload.length > maxBytes && !this.get(packet.topic)) return false;
    let n = this.root;
    for (const level of levels) {
      if (!n.children) n.children = new Map();
      let c = n.children.get(level);
      if (!c) n.children.set(level, (c = node()));
      n = c;
    }
    if (n.packet) this.bytes -= n.packet.payload.length;
    else this.count++;
    n.packet = { ...packet, payload: own(packet.payload) };
    this.bytes += packet.payload.length;
    return true;
  }

  private remove(levels: string[]): void {
    const path: Node[] = [this.root];
    for (const level of levels) {
      const c = path[path.length - 1].children?.get(level);
      if (!c) return;
      path.push(c);
    }
    const leaf = path[path.length - 1];
    if (!leaf.packet) return;
    this.count--;
    this.bytes -= leaf.packet.payload.length;
    leaf.packet = null;
    // Drop the branch's nodes that hold nothing any more.
    for (let i = path.length - 1; i > 0; i--) {
      const n = path[i];
      if (n.packet || (n.children && n.children.size)) break;
      const parent = path[i - 1];
      parent.children!.delete(levels[i - 1]);
      if (!parent.children!.size) parent.children = null;
    }
  }

  // The retained messages a topic filter matches, each once per filter.
  *match(filter: string): Generator<RetainedPacket> {
    yield* walk(this.root, filter.split("/"), 0, true);
  }

  // Every match of several filters (a SUBSCRIBE's), filter by filter; it ends early once the
  // subscriber's connection has closed.
  *matchAll(filters: string[], subscriber?: { closed: boolean } | null): Generator<RetainedPacket> {
    for (const f of filters)
      for (const p of this.match(f)) {
        if (subscriber && subscriber.closed) return;
        yield p;
      }
  }
}

function* walk(n: Node, levels: string[], i: number, top: boolean): Generator<RetainedPacket> {
  if (i === levels.length) {
    if (n.packet) yield n.packet;
    return;
  }
  const level = levels[i];
  if (level === "#") {
    // The parent level itself ("a/#" matches "a"), then everything below.
    if (!top && n.packet) yield n.packet;
    yield* below(n, top);
    return;
  }
  if (!n.children) return;
  if (level === "+") {
    for (const [name, c] of n.children) if (!(top && name.startsWith("$"))) yield* walk(c, levels, i + 1, false);
    return;
  }
  const c = n.children.get(level);
  if (c) yield* walk(c, levels, i + 1, false);
}

function* below(n: Node, top: boolean): Generator<RetainedPacket> {
  if (!n.children) return;
  for (const [name, c] of n.children) {
    if (top && name.startsWith("$")) continue;
    if (c.packet) yield c.packet;
    yield* below(c, false);
  }
}

// What of Aedes' persistence the index replaces: storing retained messages and the streams a
// SUBSCRIBE reads them from (Aedes' handlers/subscribe.js and aedes.js storeRetained).
export interface RetainedStore {
  storeRetained(packet: RetainedPacket, cb?: (err: Error | null) => void): Promise<void> | void;
  createRetainedStream(pattern: string): Readable;
  createRetainedStreamCombi(patterns: string[]): Readable;
}

// The broker's 'subscribe' event: Aedes emits it for a SUBSCRIBE right before it asks the
// persistence for the retained messages to send (handlers/subscribe.js completeSubscribe),
// in the same synchronous call.
export interface SubscribeEvents {
  on(event: "subscribe", f: (subs: unknown, client: { closed: boolean }) => void): unknown;
}

// Puts the index in place of the persistence's own retained messages. Aedes sends them one at
// a time, each after the last one's write, and kept sending them to a client that had gone:
// with a few thousand retained messages, every short-lived client that subscribed to a
// wildcard held its Client, its socket and one packet (plus a "connection closed" Error) per
// message still to come (a 6,000-connection fuzz grew the host from 130 to 400 MB). So the
// stream a SUBSCRIBE reads stops when its client closes.
// cap: the payload bytes held at most, and what to do with a message that does not fit.
export function indexRetained(
  persistence: RetainedStore,
  broker: SubscribeEvents,
  index = new RetainedIndex(),
  cap: { maxBytes: number; full: (topic: string, bytes: number) => void } = { maxBytes: Infinity, full: () => {} },
): RetainedIndex {
  let subscriber: { closed: boolean } | null = null;
  broker.on("subscribe", (_subs, client) => {
    subscriber = client;
    queueMicrotask(() => (subscriber = null));
  });
  persistence.storeRetained = (packet, cb) => {
    if (!index.set(packet, cap.maxBytes)) cap.full(packet.topic, packet.payload.length);
    if (cb) return void process.nextTick(cb, null);
    return Promise.resolve();
  };
  persistence.createRetainedStream = (pattern) => Readable.from(index.match(pattern));
  persistence.createRetainedStreamCombi = (patterns) => {
    const c = subscriber;
    subscriber = null;
    return Readable.from(index.matchAll(patterns, c));
  };
  return index;
}
