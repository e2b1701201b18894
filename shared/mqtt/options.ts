// Host-side check of the MQTT client's options, which double as its CONNECT packet: the
// generator's check() (keep alive an integer 0..65535, field types, will, user name and
// password rules), so a client never times its pings by a keep alive other than the one it
// sends. The board build swaps in options.board.ts, which checks nothing: the board's
// options come from its own runtime and config, and every function costs it RAM.
// A password or will payload given as a string is checked as its UTF-8 bytes: the encoder
// writes a string so (generator.ts wb), while a packet handed to encode() must hold bytes.
import { utf8Encode } from "../bytes";
import { check } from "./generator";
import type { ConnectPacket } from "./packet";

export function checkOptions(p: ConnectPacket): void {
  const pass: unknown = p.password;
  const w = p.will;
  const wp: unknown = w && w.payload;
  check({
    ...p,
    password: typeof pass === "string" ? utf8Encode(pass) : p.password,
    will: w && typeof wp === "string" ? { ...w, payload: utf8Encode(wp) } : w,
  });
}
