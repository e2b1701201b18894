// Codes the MQTT client (client.ts) raises, apart from the codec's (constants.ts); explained
// in shared/error-text.ts. The board build swaps in client-codes.board.ts (same names, short
// codes) through scripts/device-bundle.mjs.
export const E_QUEUE_FULL = "queue-full";
export const CONNACK_REFUSED = "connack-"; // + the refusing return code, 1..5
export const E_CONNECT_TIMEOUT = "connect-timeout";
export const E_PING_TIMEOUT = "ping-timeout";
