import assert from "node:assert/strict";
import type { MatmulArgs } from "../../../src/backend/backend.js";
import type { DType, TypedArray } from "../../../src/backend/dtypes.js";
import { loadNativeAddon } from "../../../src/backend/native/addon.js";

/* Random inputs and comparisons shared by the native kernels' cross-checks against the reference. */

/** Seeded xorshift32. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, -0.5, 1.5, 2.5, -2.5, 1e-30, -1e-30, 3e38, -3e38, 88.5, -104, 1e-45];

/** Random float32 values: mostly in [-4, 4), some specials, some large. */
export function floats(n: number, r: () => number, specials = true): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = r();
    if (specials && u < 0.06) out[i] = SPECIAL[Math.floor(r() * SPECIAL.length)];
    else if (u < 0.1) out[i] = (r() - 0.5) * 2e6;
    else if (u < 0.15) out[i] = Math.round((r() - 0.5) * 8) / 2;
    else out[i] = (r() - 0.5) * 8;
  }
  return out;
}
/** Uniform in [-1, 1). */
export function uniform(n: number, r: () => number): Float32Array {
  return Float32Array.from({ length: n }, () => r() * 2 - 1);
}
export function ints(n: number, r: () => number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const u = r();
    out[i] = u < 0.05 ? [2147483647, -2147483648, 0, 65536, -65536][Math.floor(r() * 5)] : Math.floor((r() - 0.5) * 20);
  }
  return out;
}
export function bytes(n: number, r: () => number, bool: boolean): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = bool ? (r() < 0.5 ? 1 : 0) : Math.floor(r() * 256);
  return out;
}
export function arrayOf(dtype: DType, n: number, r: () => number): TypedArray {
  return dtype === "float32" ? floats(n, r) : dtype === "int32" ? ints(n, r) : bytes(n, r, dtype === "bool");
}

export const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** Float32 units in the last place between two floats (0 for equal, and for NaN vs NaN). */
export function ulps(a: number, b: number): number {
  if (Number.isNaN(a) && Number.isNaN(b)) return 0;
  if (a === b) return Object.is(a, b) || a !== 0 ? 0 : 1;
  if (!Number.isFinite(a) || !Number.isFinite(b) || Number.isNaN(a) || Number.isNaN(b)) return Infinity;
  const f = new Float32Array([a, b]);
  const i = new Int32Array(f.buffer);
  const key = (v: number) => (v < 0 ? -2147483648 - v : v);
  return Math.abs(key(i[0]) - key(i[1]));
}

export function assertSame(got: TypedArray, want: TypedArray, what: string, maxUlps = 0): void {
  assert.equal(got.constructor.name, want.constructor.name, `${what}: storage type`);
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const g = got[i], w = want[i];
    if (Object.is(g, w) || (Number.isNaN(g) && Number.isNaN(w))) continue;
    if (maxUlps > 0 && got instanceof Float32Array && ulps(g, w) <= maxUlps) continue;
    assert.fail(`${what}: element ${i} is ${g}, reference ${w}`);
  }
}

/** |got - want| <= tol * scale[i] (NaN / Inf must match exactly). */
export function assertClose(got: TypedArray, want: TypedArray, scale: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(got.constructor.name, want.constructor.name, `${what}: storage type`);
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const g = got[i], w = want[i];
    if (!Number.isFinite(w) || !Number.isFinite(g)) {
      if (Object.is(g, w) || (Number.isNaN(g) && Number.isNaN(w))) continue;
      // Terms beyond float32's range: float32 accumulation may overflow where float64 did not.
      if (!(scale[i] <= 3.4e38)) continue;
      assert.fail(`${what}: element ${i} is ${g}, reference ${w}`);
    }
    const bound = tol * scale[i] + 1e-30;
    if (Math.abs(g - w) > bound) assert.fail(`${what}: element ${i} is ${g}, reference ${w} (bound ${bound})`);
  }
}

function isaLevels(): ("avx512" | "avx2" | "c")[] {
  const loaded = loadNativeAddon();
  if ("error" in loaded) return [];
  const best = loaded.addon.info().isa;
  return best === "avx512" ? ["avx512", "avx2", "c"] : best === "avx2" ? ["avx2", "c"] : ["c"];
}

/** Runs `fn` once per SIMD level the CPU has, restoring the best level afterwards. */
export function forEachIsa(fn: (isa: string) => void): void {
  const loaded = loadNativeAddon();
  if ("error" in loaded) return;
  const levels = isaLevels();
  try {
    for (const isa of levels) {
      loaded.addon.setIsa(isa);
      fn(isa);
    }
  } finally {
    loaded.addon.setIsa(levels[0]);
  }
}

/**
 * Integer results of a libm function (exp of an int32 array stored as int32): equal, except where
 * the float64 result wraps (|real| >= 2^31, `real` being the float32 result): libm and V8 may
 * differ in its last bit, and the wrap turns that into any integer.
 */
export function assertSameWrapped(got: TypedArray, want: TypedArray, real: Float32Array, what: string): void {
  assert.equal(got.constructor.name, want.constructor.name, `${what}: storage type`);
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    if (got[i] === want[i] || Math.abs(real[i]) >= 2 ** 31) continue;
    assert.fail(`${what}: element ${i} is ${got[i]}, reference ${want[i]}`);
  }
}

/** The error bound of any summation order for each output of a matmul: the sum of its |a||b| terms. */
export function matmulScale(a: TypedArray, b: TypedArray, args: MatmulArgs): Float64Array {
  const { batch, m, n, k, transA, transB } = args;
  const scale = new Float64Array(batch * m * n);
  for (let bi = 0; bi < batch; bi++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          const av = a[bi * args.aBatchStride + (transA ? p * m + i : i * k + p)];
          const bv = b[bi * args.bBatchStride + (transB ? j * k + p : p * n + j)];
          s += Math.abs(av * bv);
        }
        scale[(bi * m + i) * n + j] = s;
      }
  return scale;
}
