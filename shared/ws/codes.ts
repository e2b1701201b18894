// RFC 6455 error codes raised by shared/ws (section + suffix), in one module so that the board
// build can swap in codes.board.ts (short codes, same names) through scripts/device-bundle.mjs;
// shared/error-text.ts explains both spellings. closeCodeOf() in receiver.ts maps them to
// status codes by identity, never by spelling.
export const E_WS_HEAD_SIZE = "WS-4.1-size"; // handshake answer head over 4 KB
export const E_WS_STATUS = "WS-4.1-status";
export const E_WS_UPGRADE = "WS-4.1-upgrade";
export const E_WS_ACCEPT = "WS-4.1-accept";
export const E_WS_EXTENSION = "WS-4.1-extension";
export const E_WS_PROTOCOL = "WS-4.1-protocol";
export const E_WS_REQUEST = "WS-4.2.1-request"; // server role
export const E_WS_MASKED = "WS-5.1-masked";
export const E_WS_UNMASKED = "WS-5.1-unmasked"; // server role
export const E_WS_RSV = "WS-5.2-rsv";
export const E_WS_OPCODE = "WS-5.2-opcode";
export const E_WS_LENGTH = "WS-5.2-length";
export const E_WS_CONTINUATION = "WS-5.4-continuation";
export const E_WS_INTERLEAVED = "WS-5.4-interleaved";
export const E_WS_FRAGMENTED = "WS-5.5-fragmented";
export const E_WS_CONTROL_LENGTH = "WS-5.5-length";
export const E_WS_CLOSE_LENGTH = "WS-5.5.1-length";
export const E_WS_CLOSE_UTF8 = "WS-5.5.1-utf8"; // closed with 1007
export const E_WS_CLOSE_CODE = "WS-7.4-code";
export const E_WS_UTF8 = "WS-8.1-utf8"; // closed with 1007
export const E_WS_SIZE = "WS-10.4-size"; // closed with 1009
