// MQTT 3.1.1 client as a state machine with no timers and no sockets, so the same code runs
// on the board and on the host. The platform:
//   - calls tick(nowMs) periodically (every 250-1000 ms) and before connect(); every
//     timeout (keepalive, CONNACK/PINGRESP wait, retransmission, reconnect backoff) is decided
//     there, against the latest tick's time;
//   - opens a byte transport when the client calls options.open(), then reports
//     connected(transport), data(bytes) and closed(transport) for it.
// Events are plain function fields (onmessage, onconnect, ...): no EventEmitter on Espruino.
//
// A class, for the board's RAM (docs/espruino.md): its methods are defined once, and an
// instance costs only its fields, where a closure would cost every inner function again and
// keep its options alive. Fields starting with "_" are internal; the board build shortens them.
import type { Bytes } from "../bytes";
import { ProtocolError } from "../errors";
import { CONNACK_REFUSED, E_CONNECT_TIMEOUT, E_PING_TIMEOUT, E_QUEUE_FULL } from "./client-codes";
import { encodePacket } from "./generator";
import { checkOptions } from "./options";
import { CLIENT_DECODERS, MqttReader } from "./parser";
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
  type ConnectPacket,
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
  // A string is sent as its UTF-8 bytes (the encoder writes it: no copy is kept).
  password?: Bytes | string;
  will?: { topic: string; payload: Bytes | string; qos: number; retain: boolean };
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

// Call its functions as methods (c.data(b)), not detached. What a board uses; a host's client
// (MqttClient) can also end and unsubscribe.
export interface MqttClientCore {
  connect(): void;
  // Returns the packet id the acks will carry (0 for QoS 0). Throws ProtocolError
  // "queue-full" when the outgoing queue is full, or the codec's code for a bad topic/QoS.
  publish(topic: string, payload: Bytes | string, qos?: number, retain?: boolean): number;
  subscribe(filter: string, qos?: number): number;
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
  // Codes: "connack-1".."connack-5" (refused; shared/error-text.ts explains them),
  // "connect-timeout", "ping-timeout", or the parser's code (the server broke the protocol).
  // The client reconnects after each unless end() was called.
  onerror?: (e: ProtocolError) => void;
  onmessage?: (topic: string, payload: Bytes, p: PublishPacket) => void;
  // PUBACK (QoS 1), PUBCOMP (QoS 2) or UNSUBACK (type 11) for a packet id we sent.
  onack?: (id: number, type: number) => void;
  onsuback?: (id: number, granted: number[]) => void; // 0x80 = refused
}

export interface MqttClient extends MqttClientCore {
  // Sends DISCONNECT (so no will) and stops reconnecting; state is kept for a later connect().
  end(): void;
  unsubscribe(filter: string): number;
}

// A packet that owns (or will own) a packet id, kept encoded: retransmission only sets DUP.
interface Entry {
  b: Bytes;
  i: number; // packet id, 0 for QoS 0
  t: number; // last sent
  s?: Subscription[]; // SUBSCRIBE: what was asked, to read SUBACK against
}

export function mqttClient(o: MqttClientOptions): MqttClient {
  return new HostClient(o);
}

// The board's client: without end() and unsubscribe(), which a board never calls (each method
// costs it about 4 JsVars; the bundle drops the subclass that has them).
export function mqttClientCore(o: MqttClientOptions): MqttClientCore {
  return new Client(o);
}

class Client implements MqttClientCore {
  onconnect?: (sessionPresent: boolean) => void;
  onclose?: () => void;
  onerror?: (e: ProtocolError) => void;
  onmessage?: (topic: string, payload: Bytes, p: PublishPacket) => void;
  onack?: (id: number, type: number) => void;
  onsuback?: (id: number, granted: number[]) => void;

  // What the client keeps of its options: the CONNECT packet already encoded, the rest as fields.
  protected _cp: Bytes;
  protected _open: () => void;
  protected _ka: number;
  protected _wait: number;
  protected _win: number;
  protected _max: number;
  protected _rnd: () => number;
  protected _back: number;
  protected _most: number;
  protected _mp?: number;
  protected _tr: Transport | null = null;
  // 0 idle or backing off, 1 open() called, 2 CONNECT sent, 3 CONNACK accepted
  protected _st = 0;
  protected _want = false;
  protected _now = 0;
  protected _t0 = 0; // since when an answer is awaited (open, CONNACK, PINGRESP)
  protected _due = 0; // next reconnect attempt
  protected _tries = 0;
  protected _sent = 0;
  protected _recv = 0;
  protected _ping = false; // a PINGREQ is unanswered (since _t0)
  protected _parser: MqttReader | null = null;
  protected _id = 0;
  // Awaiting an ack, in the order first sent: a reconnect resends them in that order
  // (MQTT-4.6.0-1), which an object keyed by id would not keep (ids wrap; for..in order).
  // At most `window` entries, so a linear search is cheap.
  protected _fly: Entry[] = [];
  protected _q: Entry[] = [];
  // QoS 2 ids received and not yet released: a duplicate PUBLISH is acked, not delivered.
  protected _rx: { [id: number]: number } = {};
  // Subscriptions the server granted, filter -> requested QoS, to restore a lost session.
  protected _subs: { [filter: string]: number } = {};

