// Host-only sentences for the codes shared/mqtt/client.ts raises (the board carries only the
// codes). Codec codes are explained by shared/error-text.ts.

// MQTT 3.1.1 Table 3.1, CONNACK return codes 1-5.
export const CONNACK_TEXT: { [rc: number]: string } = {
  1: "Connection refused: unacceptable protocol version (the server does not support MQTT 3.1.1).",
  2: "Connection refused: identifier rejected (client id not allowed by the server).",
  3: "Connection refused: server unavailable (the MQTT service is up but not accepting connections).",
  4: "Connection refused: bad user name or password.",
  5: "Connection refused: not authorized.",
};

export const MQTT_CLIENT_TEXT: { [code: string]: string } = {
  "connack-1": CONNACK_TEXT[1],
  "connack-2": CONNACK_TEXT[2],
  "connack-3": CONNACK_TEXT[3],
  "connack-4": CONNACK_TEXT[4],
  "connack-5": CONNACK_TEXT[5],
  "connect-timeout": "No CONNACK (or no transport) within the timeout; the connection was dropped and will be retried.",
  "ping-timeout": "No answer to PINGREQ within the timeout: the connection is dead and will be re-established.",
  "queue-full": "The outgoing queue is full (broker unreachable or in-flight window exhausted); the message was not queued.",
};
