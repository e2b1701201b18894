// Board spelling of shared/ws/codes.ts: the same names, 2-3 character codes ("w" + number).
// Swapped in by scripts/device-bundle.mjs; never renumber a code (boards in the field print them).
export const E_WS_HEAD_SIZE = "w1"; // WS-4.1-size
export const E_WS_STATUS = "w2"; // WS-4.1-status
export const E_WS_UPGRADE = "w3"; // WS-4.1-upgrade
export const E_WS_ACCEPT = "w4"; // WS-4.1-accept
export const E_WS_EXTENSION = "w5"; // WS-4.1-extension
export const E_WS_PROTOCOL = "w6"; // WS-4.1-protocol
export const E_WS_REQUEST = "w7"; // WS-4.2.1-request
export const E_WS_MASKED = "w8"; // WS-5.1-masked
export const E_WS_UNMASKED = "w9"; // WS-5.1-unmasked
export const E_WS_RSV = "w10"; // WS-5.2-rsv
export const E_WS_OPCODE = "w11"; // WS-5.2-opcode
export const E_WS_LENGTH = "w12"; // WS-5.2-length
export const E_WS_CONTINUATION = "w13"; // WS-5.4-continuation
export const E_WS_INTERLEAVED = "w14"; // WS-5.4-interleaved
export const E_WS_FRAGMENTED = "w15"; // WS-5.5-fragmented
export const E_WS_CONTROL_LENGTH = "w16"; // WS-5.5-length
export const E_WS_CLOSE_LENGTH = "w17"; // WS-5.5.1-length
export const E_WS_CLOSE_UTF8 = "w18"; // WS-5.5.1-utf8
export const E_WS_CLOSE_CODE = "w19"; // WS-7.4-code
export const E_WS_UTF8 = "w20"; // WS-8.1-utf8
export const E_WS_SIZE = "w21"; // WS-10.4-size
