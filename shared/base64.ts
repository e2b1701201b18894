// Base64 encoding (RFC 4648, with padding). Only the encoder: the WebSocket client needs it
// for Sec-WebSocket-Key and to compute the expected Sec-WebSocket-Accept, never to decode.
import { Bytes } from "./bytes";

const A = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

export function base64(b: Bytes): string {
  const n = b.length;
  let s = "";
  for (let i = 0; i < n; i += 3) {
    const v = (b[i] << 16) | (i + 1 < n ? b[i + 1] << 8 : 0) | (i + 2 < n ? b[i + 2] : 0);
    // Characters past the input's last byte (n - i < 3) are padding.
    for (let j = 0; j < 4; j++) s += j <= n - i ? A.charAt((v >> (18 - 6 * j)) & 63) : "=";
  }
  return s;
}
