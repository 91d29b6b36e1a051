/*
 * The string hashes behind Keras's `Hashing` layer and the extra OOV buckets of the lookup
 * layers, so that a string lands in the same bin as in Keras (which runs TensorFlow's
 * `strings.to_hash_bucket_fast` / `_strong`):
 *   - fast: FarmHash's Fingerprint64 (farmhashna::Hash64) of the UTF-8 bytes, modulo the bins;
 *   - strong: SipHash-2-4 with the 128-bit key [salt0, salt1], modulo the bins.
 * 64-bit arithmetic on BigInt, wrapped to 64 bits after every operation.
 */

const MASK = (1n << 64n) - 1n;
const K0 = 0xc3a5c85c97cb3127n;
const K1 = 0xb492b66fbe98f273n;
const K2 = 0x9ae16a3b2f90404fn;

const wrap = (v: bigint): bigint => v & MASK;
const mul = (a: bigint, b: bigint): bigint => (a * b) & MASK;
const add = (...vs: bigint[]): bigint => vs.reduce((s, v) => s + v, 0n) & MASK;
/** Rotate right, as FarmHash's Rotate64. */
const rotr = (v: bigint, shift: number): bigint => (shift === 0 ? v : wrap((v >> BigInt(shift)) | (v << BigInt(64 - shift))));
const rotl = (v: bigint, shift: number): bigint => wrap((v << BigInt(shift)) | (v >> BigInt(64 - shift)));
const shiftMix = (v: bigint): bigint => v ^ (v >> 47n);

function fetch64(s: Uint8Array, at: number): bigint {
  let v = 0n;
  for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(s[at + i]);
  return v;
}

function fetch32(s: Uint8Array, at: number): bigint {
  return BigInt(s[at] | (s[at + 1] << 8) | (s[at + 2] << 16)) + (BigInt(s[at + 3]) << 24n);
}

function hashLen16(u: bigint, v: bigint, m: bigint): bigint {
  let a = mul(u ^ v, m);
  a ^= a >> 47n;
  let b = mul(v ^ a, m);
  b ^= b >> 47n;
  return mul(b, m);
}

function hashLen0to16(s: Uint8Array, len: number): bigint {
  if (len >= 8) {
    const m = add(K2, BigInt(len * 2));
    const a = add(fetch64(s, 0), K2);
    const b = fetch64(s, len - 8);
    const c = add(mul(rotr(b, 37), m), a);
    const d = mul(add(rotr(a, 25), b), m);
    return hashLen16(c, d, m);
  }
  if (len >= 4) {
    const m = add(K2, BigInt(len * 2));
    const a = fetch32(s, 0);
    return hashLen16(add(BigInt(len), a << 3n), fetch32(s, len - 4), m);
  }
  if (len > 0) {
    const y = BigInt(s[0]) + (BigInt(s[len >> 1]) << 8n);
    const z = BigInt(len) + (BigInt(s[len - 1]) << 2n);
    // y and z are uint32 in C: their products wrap to 64 bits.
    return mul(shiftMix(mul(y, K2) ^ mul(z, K0)), K2);
  }
  return K2;
}

function hashLen17to32(s: Uint8Array, len: number): bigint {
  const m = add(K2, BigInt(len * 2));
  const a = mul(fetch64(s, 0), K1);
  const b = fetch64(s, 8);
  const c = mul(fetch64(s, len - 8), m);
  const d = mul(fetch64(s, len - 16), K2);
  return hashLen16(add(rotr(add(a, b), 43), rotr(c, 30), d), add(a, rotr(add(b, K2), 18), c), m);
}

function weakHashLen32WithSeeds(s: Uint8Array, at: number, a: bigint, b: bigint): [bigint, bigint] {
  const w = fetch64(s, at);
  const x = fetch64(s, at + 8);
  const y = fetch64(s, at + 16);
  const z = fetch64(s, at + 24);
  a = add(a, w);
  b = rotr(add(b, a, z), 21);
  const c = a;
  a = add(a, x, y);
  b = add(b, rotr(a, 44));
  return [add(a, z), add(b, c)];
}

function hashLen33to64(s: Uint8Array, len: number): bigint {
  const m = add(K2, BigInt(len * 2));
  const a = mul(fetch64(s, 0), K2);
  const b = fetch64(s, 8);
  const c = mul(fetch64(s, len - 8), m);
  const d = mul(fetch64(s, len - 16), K2);
  const y = add(rotr(add(a, b), 43), rotr(c, 30), d);
  const z = hashLen16(y, add(a, rotr(add(b, K2), 18), c), m);
  const e = mul(fetch64(s, 16), m);
  const f = fetch64(s, 24);
  const g = mul(add(y, fetch64(s, len - 32)), m);
  const h = mul(add(z, fetch64(s, len - 24)), m);
  return hashLen16(add(rotr(add(e, f), 43), rotr(g, 30), h), add(e, rotr(add(f, a), 18), g), m);
}

