/** xorshift32 values in [lo, hi): deterministic test inputs, the same on every run and machine. */
export function randomValues(n: number, seed = 1, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = lo + (s / 4294967296) * (hi - lo);
  }
  return out;
}
