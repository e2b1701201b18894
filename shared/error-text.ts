// Host-only: a sentence for each ProtocolError code, so the board can throw bare codes.
// Never import this from device code (it would put every sentence in the bundle).
// Other protocols add their codes to ERROR_TEXT in their own section.
import * as CB from "./mqtt/client-codes.board";
import * as CQ from "./mqtt/client-codes";
import * as MB from "./mqtt/constants.board";
import * as MQ from "./mqtt/constants";
import * as WB from "./ws/codes.board";
import * as WQ from "./ws/codes";
import * as BB from "./message-codes.board";
import * as BQ from "./message-codes";

export const ERROR_TEXT: { [code: string]: string } = {
  // --- MQTT 3.1.1 (normative statement ids; see shared/mqtt/constants.ts)
  "MQTT-1.5.3-1": "A string is not well-formed UTF-8 (or encodes a surrogate code point).",
  "MQTT-1.5.3-2": "A string contains the null character U+0000.",
  "MQTT-2.2.2-2": "The fixed header's flag bits differ from the values reserved for this packet type.",
  "MQTT-2.3.1-1": "SUBSCRIBE, UNSUBSCRIBE and PUBLISH with QoS > 0 need a non-zero packet identifier.",
  "MQTT-3.1.2-1": 'The CONNECT protocol name is not "MQTT".',
  "MQTT-3.1.2-2": "Unacceptable protocol level: only 4 (MQTT 3.1.1) is supported; answer CONNACK 1 and close.",
  "MQTT-3.1.2-3": "The reserved bit 0 of the CONNECT flags is set.",
  "MQTT-3.1.2-9": "The will flag is set but the will topic or will message is missing.",
  "MQTT-3.1.2-11": "The will flag is 0 but the payload carries bytes where a will topic would be.",
  "MQTT-3.1.2-13": "The will flag is 0 but the will QoS is not 0.",
  "MQTT-3.1.2-14": "The will QoS is 3.",
  "MQTT-3.1.2-15": "The will flag is 0 but the will retain flag is set.",
  "MQTT-3.1.2-18": "The user name flag is 0 but the payload carries bytes where a user name would be.",
  "MQTT-3.1.2-19": "The user name flag is set but the user name is missing.",
  "MQTT-3.1.2-20": "The password flag is 0 but the payload carries bytes where a password would be.",
  "MQTT-3.1.2-21": "The password flag is set but the password is missing.",
  "MQTT-3.1.2-22": "A password was given without a user name.",
  "MQTT-3.1.3-3": "The CONNECT payload has no client identifier.",
  "MQTT-3.1.3-7": "A zero-length client identifier requires CleanSession = 1.",
  "MQTT-3.1.3-8": "Zero-length client identifier with CleanSession = 0: answer CONNACK 2 and close.",
  "MQTT-3.2.2-4": "A CONNACK refusing the connection has Session Present set.",
  "MQTT-3.3.1-2": "The DUP flag is set on a QoS 0 PUBLISH.",
  "MQTT-3.3.1-4": "QoS 3: a PUBLISH must not have both QoS bits set.",
  "MQTT-3.3.2-2": "A topic name contains a wildcard character (+ or #).",
  "MQTT-3.8.3-3": "A SUBSCRIBE must contain at least one topic filter.",
  "MQTT-3-8.3-4": "A SUBSCRIBE requested QoS byte has reserved bits set or asks for QoS 3.",
  "MQTT-3.9.3-2": "A SUBACK return code is not 0, 1, 2 or 0x80.",
  "MQTT-3.10.3-2": "An UNSUBSCRIBE must contain at least one topic filter.",
  "MQTT-4.7.1-2": "'#' must be the last character of a topic filter and fill a whole level.",
  "MQTT-4.7.1-3": "'+' must fill a whole level of a topic filter.",
  "MQTT-4.7.3-1": "Topic names and topic filters must be at least one character long.",
  "mqtt-remaining-length": "The remaining length field runs past 4 bytes.",
  "mqtt-packet-too-large": "The packet is larger than allowed (the configured maximum, or 268,435,455 bytes of remaining length).",
  "mqtt-packet-length": "The packet's remaining length does not match its contents.",
  "mqtt-packet-type": "Reserved packet type, or one this side never receives.",
  "mqtt-connack-reserved": "CONNACK uses reserved values: acknowledge flags bits 7-1 must be 0, return codes above 5 are reserved.",
  "mqtt-string-length": "A string or binary field is longer than 65,535 bytes.",
  "mqtt-keepalive": "The keep alive must be a whole number of seconds from 0 to 65,535.",
  "mqtt-field-type": "A packet field has the wrong type (a topic, client id or user name that is not a string, a payload or password that is not bytes, a list that is not an array).",
};

// The sentence for a code (host spelling or the board's short one), or the code itself when
// none is known.
export function describe(code: string): string {
  const c = hostCode(code);
  return Object.prototype.hasOwnProperty.call(ERROR_TEXT, c) ? ERROR_TEXT[c] : code;
}

