// The conformance gate in front of Aedes: every byte a client sends is parsed by pinwire's
// own MQTT 3.1.1 parser (shared/mqtt/parser.ts, the packets a server receives) before Aedes
// reads it, so one set of rules, one code per rule, serves the board, the host client and the
// broker. A violation closes that connection with a log line naming the rule; where the spec
// asks for a refusal first, the gate answers CONNACK 1 (protocol level, [MQTT-3.1.2-2]) or
// CONNACK 2 (zero-length client id with CleanSession 0, [MQTT-3.1.3-8]) and then closes. The
// chunk holding the violation never reaches Aedes, so nothing in it is routed or stored
// (no will, no retained message).
//
// How it sits in front: Aedes reads a connection with stream.read() on 'readable' (Aedes
// lib/client.js nextBatch), so the gate wraps that one stream's read(): Aedes gets each chunk
// only once the gate has passed it. Writes are untouched (no second stream in the path).
// test/broker-conformance.test.ts fails if Aedes ever reads some other way.
import type { Duplex } from "node:stream";
import { describe as describeCode } from "../../shared/error-text";
import { isProtocolError } from "../../shared/errors";
import { E_EMPTY_ID_REJECTED, E_PROTOCOL_LEVEL, E_TOO_LARGE } from "../../shared/mqtt/constants";
import { encodeConnack } from "../../shared/mqtt/generator";
import { MqttParser, SERVER_DECODERS } from "../../shared/mqtt/parser";
import type { Logger } from "../log";

// Session rules the parser cannot see (it reads packets one by one), and the host's limit on
// what a connection may send before its login is accepted (limits.ts).
export const E_FIRST_NOT_CONNECT = "MQTT-3.1.0-1";
export const E_SECOND_CONNECT = "MQTT-3.1.0-2";
export const E_LOGIN_BYTES = "pinwire-login-bytes";
const SESSION_TEXT: { [code: string]: string } = {
  [E_FIRST_NOT_CONNECT]: "The first packet on a connection must be CONNECT.",
  [E_SECOND_CONNECT]: "A second CONNECT on a connection is a protocol violation.",
  [E_LOGIN_BYTES]: "More bytes than allowed before the login was accepted (--max-login-bytes).",
};

// The CONNACK return code the spec asks for before closing, by rule.
const REFUSAL: { [code: string]: number } = { [E_PROTOCOL_LEVEL]: 1, [E_EMPTY_ID_REJECTED]: 2 };

export function ruleText(code: string): string {
  return SESSION_TEXT[code] ?? describeCode(code);
}

export interface GateOptions {
  log: Logger;
  addr: string; // remote address, for the log
  // Bytes the connection may send before loggedIn() (a packet larger than that is refused as
  // soon as its fixed header is in); default: no limit beyond maxPacketSize.
  loginBytes?: number;
  maxPacketSize?: number; // whole packet, fixed header included, after login; default the protocol's limit
}

// The gate of one connection: told when the broker accepts its login.
export interface Gate {
  loggedIn(): void;
}

export function guard(conn: Duplex, o: GateOptions): Gate {
  const after = o.maxPacketSize ?? 0;
  const before = o.loginBytes ?? 0;
  const parser = new MqttParser(SERVER_DECODERS, before && (!after || before < after) ? before : after);
  let clientId: string | undefined;
  let connected = false;
  let refused = false;
  let loggedIn = !before;
  let received = 0; // bytes before login

  function refuse(code: string): void {
    refused = true;
    const rc = REFUSAL[code];
    const why = ruleText(code);
    const max = code === E_LOGIN_BYTES || (code === E_TOO_LARGE && !loggedIn) ? before : code === E_TOO_LARGE ? after : undefined;
    o.log.warn({ event: "protocol-violation", client: clientId, addr: o.addr, rule: code, why, connack: rc, max }, "closing MQTT connection: [" + code + "] " + why + (max ? " (limit " + max + " bytes)" : ""));
    if (rc) {
      // The refusal goes out, then the connection closes; a peer that keeps it open is cut.
      conn.end(encodeConnack({ type: 2, sessionPresent: false, returnCode: rc }));
      setTimeout(() => conn.destroy(), 2000).unref();
    } else conn.destroy();
  }

  // true when every packet in b may go on to Aedes.
  function pass(b: Buffer): boolean {
    if (refused) return false;
    let packets;
    try {
      packets = parser.push(b);
    } catch (e) {
      if (!isProtocolError(e)) throw e;
      refuse(e.code);
      return false;
    }
    if (!loggedIn && (received += b.length) > before) {
      refuse(E_LOGIN_BYTES);
      return false;
    }
    for (let i = 0; i < packets.length; i++) {
      const p = packets[i];
      const rule = p.type === 1 ? (connected ? E_SECOND_CONNECT : null) : connected ? null : E_FIRST_NOT_CONNECT;
      if (rule) {
        refuse(rule);
        return false;
      }
      if (p.type === 1) {
        connected = true;
        clientId = p.clientId;
      }
    }
    return true;
  }

  const read = conn.read;
  conn.read = function (this: Duplex, n?: number) {
    const b = read.call(this, n);
    return b === null || pass(b) ? b : null;
  };
  return {
    loggedIn() {
      loggedIn = true;
      parser._m = after;
    },
  };
}
