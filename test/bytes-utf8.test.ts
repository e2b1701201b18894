// utf8Encode/utf8Length against TextEncoder on random strings mixing every UTF-8 width and
// surrogate edge (lone high, lone low, pairs): the two must agree on every length.
import { expect, it } from "vitest";
import { utf8Encode, utf8Length } from "../shared/bytes";
it("random strings encode like TextEncoder", () => {
  const te = new TextEncoder();
  let seed = 5;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  const pool = [0x41, 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xe000, 0xfffd, 0xffff, 0xe9];
  for (let i = 0; i < 20000; i++) {
    let s = "";
    for (let k = rnd() % 6; k > 0; k--) s += String.fromCharCode(pool[rnd() % pool.length]);
    expect(Array.from(utf8Encode(s)), JSON.stringify(s)).toEqual(Array.from(te.encode(s)));
    expect(utf8Length(s)).toBe(te.encode(s).length);
  }
});
