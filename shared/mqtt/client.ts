// MQTT 3.1.1 client as a state machine with no timers and no sockets, so the same code runs
// on the board and on the host. The platform:
//   - calls tick(nowMs) periodically (every 250-1000 ms) and before connect(); every
//     timeout (keepalive, CONNACK/PINGRESP wait, retransmission, reconnect backoff) is decided
//     there, against the latest tick's time;
//   - opens a byte transport when the client calls options.open(), then reports
//     connected(transport), data(bytes) and closed(transport) for it.
// Events are plain function fields (onmessage, onconnect, ...): no EventEmitter on Espruino.
//
// Written as one closure rather than a class: locals minify to one letter, properties don't.
import { utf8Encode, type Bytes } from "../bytes";
import { ProtocolError } from "../errors";
import { CONNACK_REFUSED, E_CONNECT_TIMEOUT, E_PING_TIMEOUT, E_QUEUE_FULL } from "./client-codes";
import { encodePacket } from "./generator";
import { CLIENT_DECODERS, MqttParser } from "./parser";
import {
  CONNACK,
  CONNECT,
  DISCONNECT,
  PINGREQ,
  PUBACK,
  PUBCOMP,
  PUBLISH,
  PUBREC,
  PUBREL,
  SUBACK,
  SUBSCRIBE,
  UNSUBSCRIBE,
  type AckPacket,
  type Packet,
  type PublishPacket,
  type Subscription,
  type Will,
} from "./packet";

export interface Transport {
  write(b: Bytes): void;
  close(): void;
}

export interface MqttClientOptions {
  clientId: string;
  clean?: boolean; // default true
  keepalive?: number; // seconds, default 60; 0 = off
  username?: string;
  password?: Bytes;
  will?: Will;
  // Asked for a new transport; answer later with connected(t) or closed(t). Must not throw.
  open: () => void;
  timeout?: number; // ms to wait for CONNACK, PINGRESP or an ack before acting; default 10000
  window?: number; // packets awaiting an ack at once (QoS 1/2 PUBLISH, SUBSCRIBE...); default 8
  queue?: number; // packets waiting to be sent (disconnected or window full); default 16
  backoff?: number; // first reconnect delay, ms; default 1000; doubles per failure
  maxBackoff?: number; // default 60000
  maxPacket?: number; // largest packet accepted from the server, bytes; default no limit
  random?: () => number; // jitter source in [0, 1); default Math.random
}

export interface MqttClient {
  connect(): void;
  // Sends DISCONNECT (so no will) and stops reconnecting; state is kept for a later connect().
  end(): void;
  // Returns the packet id the acks will carry (0 for QoS 0). Throws ProtocolError
  // "queue-full" when the outgoing queue is full, or the codec's code for a bad topic/QoS.
  publish(topic: string, payload: Bytes | string, qos?: number, retain?: boolean): number;
  subscribe(filter: string, qos?: number): number;
  unsubscribe(filter: string): number;
  tick(nowMs: number): void;
  connected(t: Transport): void;
  // The bytes must not be reused after the call: PUBLISH payloads are views into them.
  data(b: Bytes): void;
  // Only for a close the client did not ask for: while an attempt is opening the client holds
  // no transport to compare with, so any closed() then counts as that attempt failing.
  closed(t?: Transport): void;
  onconnect?: (sessionPresent: boolean) => void;
  // Every transport attempt that ends (refused, lost, timed out, end()).
  onclose?: () => void;
  // Codes: "connack-1".."connack-5" (refused; host/net/mqtt-client-text.ts explains them),
  // "connect-timeout", "ping-timeout", or the parser's code (the server broke the protocol).
  // The client reconnects after each unless end() was called.
  onerror?: (e: ProtocolError) => void;
  onmessage?: (topic: string, payload: Bytes, p: PublishPacket) => void;
  // PUBACK (QoS 1), PUBCOMP (QoS 2) or UNSUBACK (type 11) for a packet id we sent.
  onack?: (id: number, type: number) => void;
  onsuback?: (id: number, granted: number[]) => void; // 0x80 = refused
}

// A packet that owns (or will own) a packet id, kept encoded: retransmission only sets DUP.
interface Entry {
  b: Bytes;
  i: number; // packet id, 0 for QoS 0
  t: number; // last sent
  s?: Subscription[]; // SUBSCRIBE: what was asked, to read SUBACK against
}

