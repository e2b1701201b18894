export { Encoder, VirtualBoard, type VirtualBoardOptions } from "./board";
export { PROFILES, NODEMCU, type BoardName, type BoardProfile, type PinMap } from "./profile";
export type { WifiOptions } from "./wifi";
export { isComplete } from "./repl";
