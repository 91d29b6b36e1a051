/*
 * The pseudo-random number generator behind `keras.random`: xoshiro128** (Blackman & Vigna), keyed
 * by a Keras seed pair `[seed, counter]`. Every draw builds a fresh generator from its pair, so a
 * pair always gives the same numbers (Keras's stateless random ops), and pairs that differ in
 * either word give unrelated streams.
 *
 * The samplers fill a typed array their caller allocated, in plain loops over it.
 */

/** MurmurHash3's 32-bit finalizer: a bijection of uint32 with full avalanche. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Reduces an integer seed (any safe integer, negative included) to 32 bits: the identity on
 * [0, 2^32), a hash of both halves above.
 */
export function foldSeed(seed: number): number {
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 4294967296) >>> 0;
  return hi === 0 ? lo : fmix32(lo ^ fmix32(hi ^ 0x27d4eb2f));
}

const TWO_POW_MINUS_32 = 2.3283064365386963e-10;
const TWO_POW_MINUS_24 = 5.960464477539063e-8;

/** xoshiro128**: 128 bits of state, period 2^128 - 1, 32-bit outputs. */
export class Xoshiro128 {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** The generator for the seed pair `[seed, counter]` (each taken modulo 2^32). */
  constructor(seed: number, counter: number) {
    // (seed, counter) -> (s0, s1) is one-to-one; s2 and s3 mix both.
    this.s0 = fmix32((seed ^ 0x9e3779b9) >>> 0);
    this.s1 = fmix32((counter ^ 0x85ebca6b) >>> 0);
    this.s2 = fmix32((this.s0 + 0x632be5ab) ^ this.s1);
    this.s3 = fmix32((this.s1 + 0x7f4a7c15) ^ this.s0 ^ 0x5bd1e995);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
    for (let i = 0; i < 8; i++) this.nextUint32();
  }

  /** A uniform integer in [0, 2^32). */
  nextUint32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result >>> 0;
  }

  /** A uniform float in [0, 1) with 24 random bits: exactly representable in float32. */
  nextFloat24(): number {
    return (this.nextUint32() >>> 8) * TWO_POW_MINUS_24;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The largest float32 below `x` (for finite x). */
export function float32Below(x: number): number {
  f32[0] = x;
  const v = f32[0];
  if (v > x) return float32Below(v);
  if (v < x) return v;
  if (v === 0) return -1.401298464324817e-45;
  if (v > 0) u32[0] -= 1;
  else u32[0] += 1;
  return f32[0];
}

/** Uniform samples in [minval, maxval). */
export function fillUniform(out: Float32Array, minval: number, maxval: number, rng: Xoshiro128): void {
  const range = maxval - minval;
  const n = out.length;
  if (range === 0) {
    out.fill(minval);
    return;
  }
  const top = float32Below(maxval);
  for (let i = 0; i < n; i++) {
    out[i] = minval + rng.nextFloat24() * range;
    // Rounding to float32 can land on maxval itself; the bound is exclusive.
    if (out[i] >= maxval) out[i] = top;
  }
}

/** Normal samples by the Box-Muller transform, two per pair of uniform draws. */
export function fillNormal(out: Float32Array, mean: number, stddev: number, rng: Xoshiro128): void {
  const n = out.length;
  for (let i = 0; i < n; i += 2) {
    // u1 in (0, 1] keeps the logarithm finite; 32 bits reach 6.6 standard deviations.
    const u1 = (rng.nextUint32() + 1) * TWO_POW_MINUS_32;
    const theta = 2 * Math.PI * rng.nextUint32() * TWO_POW_MINUS_32;
    const r = stddev * Math.sqrt(-2 * Math.log(u1));
    out[i] = mean + r * Math.cos(theta);
    if (i + 1 < n) out[i + 1] = mean + r * Math.sin(theta);
  }
}

/**
 * Normal samples more than two standard deviations from the mean redrawn, as Keras's
 * `truncated_normal` does.
 */
export function fillTruncatedNormal(out: Float32Array, mean: number, stddev: number, rng: Xoshiro128): void {
  const n = out.length;
  let i = 0;
  while (i < n) {
    const u1 = (rng.nextUint32() + 1) * TWO_POW_MINUS_32;
    const theta = 2 * Math.PI * rng.nextUint32() * TWO_POW_MINUS_32;
    const r = Math.sqrt(-2 * Math.log(u1));
    const z0 = r * Math.cos(theta);
    const z1 = r * Math.sin(theta);
    if (z0 >= -2 && z0 <= 2) out[i++] = mean + stddev * z0;
    if (i < n && z1 >= -2 && z1 <= 2) out[i++] = mean + stddev * z1;
  }
}

/** Uniform integers in [minval, maxval); the range must be at most 2^32. */
export function fillRandint(out: Int32Array | Uint8Array, minval: number, maxval: number, rng: Xoshiro128): void {
  const range = maxval - minval;
  const scale = range * TWO_POW_MINUS_32;
  const last = range - 1;
  const n = out.length;
  for (let i = 0; i < n; i++) {
    let k = Math.floor(rng.nextUint32() * scale);
    if (k > last) k = last;
    out[i] = minval + k;
  }
}

/** Dropout's mask: `scale` with probability `keepProb`, else 0. */
export function fillKeepMask(out: Float32Array, keepProb: number, scale: number, rng: Xoshiro128): void {
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = rng.nextUint32() * TWO_POW_MINUS_32 < keepProb ? scale : 0;
}

/** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
export function fillPermutation(out: Int32Array, rng: Xoshiro128): void {
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = n - 1; i > 0; i--) {
    let j = Math.floor(rng.nextUint32() * TWO_POW_MINUS_32 * (i + 1));
    if (j > i) j = i;
    const tmp = out[i];
    out[i] = out[j];
    out[j] = tmp;
  }
}
