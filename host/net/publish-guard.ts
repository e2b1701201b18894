// Sits between a broker connection and the shared MQTT client on the host (the bridge's link),
// and takes out PUBLISH packets the client's parser would refuse (U+0000 or ill-formed UTF-8
// in the topic, a wildcard in it, ...), reporting each with the rule it breaks.
//
// Why: a conforming client closes the connection on a malformed packet, but a PUBLISH that a
// broker accepted and *retained* comes back after every reconnect and SUBSCRIBE, so closing
// turns one bad message into a reconnect loop that starves everything else. The packet's
// fixed header still says where it ends, so the stream stays in step without it. A refused
// QoS 1/2 PUBLISH is acknowledged here, so the broker does not send it again.
//
// Host only: the board's client is unchanged (its bundle does not include this), and boards
// subscribe to their own cmd/ota topics only. Any other broken packet (a bad fixed header, a
// broken CONNACK or SUBACK) still reaches the client, which closes the connection as before.
import { readU16BE, toHex, view, type Bytes } from "../../shared/bytes";
import { isProtocolError } from "../../shared/errors";
import { framer } from "../../shared/stream";
import { encodeAck } from "../../shared/mqtt/generator";
import { CLIENT_DECODERS, MqttParser } from "../../shared/mqtt/parser";
import { PUBACK, PUBLISH, PUBREC } from "../../shared/mqtt/packet";
import type { Transport } from "../../shared/mqtt/client";
import type { TransportSink } from "./tcp-transport";

export interface SkippedPublish {
  rule: string; // the ProtocolError code (shared/mqtt/constants.ts): "MQTT-1.5.3-2", ...
  topic: Bytes; // the topic bytes as received (empty if unreadable)
  qos: number;
  retain: boolean;
  acked: boolean; // a PUBACK/PUBREC went back for it
}

// Size of the packet whose fixed header starts at b[i], 0 while the header is incomplete,
// -1 when the remaining length is longer than four bytes (the client's parser refuses that).
function packetSize(b: Bytes, i: number, n: number): number {
  let k = i + 1;
  let v = 0;
  let m = 1;
  let c: number;
  do {
    if (k > i + 4) return -1;
    if (k >= n) return 0;
    c = b[k++];
    v += (c & 127) * m;
    m *= 128;
  } while (c & 128);
  return k - i + v;
}

// Bytes of the fixed header at b[i] (one whose size packetSize() could read).
function headerLength(b: Bytes, i: number): number {
  let k = i + 1;
  while (b[k] & 128) k++;
  return k + 1 - i;
}

export function publishGuard(client: TransportSink, onSkip: (s: SkippedPublish) => void): TransportSink {
  let tr: Transport | null = null;
  let feed: (b: Bytes) => void = () => {};
  // Decodes each PUBLISH once, with the client's own decoders, to learn whether the client
  // would refuse it. A parser is unusable after it throws: a fresh one replaces it then.
  let check = new MqttParser(CLIENT_DECODERS);
  // After an unreadable fixed header the rest goes to the client untouched (it closes).
  let through = false;
  // Accepted packets that lie back to back in one buffer go to the client in one call.
  let runB: Bytes | null = null;
  let runS = 0;
  let runE = 0;

  function flush(): void {
    if (runB && runE > runS) client.data(view(runB, runS, runE));
    runB = null;
  }

  function take(b: Bytes, i: number, e: number): void {
    if (runB === b && runE === i) runE = e;
    else {
      flush();
      runB = b;
      runS = i;
      runE = e;
    }
  }

  // The PUBLISH in b[i..e) if the client's parser refuses it: report it, ack it if it needs one.
  function refused(b: Bytes, i: number, e: number): boolean {
    try {
      check.push(view(b, i, e));
      return false;
    } catch (err) {
      if (!isProtocolError(err)) throw err;
      check = new MqttParser(CLIENT_DECODERS);
      const h = b[i];
      const qos = (h >> 1) & 3;
      // Where the topic is: after the fixed header, a 16-bit length, then the bytes.
      const t = i + headerLength(b, i);
      let topic: Bytes = new Uint8Array(0);
      let acked = false;
      if (t + 2 <= e) {
        const n = readU16BE(b, t);
        if (t + 2 + n <= e) topic = view(b, t + 2, t + 2 + n);
        const at = t + 2 + n;
        if ((qos === 1 || qos === 2) && at + 2 <= e && tr) {
          const id = readU16BE(b, at);
          if (id) {
            tr.write(encodeAck(qos === 1 ? PUBACK : PUBREC, id));
            acked = true;
          }
        }
      }
      onSkip({ rule: err.code, topic, qos, retain: (h & 1) === 1, acked });
      return true;
    }
  }

  return {
    connected(t) {
      tr = t;
      through = false;
      check = new MqttParser(CLIENT_DECODERS);
      feed = framer(
        (b, i, n) => {
          if (through) return n - i;
          const size = packetSize(b, i, n);
          if (size >= 0) return size;
          flush();
          through = true;
          client.data(view(b, i, n));
          return n - i;
        },
        (b, i, e) => {
          if (through) return;
          if (b[i] >> 4 === PUBLISH && refused(b, i, e)) return flush();
          take(b, i, e);
        },
      );
      client.connected(t);
    },
    data(b) {
      if (through) return client.data(b);
      feed(b);
      flush();
    },
    closed(t) {
      runB = null;
      if (t === tr) tr = null;
      client.closed(t);
    },
  };
}

export function describeTopic(topic: Bytes): { topic: string; topicHex: string } {
  // Shown with U+FFFD for what is not UTF-8, and as hex, so a log line never breaks.
  return { topic: new TextDecoder("utf-8", { fatal: false }).decode(topic), topicHex: toHex(topic) };
}
