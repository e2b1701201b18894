// The MQTT 3.1.1 codec's numbers and error codes, shared by the parser and the generator.
// Codes are the spec's normative statement ids where one exists (quoted as the spec spells
// them, including its "MQTT-3-8.3-4"); otherwise short kebab-case names. The explanations
// live host-side in shared/error-text.ts. The board build swaps in constants.board.ts (the
// same names with 2-3 character codes) through scripts/device-bundle.mjs.

// Remaining Length is at most four 7-bit groups (section 2.2.3).
export const MAX_REMAINING_LENGTH = 268435455;
// UTF-8 strings and binary fields carry a 16-bit length (sections 1.5.3, 3.1.3).
export const MAX_STRING_BYTES = 65535;
export const PROTOCOL_LEVEL = 4;

// --- spec statements
export const E_UTF8 = "MQTT-1.5.3-1"; // ill-formed UTF-8 (incl. surrogates, overlongs)
export const E_NUL = "MQTT-1.5.3-2"; // U+0000 in a string
export const E_FLAGS = "MQTT-2.2.2-2"; // fixed-header flag bits not as Table 2.2 lists
export const E_PACKET_ID = "MQTT-2.3.1-1"; // packet identifier 0 where one is required
export const E_PROTOCOL_NAME = "MQTT-3.1.2-1"; // CONNECT protocol name is not "MQTT"
export const E_PROTOCOL_LEVEL = "MQTT-3.1.2-2"; // unacceptable protocol level (answer CONNACK 1)
export const E_CONNECT_RESERVED = "MQTT-3.1.2-3"; // CONNECT flags bit 0 set
export const E_WILL_MISSING = "MQTT-3.1.2-9"; // will flag set, will topic/message absent
export const E_WILL_PRESENT = "MQTT-3.1.2-11"; // will flag 0 but bytes where the will topic would be
export const E_WILL_QOS_NO_WILL = "MQTT-3.1.2-13"; // will flag 0, will QoS not 0
export const E_WILL_QOS = "MQTT-3.1.2-14"; // will QoS 3
export const E_WILL_RETAIN_NO_WILL = "MQTT-3.1.2-15"; // will flag 0, will retain 1
export const E_USERNAME_PRESENT = "MQTT-3.1.2-18"; // user name flag 0 but bytes where it would be
export const E_USERNAME_MISSING = "MQTT-3.1.2-19"; // user name flag 1, user name absent
export const E_PASSWORD_PRESENT = "MQTT-3.1.2-20"; // password flag 0 but bytes where it would be
export const E_PASSWORD_MISSING = "MQTT-3.1.2-21"; // password flag 1, password absent
export const E_PASSWORD_NO_USERNAME = "MQTT-3.1.2-22"; // password flag without user name flag
export const E_CLIENT_ID_MISSING = "MQTT-3.1.3-3"; // CONNECT payload has no client identifier
export const E_EMPTY_ID_CLEAN = "MQTT-3.1.3-7"; // zero-byte client id needs CleanSession=1 (sender)
export const E_EMPTY_ID_REJECTED = "MQTT-3.1.3-8"; // zero-byte client id with CleanSession=0 (receiver, CONNACK 2)
export const E_SESSION_PRESENT = "MQTT-3.2.2-4"; // CONNACK refusal with Session Present set
export const E_DUP_QOS0 = "MQTT-3.3.1-2"; // DUP set on a QoS 0 PUBLISH
export const E_QOS3 = "MQTT-3.3.1-4"; // PUBLISH with both QoS bits set
export const E_TOPIC_WILDCARD = "MQTT-3.3.2-2"; // wildcard in a topic name
export const E_SUBSCRIBE_EMPTY = "MQTT-3.8.3-3"; // SUBSCRIBE without topic filters
export const E_SUBSCRIBE_QOS = "MQTT-3-8.3-4"; // requested QoS byte: reserved bits or QoS 3
export const E_SUBACK_CODE = "MQTT-3.9.3-2"; // SUBACK return code not 0, 1, 2 or 0x80
export const E_UNSUBSCRIBE_EMPTY = "MQTT-3.10.3-2"; // UNSUBSCRIBE without topic filters
export const E_MULTI_LEVEL = "MQTT-4.7.1-2"; // '#' not alone as the last level
export const E_SINGLE_LEVEL = "MQTT-4.7.1-3"; // '+' not filling a whole level
export const E_TOPIC_EMPTY = "MQTT-4.7.3-1"; // zero-length topic name or filter

// --- no normative id
export const E_REMAINING_LENGTH = "mqtt-remaining-length"; // more than 4 remaining-length bytes
export const E_TOO_LARGE = "mqtt-packet-too-large"; // over the parser's maximum, or over 268,435,455
export const E_LENGTH = "mqtt-packet-length"; // remaining length disagrees with the contents
export const E_TYPE = "mqtt-packet-type"; // reserved type (0, 15) or one this side never receives
export const E_CONNACK_RESERVED = "mqtt-connack-reserved"; // CONNACK flags bits 7-1 set, or return code above 5
export const E_STRING_LENGTH = "mqtt-string-length"; // string or binary field over 65,535 bytes
export const E_KEEPALIVE = "mqtt-keepalive"; // keep alive not an integer 0..65535 (sender, client options)
export const E_FIELD_TYPE = "mqtt-field-type"; // a field of the wrong type (topic not a string, payload not bytes...)
