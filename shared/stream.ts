// The stream machine MQTT and WebSocket share: units (packets, frames) arrive in chunks cut
// anywhere; each starts with a header that tells the unit's whole size. head(b, i, n) checks
// the header at b[i] and returns that size, or 0 when b[i..n) ends inside the header; it throws
// to refuse the stream. unit(b, i, e) gets each whole unit b[i..e).
//
// A unit that arrives whole in one chunk is handed over in place (callers may take views of it,
// so a chunk's memory must not be reused after it is pushed). A unit split across chunks is
// joined once, when its last byte arrives; until then only the bytes received are held, so a
// hostile length costs nothing up front and head() can refuse it before anything is allocated.
import { alloc, put, view, type Bytes } from "./bytes";

// The parts laid end to end in one new array (n: their total length).
export function join(parts: Bytes[], n: number): Bytes {
  const b = alloc(n);
  for (let k = 0, o = 0; k < parts.length; o += parts[k++].length) put(b, parts[k], o);
  return b;
}

export function framer(head: (this: void, b: Bytes, i: number, n: number) => number, unit: (this: void, b: Bytes, i: number, e: number) => void): (this: void, chunk: Bytes) => void {
  // bytes of an unfinished unit as received (views of pushed chunks), their count, and the
  // unit's size (0 while its header is incomplete: then at most a header's bytes are held)
  let held: Bytes[] = [];
  let count = 0;
  let want = 0;
  return function (chunk: Bytes): void {
    let b = chunk;
    if (count) {
      held.push(b);
      count += b.length;
      if (count < want) return;
      b = join(held, count);
      count = 0;
      held = [];
    }
    const n = b.length;
    for (let i = 0; i < n; ) {
      const t = head(b, i, n);
      if (!t || i + t > n) {
        held = [view(b, i, n)];
        count = n - i;
        want = t;
        return;
      }
      unit(b, i, (i += t));
    }
  };
}
