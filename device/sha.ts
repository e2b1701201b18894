// SHA-1 for the WebSocket handshake: Espruino's require("crypto").SHA1 (it takes a string and
// returns an ArrayBuffer) adapted to Bytes, or shared/sha1.ts where crypto is absent. The
// ESP8266 build always has crypto.SHA1 and is short of flash, so its bundle leaves the
// fallback out (about 0.9 KB).
import { fromBinaryString, type Bytes } from "../shared/bytes";
import { sha1 } from "../shared/sha1";

export function boardSha1(): (b: Bytes) => Bytes {
  let c: any = null;
  try {
    c = global.require("crypto");
  } catch (e) {}
  return c && c.SHA1
    ? function (b: Bytes): Bytes {
        return fromBinaryString(E.toString(c.SHA1(E.toString(b))));
      }
    : PINWIRE_BOARD === "esp8266"
      ? (null as any)
      : sha1;
}
