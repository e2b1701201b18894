export { VirtualBoard, type VirtualBoardOptions, type Memory } from "./board";
export { Encoder } from "./encoder";
export { PROFILES, NODEMCU, type BoardName, type BoardProfile } from "./profile";
export type { BoardState } from "./protocol";
export type { WifiOptions } from "./wifi";
export { isComplete } from "./repl";