/** FarmHash Fingerprint64 (farmhashna::Hash64) of bytes. */
export function fingerprint64(s: Uint8Array): bigint {
  const len = s.length;
  if (len <= 16) return hashLen0to16(s, len);
  if (len <= 32) return hashLen17to32(s, len);
  if (len <= 64) return hashLen33to64(s, len);
  const seed = 81n;
  let x = seed;
  let y = add(mul(seed, K1), 113n);
  let z = mul(shiftMix(add(mul(y, K2), 113n)), K2);
  let v: [bigint, bigint] = [0n, 0n];
  let w: [bigint, bigint] = [0n, 0n];
  x = add(mul(x, K2), fetch64(s, 0));
  const end = Math.floor((len - 1) / 64) * 64;
  const last64 = len - 64;
  let at = 0;
  do {
    x = mul(rotr(add(x, y, v[0], fetch64(s, at + 8)), 37), K1);
    y = mul(rotr(add(y, v[1], fetch64(s, at + 48)), 42), K1);
    x ^= w[1];
    y = add(y, v[0], fetch64(s, at + 40));
    z = mul(rotr(add(z, w[0]), 33), K1);
    v = weakHashLen32WithSeeds(s, at, mul(v[1], K1), add(x, w[0]));
    w = weakHashLen32WithSeeds(s, at + 32, add(z, w[1]), add(y, fetch64(s, at + 16)));
    [z, x] = [x, z];
    at += 64;
  } while (at !== end);
  const m = add(K1, (z & 0xffn) << 1n);
  at = last64;
  w[0] = add(w[0], BigInt((len - 1) & 63));
  v[0] = add(v[0], w[0]);
  w[0] = add(w[0], v[0]);
  x = mul(rotr(add(x, y, v[0], fetch64(s, at + 8)), 37), m);
  y = mul(rotr(add(y, v[1], fetch64(s, at + 48)), 42), m);
  x ^= mul(w[1], 9n);
  y = add(y, mul(v[0], 9n), fetch64(s, at + 40));
  z = mul(rotr(add(z, w[0]), 33), m);
  v = weakHashLen32WithSeeds(s, at, mul(v[1], m), add(x, w[0]));
  w = weakHashLen32WithSeeds(s, at + 32, add(z, w[1]), add(y, fetch64(s, at + 16)));
  [z, x] = [x, z];
  return hashLen16(add(hashLen16(v[0], w[0], m), mul(shiftMix(y), K0), z), add(hashLen16(v[1], w[1], m), x), m);
}

/** SipHash-2-4 of bytes with the 128-bit key [k0, k1]. */
export function sipHash24(s: Uint8Array, k0: bigint, k1: bigint): bigint {
  let v0 = k0 ^ 0x736f6d6570736575n;
  let v1 = k1 ^ 0x646f72616e646f6dn;
  let v2 = k0 ^ 0x6c7967656e657261n;
  let v3 = k1 ^ 0x7465646279746573n;
  const round = () => {
    v0 = add(v0, v1);
    v1 = rotl(v1, 13) ^ v0;
    v0 = rotl(v0, 32);
    v2 = add(v2, v3);
    v3 = rotl(v3, 16) ^ v2;
    v0 = add(v0, v3);
    v3 = rotl(v3, 21) ^ v0;
    v2 = add(v2, v1);
    v1 = rotl(v1, 17) ^ v2;
    v2 = rotl(v2, 32);
  };
  const len = s.length;
  const whole = len - (len % 8);
  for (let at = 0; at < whole; at += 8) {
    const m = fetch64(s, at);
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }
  let last = BigInt(len & 0xff) << 56n;
  for (let i = len - 1; i >= whole; i--) last |= BigInt(s[i]) << BigInt(8 * (i - whole));
  v3 ^= last;
  round();
  round();
  v0 ^= last;
  v2 ^= 0xffn;
  round();
  round();
  round();
  round();
  return v0 ^ v1 ^ v2 ^ v3;
}

const encoder = new TextEncoder();

/** TensorFlow's `strings.to_hash_bucket_fast`: Fingerprint64 of the UTF-8 bytes modulo `bins`. */
export function hashBucketFast(value: string, bins: number): number {
  return Number(fingerprint64(encoder.encode(value)) % BigInt(bins));
}

/** TensorFlow's `strings.to_hash_bucket_strong` with key [salt0, salt1]. */
export function hashBucketStrong(value: string, bins: number, salt: readonly [number, number]): number {
  return Number(sipHash24(encoder.encode(value), BigInt.asUintN(64, BigInt(salt[0])), BigInt.asUintN(64, BigInt(salt[1]))) % BigInt(bins));
}
