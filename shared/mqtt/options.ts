// Host-side check of the MQTT client's options, which double as its CONNECT packet: the
// generator's check() (keep alive an integer 0..65535, field types, will, user name and
// password rules), so a client never times its pings by a keep alive other than the one it
// sends. The board build swaps in options.board.ts, which checks nothing: the board's
// options come from its own runtime and config, and every function costs it RAM.
import { check } from "./generator";
import type { ConnectPacket } from "./packet";

export function checkOptions(p: ConnectPacket): void {
  check(p);
}