  constructor(o: MqttClientOptions) {
    const ka = o.keepalive == null ? 60 : o.keepalive;
    const cp: ConnectPacket = { type: CONNECT, clientId: o.clientId, clean: o.clean !== false, keepalive: ka, username: o.username, password: o.password as Bytes, will: o.will as Will };
    checkOptions(cp);
    this._cp = encodePacket(cp);
    this._ka = ka * 1000;
    this._open = o.open;
    this._wait = o.timeout || 10000;
    this._win = o.window || 8;
    this._max = o.queue || 16;
    this._rnd = o.random || Math.random;
    this._back = o.backoff || 1000;
    this._most = o.maxBackoff || 60000;
    // Only when given: a field holding undefined still costs the board a JsVar.
    if (o.maxPacket) this._mp = o.maxPacket;
  }

  // Writes bytes, or an entry (stamped; with dup a retransmission, which sets DUP on a PUBLISH).
  protected _send(e: Entry | Bytes, dup?: boolean): void {
    let b = e as Bytes;
    if (!(e instanceof Uint8Array)) {
      b = e.b;
      if (dup && b[0] >> 4 === PUBLISH) b[0] |= 8;
      e.t = this._now;
    }
    (this._tr as Transport).write(b);
    this._sent = this._now;
  }

  // The transport is gone or given up on: close it if still held, schedule the next attempt.
  protected _drop(err?: ProtocolError): void {
    const t = this._tr;
    this._tr = null;
    this._st = 0;
    this._ping = false;
    const d = Math.min(this._most, this._back * Math.pow(2, this._tries++));
    this._due = this._now + d / 2 + (this._rnd() * d) / 2;
    if (t) t.close();
    if (err && this.onerror) this.onerror(err);
    if (this.onclose) this.onclose();
  }

  // The index in _fly of the entry with packet id `id`; with id 0 a new id (one no entry in
  // flight holds: queued ids are the newest, so only those can collide after a wrap).
  protected _find(id: number): number {
    const fly = this._fly;
    if (!id) {
      do this._id = (this._id % 65535) + 1;
      while (this._find(this._id) >= 0);
      return this._id;
    }
    for (let i = 0; i < fly.length; i++) if (fly[i].i === id) return i;
    return -1;
  }

  // Queues an encoded packet (front: a resubscription, which goes ahead of the queue and past
  // its bound), then sends what the window allows.
  protected _push(b: Bytes | null, id: number, s?: Subscription[], front?: boolean): number {
    const q = this._q;
    if (b) {
      if (!front && q.length >= this._max) throw new ProtocolError(E_QUEUE_FULL);
      const e: Entry = { b: b, i: id, t: 0, s: s };
      if (front) q.unshift(e);
      else q.push(e);
    }
    while (this._st === 3 && q.length && (!q[0].i || this._fly.length < this._win)) {
      const e = q.shift() as Entry;
      if (e.i) this._fly.push(e);
      this._send(e);
    }
    return id;
  }

  protected _sub(l: Subscription[], front?: boolean): number {
    const id = this._find(0);
    return this._push(encodePacket({ type: SUBSCRIBE, id: id, subs: l }), id, l, front);
  }