// --- MQTT client (shared/mqtt/client.ts); "connack-" + return code 1..5 (MQTT 3.1.1 Table 3.1).
export const CONNACK_TEXT: { [rc: number]: string } = {
  1: "Connection refused: unacceptable protocol version (the server does not support MQTT 3.1.1).",
  2: "Connection refused: identifier rejected (client id not allowed by the server).",
  3: "Connection refused: server unavailable (the MQTT service is up but not accepting connections).",
  4: "Connection refused: bad user name or password.",
  5: "Connection refused: not authorized.",
};
export const MQTT_CLIENT_TEXT: { [code: string]: string } = {
  "connect-timeout": "No CONNACK (or no transport) within the timeout; the connection was dropped and will be retried.",
  "ping-timeout": "No answer to PINGREQ within the timeout: the connection is dead and will be re-established.",
  "queue-full": "The outgoing queue is full (broker unreachable or in-flight window exhausted); the message was not queued.",
};
for (let rc = 1; rc <= 5; rc++) MQTT_CLIENT_TEXT[CQ.CONNACK_REFUSED + rc] = CONNACK_TEXT[rc];
for (const code in MQTT_CLIENT_TEXT) ERROR_TEXT[code] = MQTT_CLIENT_TEXT[code];

// --- the board's short codes (constants.board.ts, codes.board.ts: same names, other values)
const BOARD_CODES: { [board: string]: string } = {};
for (const [host, board] of [
  [MQ, MB],
  [CQ, CB],
  [WQ, WB],
  [BQ, BB],
] as Array<[{ [k: string]: unknown }, { [k: string]: unknown }]>) {
  for (const k in board) if (k !== "CONNACK_REFUSED" && typeof board[k] === "string") BOARD_CODES[board[k] as string] = host[k] as string;
}
for (let rc = 1; rc <= 5; rc++) BOARD_CODES[CB.CONNACK_REFUSED + rc] = CQ.CONNACK_REFUSED + rc;

// The host spelling of a code the board raised ("m24" -> "MQTT-3.3.2-2"); other codes unchanged.
export function hostCode(code: string): string {
  return Object.prototype.hasOwnProperty.call(BOARD_CODES, code) ? BOARD_CODES[code] : code;
}

// --- WebSocket (RFC 6455 section + suffix; shared/ws/). closeCodeOf() in shared/ws/receiver.ts
// gives the status code each is closed with: 1009 for WS-10.4-size, 1007 for the "utf8" ones,
// 1002 otherwise. The WS-4.x codes fail the opening handshake (no Close frame is sent).
const WS_TEXT: { [code: string]: string } = {
  "WS-4.1-status": "The server answered the WebSocket handshake with a status other than 101.",
  "WS-4.1-upgrade": 'The handshake answer lacks "Upgrade: websocket" or a Connection header listing "upgrade".',
  "WS-4.1-accept": "Sec-WebSocket-Accept is missing or is not base64(SHA-1(key + GUID)) of the key we sent.",
  "WS-4.1-extension": "The server named a WebSocket extension, but none was offered.",
  "WS-4.1-protocol": "The server chose a subprotocol that was not offered, several, or none when one was required.",
  "WS-4.1-size": "The handshake answer's head exceeds 4 KB without ending.",
  "WS-4.2.1-request": "Not a WebSocket upgrade request (GET, Upgrade: websocket, Sec-WebSocket-Key, version 13).",
  "WS-5.1-masked": "A frame from the server is masked (servers must not mask).",
  "WS-5.1-unmasked": "A frame from the client is not masked (clients must mask every frame).",
  "WS-5.2-rsv": "A reserved bit (RSV1-3) is set, but no extension was negotiated.",
  "WS-5.2-opcode": "Reserved opcode (3-7 or 11-15).",
  "WS-5.2-length": "The most significant bit of a 64-bit payload length is set.",
  "WS-5.4-continuation": "A continuation frame arrived with no fragmented message in progress.",
  "WS-5.4-interleaved": "A new text or binary frame arrived before the fragmented message in progress ended.",
  "WS-5.5-fragmented": "A control frame (close, ping, pong) without FIN: control frames cannot be fragmented.",
  "WS-5.5-length": "A control frame's payload exceeds 125 bytes.",
  "WS-5.5.1-length": "A Close frame with a 1-byte body (a status code takes 2).",
  "WS-5.5.1-utf8": "The reason in a Close frame is not valid UTF-8.",
  "WS-7.4-code": "A Close frame carries a status code that may not be sent (below 1000, 1004-1006, 1015-2999, 5000 and up).",
  "WS-8.1-utf8": "A text message is not valid UTF-8.",
  "WS-10.4-size": "The message is larger than this endpoint accepts (or than 2^53 - 1 bytes).",
};
for (const code in WS_TEXT) ERROR_TEXT[code] = WS_TEXT[code];

// --- board messages and JSON controls (the board's own checks of what it receives; the
// catalogue, docs/catalogue.md, says what each message is)
const MESSAGE_TEXT: { [code: string]: string } = {
  [BQ.E_MSG_LENGTH]: "A board message has the wrong length for its code.",
  [BQ.E_MSG_CMD]: "Unknown message code: not in the board's catalogue.",
  [BQ.E_MSG_RANGE]: "The message's value is outside the range its catalogue declares.",
  [BQ.E_MSG_NOT_COMMAND]: "A report was sent as a command.",
  [BQ.E_CONTROL_JSON]: "The JSON control is not a JSON object.",
  [BQ.E_CONTROL_UNKNOWN]: "Unknown control: no command of the board's catalogue has that alias.",
  [BQ.E_CONTROL_UNIT]: "Wrong unit for the control (it must be the command's declared unit, or left out).",
  [BQ.E_CONTROL_TYPE]: "The control's value must be a finite number.",
  [BQ.E_CONTROL_RANGE]: "The control's value is outside the range its command declares.",
};
for (const code in MESSAGE_TEXT) ERROR_TEXT[code] = MESSAGE_TEXT[code];