// Written for the board's RAM (docs/espruino.md): each function costs JsVars, so the machine
// is a few functions with a branch per event rather than one per step, and it keeps what it
// needs of the options (the CONNECT packet already encoded) rather than the options object.
export function mqttClient(o: MqttClientOptions): MqttClient {
  const ka = (o.keepalive == null ? 60 : o.keepalive) * 1000;
  const connectPacket = encodePacket({
    type: CONNECT,
    clientId: o.clientId,
    clean: o.clean !== false,
    keepalive: ka / 1000,
    username: o.username,
    password: o.password,
    will: o.will,
  });
  const openTransport = o.open;
  const wait = o.timeout || 10000;
  const win = o.window || 8;
  const max = o.queue || 16;
  const rnd = o.random || Math.random;
  const first = o.backoff || 1000;
  const most = o.maxBackoff || 60000;
  const maxPacket = o.maxPacket;
  let tr: Transport | null = null;
  // 0 idle or backing off, 1 open() called, 2 CONNECT sent, 3 CONNACK accepted
  let st = 0;
  let want = false;
  let now = 0;
  let t0 = 0; // since when an answer is awaited (open, CONNACK, PINGRESP)
  let due = 0; // next reconnect attempt
  let tries = 0;
  let sent = 0;
  let recv = 0;
  let ping = false; // a PINGREQ is unanswered (since t0)
  let parser: MqttParser;
  let lastId = 0;
  // Awaiting an ack, in the order first sent: a reconnect resends them in that order
  // (MQTT-4.6.0-1), which an object keyed by id would not keep (ids wrap; for..in order).
  // At most `window` entries, so a linear search is cheap.
  const fly: Entry[] = [];
  const q: Entry[] = [];
  // QoS 2 ids received and not yet released: a duplicate PUBLISH is acked, not delivered.
  let rx: { [id: number]: number } = {};
  // Subscriptions the server granted, filter -> requested QoS, to restore a lost session.
  const subs: { [filter: string]: number } = {};

  // Writes bytes, or an entry (stamped; with dup a retransmission, which sets DUP on a PUBLISH).
  function send(e: Entry | Bytes, dup?: boolean): void {
    let b = e as Bytes;
    if (!(e instanceof Uint8Array)) {
      b = e.b;
      if (dup && b[0] >> 4 === PUBLISH) b[0] |= 8;
      e.t = now;
    }
    (tr as Transport).write(b);
    sent = now;
  }

  function open(): void {
    st = 1;
    t0 = now;
    openTransport();
  }

  // The transport is gone or given up on: close it if still held, schedule the next attempt.
  function drop(err?: ProtocolError): void {
    const t = tr;
    tr = null;
    st = 0;
    ping = false;
    const d = Math.min(most, first * Math.pow(2, tries++));
    due = now + d / 2 + (rnd() * d) / 2;
    if (t) t.close();
    if (err && c.onerror) c.onerror(err);
    if (c.onclose) c.onclose();
  }

  // The index in fly of the entry with packet id `id`; with id 0 a new id (one no entry in
  // flight holds: queued ids are the newest, so only those can collide after a wrap).
  function find(id: number): number {
    if (!id) {
      do lastId = (lastId % 65535) + 1;
      while (find(lastId) >= 0);
      return lastId;
    }
    for (let i = 0; i < fly.length; i++) if (fly[i].i === id) return i;
    return -1;
  }

  // Queues an encoded packet (front: a resubscription, which goes ahead of the queue and past
  // its bound), then sends what the window allows.
  function push(b: Bytes | null, id: number, s?: Subscription[], front?: boolean): number {
    if (b) {
      if (!front && q.length >= max) throw new ProtocolError(E_QUEUE_FULL);
      const e: Entry = { b: b, i: id, t: 0, s: s };
      if (front) q.unshift(e);
      else q.push(e);
    }
    while (st === 3 && q.length && (!q[0].i || fly.length < win)) {
      const e = q.shift() as Entry;
      if (e.i) fly.push(e);
      send(e);
    }
    return id;
  }

  function subscribe(l: Subscription[], front?: boolean): number {
    const id = find(0);
    return push(encodePacket({ type: SUBSCRIBE, id: id, subs: l }), id, l, front);
  }

  function handle(p: Packet): void {
    const ty = p.type;
    const id = (p as { id: number }).id;
    const k = id ? find(id) : -1;
    const e = fly[k];
    if (p.type === CONNACK) {
      if (p.returnCode) return drop(new ProtocolError(CONNACK_REFUSED + p.returnCode));
      st = 3;
      tries = 0;
      // Unacked packets first, with their ids (MQTT-4.4.0-1), before anything new goes out.
      for (let i = 0; i < fly.length; i++) send(fly[i], true);
      if (!p.sessionPresent) {
        // The server forgot us: its QoS 2 ids may be reused, and subscriptions must be redone.
        rx = {};
        const l: Subscription[] = [];
        for (const f in subs) l.push({ topic: f, qos: subs[f] });
        if (l.length) subscribe(l, true);
      }
      push(null, 0);
      if (c.onconnect) c.onconnect(p.sessionPresent);
    } else if (p.type === PUBLISH) {
      if (p.qos) send(encodePacket({ type: p.qos === 2 ? PUBREC : PUBACK, id: id } as AckPacket));
      if (p.qos === 2) {
        if (rx[id]) return;
        rx[id] = 1;
      }
      if (c.onmessage) c.onmessage(p.topic, p.payload, p);
    } else if (ty === PUBREL) {
      delete rx[id];
      send(encodePacket({ type: PUBCOMP, id: id } as AckPacket));
    } else if (e) {
      if (ty === PUBREC) {
        e.b = encodePacket({ type: PUBREL, id: id } as AckPacket);
        return send(e);
      }
      fly.splice(k, 1);
      if (p.type === SUBACK) {
        const l = e.s as Subscription[];
        for (let i = 0; i < l.length; i++) {
          const f = l[i].topic;
          if (p.granted[i] === 0x80) delete subs[f];
          else subs[f] = l[i].qos;
        }
        if (c.onsuback) c.onsuback(id, p.granted);
      } else if (c.onack) c.onack(id, ty);
      push(null, 0);
    }
  }

  const c: MqttClient = {
    connect: function () {
      want = true;
      tries = 0;
      if (!st) open();
    },
    end: function () {
      want = false;
      if (st === 3) send(encodePacket({ type: DISCONNECT }));
      if (st) drop();
    },
    publish: function (topic, payload, qos, retain) {
      const id = qos ? find(0) : 0;
      return push(
        // qos and retain may be undefined: the encoder reads them as 0 / false.
        encodePacket({
          type: PUBLISH,
          topic: topic,
          payload: typeof payload === "string" ? utf8Encode(payload) : payload,
          qos: qos,
          retain: retain,
          id: id,
        } as PublishPacket),
        id,
      );
    },
    subscribe: function (filter, qos) {
      return subscribe([{ topic: filter, qos: qos || 0 }]);
    },
    unsubscribe: function (filter) {
      delete subs[filter];
      const id = find(0);
      return push(encodePacket({ type: UNSUBSCRIBE, id: id, topics: [filter] }), id);
    },
    tick: function (t) {
      now = t;
      if (!st) {
        if (want && now >= due) open();
      } else if ((st < 3 || ping) && now - t0 >= wait) {
        drop(new ProtocolError(st < 3 ? E_CONNECT_TIMEOUT : E_PING_TIMEOUT));
      } else if (st > 2) {
        if (ka && !ping && (now - sent >= ka || now - recv >= ka)) {
          send(encodePacket({ type: PINGREQ }));
          ping = true;
          t0 = now;
        }
        for (let i = 0; i < fly.length; i++) if (now - fly[i].t >= wait) send(fly[i], true);
      }
    },
    connected: function (t) {
      // A transport that comes back after a timeout or end() is not wanted any more.
      if (st !== 1) return t.close();
      tr = t;
      st = 2;
      t0 = now;
      parser = new MqttParser(CLIENT_DECODERS, maxPacket);
      send(connectPacket);
    },
    data: function (b) {
      if (st < 2) return;
      let ps: Packet[];
      try {
        ps = parser.push(b);
      } catch (err) {
        return drop(err as ProtocolError);
      }
      recv = now;
      ping = false;
      for (let i = 0; i < ps.length && st > 1; i++) handle(ps[i]);
    },
    closed: function (t) {
      // Ignore the close of a transport already replaced or dropped.
      if (!st || (t && tr && t !== tr)) return;
      tr = null;
      drop();
    },
  };
  return c;
}
