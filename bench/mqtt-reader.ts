// MQTT packets from a byte stream, for the benches' raw clients: onPacket gets each packet's
// type and flags, the bytes it lies in, where its variable header starts and where it ends.
import type { Bytes } from "../shared/bytes";
import { framer } from "../shared/stream";

export function mqttReader(onPacket: (type: number, flags: number, b: Bytes, body: number, end: number) => void): (b: Bytes) => void {
  let h = 0; // the fixed header's size of the packet being framed
  return framer(
    (b, i, n) => {
      let k = i + 1;
      let v = 0;
      let m = 1;
      let c: number;
      do {
        if (k >= n) return 0;
        c = b[k++];
        v += (c & 127) * m;
        m *= 128;
      } while (c & 128);
      h = k - i;
      return h + v;
    },
    (b, i, e) => onPacket(b[i] >> 4, b[i] & 15, b, i + h, e),
  );
}
