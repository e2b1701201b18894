export { VirtualBoard, type VirtualBoardOptions } from "./board";
export { Encoder } from "./encoder";
export { PROFILES, NODEMCU, type BoardName, type BoardProfile, type PinMap } from "./profile";
export type { WifiOptions } from "./wifi";
export { isComplete } from "./repl";
