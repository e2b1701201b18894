// Board spelling of client-codes.ts (swapped in by scripts/device-bundle.mjs).
export const E_QUEUE_FULL = "q";
export const CONNACK_REFUSED = "c"; // "c1".."c5"
export const E_CONNECT_TIMEOUT = "ct";
export const E_PING_TIMEOUT = "pt";
