// IEEE 754 binary32 <-> number with arithmetic only (no DataView, no bit tricks past 31
// bits), so the same code serves Espruino, Node and a Lua build. Rounds to nearest, ties to
// even, exactly as a float cast does in C.

function roundEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

// The 32-bit pattern as an unsigned number 0..2^32-1.
export function float32Bits(v: number): number {
  if (v !== v) return 0x7fc00000;
  const sign = v < 0 || 1 / v < 0 ? 2147483648 : 0;
  const a = Math.abs(v);
  if (a === Infinity) return sign + 0x7f800000;
  if (a === 0) return sign;
  let e = Math.floor(Math.log(a) / Math.LN2);
  if (Math.pow(2, e) > a) e--;
  if (Math.pow(2, e + 1) <= a) e++;
  if (e < -126) return sign + roundEven(a * Math.pow(2, 149)); // subnormal (or rounds up to the smallest normal)
  let m = roundEven((a / Math.pow(2, e)) * 8388608);
  if (m === 16777216) {
    m = 8388608;
    e++;
  }
  if (e > 127) return sign + 0x7f800000;
  return sign + (e + 127) * 8388608 + (m - 8388608);
}

export function float32FromBits(bits: number): number {
  const sign = bits >= 2147483648 ? -1 : 1;
  const rest = bits % 2147483648;
  const exp = Math.floor(rest / 8388608);
  const man = rest % 8388608;
  if (exp === 255) return man ? NaN : sign * Infinity;
  // scaled before the sign: on Lua 5.3, integer -1 * 0 is 0 (integers have no -0)
  if (exp === 0) return sign * (man * Math.pow(2, -149));
  return sign * (man + 8388608) * Math.pow(2, exp - 150);
}
