// Why a board message or JSON control was refused (shared/messages.ts, device/runtime.ts). The
// board build swaps in message-codes.board.ts (short codes); hostCode() in error-text.ts maps
// them back to these.
export const E_MSG_LENGTH = "msg-length";
export const E_MSG_CMD = "msg-unknown-cmd";
export const E_MSG_RANGE = "msg-range";
export const E_MSG_NOT_COMMAND = "msg-not-command";
export const E_CONTROL_JSON = "control-json";
export const E_CONTROL_UNKNOWN = "control-unknown";
export const E_CONTROL_UNIT = "control-unit";
export const E_CONTROL_TYPE = "control-type";
export const E_CONTROL_RANGE = "control-range";