  protected _handle(p: Packet): void {
    const ty = p.type;
    const id = (p as { id: number }).id;
    const fly = this._fly;
    const k = id ? this._find(id) : -1;
    const e = fly[k];
    if (p.type === CONNACK) {
      if (p.returnCode) return this._drop(new ProtocolError(CONNACK_REFUSED + p.returnCode));
      this._st = 3;
      this._tries = 0;
      // Unacked packets first, with their ids (MQTT-4.4.0-1), before anything new goes out.
      for (let i = 0; i < fly.length; i++) this._send(fly[i], true);
      if (!p.sessionPresent) {
        // The server forgot us: its QoS 2 ids may be reused, and subscriptions must be redone.
        this._rx = {};
        const l: Subscription[] = [];
        for (const f in this._subs) l.push({ topic: f, qos: this._subs[f] });
        if (l.length) this._sub(l, true);
      }
      this._push(null, 0);
      if (this.onconnect) this.onconnect(p.sessionPresent);
    } else if (p.type === PUBLISH) {
      if (p.qos) this._send(encodePacket({ type: p.qos === 2 ? PUBREC : PUBACK, id: id } as AckPacket));
      if (p.qos === 2) {
        if (this._rx[id]) return;
        this._rx[id] = 1;
      }
      if (this.onmessage) this.onmessage(p.topic, p.payload, p);
    } else if (ty === PUBREL) {
      delete this._rx[id];
      this._send(encodePacket({ type: PUBCOMP, id: id } as AckPacket));
    } else if (e) {
      if (ty === PUBREC) {
        e.b = encodePacket({ type: PUBREL, id: id } as AckPacket);
        return this._send(e);
      }
      fly.splice(k, 1);
      if (p.type === SUBACK) {
        const l = e.s as Subscription[];
        for (let i = 0; i < l.length; i++) {
          const f = l[i].topic;
          if (p.granted[i] === 0x80) delete this._subs[f];
          else this._subs[f] = l[i].qos;
        }
        if (this.onsuback) this.onsuback(id, p.granted);
      } else if (this.onack) this.onack(id, ty);
      this._push(null, 0);
    }
  }

  connect(): void {
    this._want = true;
    this._tries = 0;
    // Idle or backing off: the tick opens at once (one place that opens, one method less).
    this._due = 0;
    this.tick(this._now);
  }

  publish(topic: string, payload: Bytes | string, qos?: number, retain?: boolean): number {
    const id = qos ? this._find(0) : 0;
    return this._push(
      // qos and retain may be undefined: the encoder reads them as 0 / false.
      encodePacket({
        type: PUBLISH,
        topic: topic,
        // A string goes to the encoder as it is (written as UTF-8 there).
        payload: payload,
        qos: qos,
        retain: retain,
        id: id,
      } as PublishPacket),
      id,
    );
  }

  subscribe(filter: string, qos?: number): number {
    return this._sub([{ topic: filter, qos: qos || 0 }]);
  }

  tick(t: number): void {
    const now = (this._now = t);
    const st = this._st;
    if (!st) {
      if (this._want && now >= this._due) {
        this._st = 1;
        this._t0 = now;
        this._open();
      }
    } else if ((st < 3 || this._ping) && now - this._t0 >= this._wait) {
      this._drop(new ProtocolError(st < 3 ? E_CONNECT_TIMEOUT : E_PING_TIMEOUT));
    } else if (st > 2) {
      const ka = this._ka;
      if (ka && !this._ping && (now - this._sent >= ka || now - this._recv >= ka)) {
        this._send(encodePacket({ type: PINGREQ }));
        this._ping = true;
        this._t0 = now;
      }
      const fly = this._fly;
      for (let i = 0; i < fly.length; i++) if (now - fly[i].t >= this._wait) this._send(fly[i], true);
    }
  }

  connected(t: Transport): void {
    // A transport that comes back after a timeout or end() is not wanted any more.
    if (this._st !== 1) return t.close();
    this._tr = t;
    this._st = 2;
    this._t0 = this._now;
    this._parser = new MqttReader(CLIENT_DECODERS, this._mp);
    this._send(this._cp);
  }

  data(b: Bytes): void {
    if (this._st < 2) return;
    const parser = this._parser as MqttReader;
    parser.feed(b);
    this._recv = this._now;
    this._ping = false;
    // One packet decoded and handled at a time (MqttParser); a packet that breaks the protocol
    // ends the connection, and so does a handler that drops it.
    while (this._st > 1) {
      let p: Packet | null;
      try {
        p = parser.take();
      } catch (err) {
        return this._drop(err as ProtocolError);
      }
      if (!p) return;
      this._handle(p);
    }
  }

  closed(t?: Transport): void {
    // Ignore the close of a transport already replaced or dropped.
    if (!this._st || (t && this._tr && t !== this._tr)) return;
    this._tr = null;
    this._drop();
  }
}

class HostClient extends Client implements MqttClient {
  end(): void {
    this._want = false;
    if (this._st === 3) this._send(encodePacket({ type: DISCONNECT }));
    if (this._st) this._drop();
  }

  unsubscribe(filter: string): number {
    delete this._subs[filter];
    const id = this._find(0);
    return this._push(encodePacket({ type: UNSUBSCRIBE, id: id, topics: [filter] }), id);
  }
}
