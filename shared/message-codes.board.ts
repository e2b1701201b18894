// Board spelling of message-codes.ts (same names): every string in the bundle costs bytes.
export const E_MSG_LENGTH = "b1";
export const E_MSG_CMD = "b2";
export const E_MSG_RANGE = "b3";
export const E_MSG_NOT_COMMAND = "b4";
export const E_CONTROL_JSON = "b5";
export const E_CONTROL_UNKNOWN = "b6";
export const E_CONTROL_UNIT = "b7";
export const E_CONTROL_TYPE = "b8";
export const E_CONTROL_RANGE = "b9";
