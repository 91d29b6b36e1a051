import type { NormalizeArgs } from "../fused_kernels.js";
import type { Shape, TypedArray } from "../dtypes.js";
import { sizeOf } from "../shape.js";
import { canonicalize } from "./reduce.js";

/*
 * The normalize kernel (the rule is on `NormalizeArgs`). After size-1 axes are dropped and
 * neighbours merged, a leading kept axis splits x into independent blocks; each block is read
 * twice while it is in cache, once to accumulate the norms of its slices and once to write the
 * output, so nothing but the output is allocated at x's size.
 *
 * Inside a block an odometer walks the axes in row-major order with a tight loop over the innermost
 * one; `k` is the slice an element belongs to, so each slice is summed in the row-major order of
 * its elements (the order of the reference reduce kernel). One loop is generated per (input type,
 * kind of order, mode), as the elementwise kernels are, so the hot loops are monomorphic.
 */

type Kernel = (
  x: TypedArray, out: Float32Array, blocks: number, blockSize: number, dims: Int32Array, sliceStrides: Int32Array,
  inner: number, innerKept: boolean, acc: Float64Array, factor: Float64Array, p: number, q: number, bound: number,
) => void;

export type OrderKind = "2" | "1" | "inf" | "p";

/** Accumulates the element `a` into `A`. */
const STEP: Record<OrderKind, string> = {
  "2": "A += Math.fround(a * a);",
  "1": "A += Math.abs(a);",
  inf: "A = Math.max(A, Math.abs(a));",
  p: "A += Math.fround(Math.pow(Math.abs(a), p));",
};

/** The norm n of a slice from its accumulator A (order 2 is handled by the modes below). */
const NORM: Record<Exclude<OrderKind, "2">, string> = {
  "1": "Math.fround(A)",
  inf: "A",
  p: "Math.fround(Math.pow(Math.fround(A), q))",
};

const cache = new Map<string, Kernel>();

function kernelFor(x: TypedArray, kind: OrderKind, mode: NormalizeArgs["mode"]): Kernel {
  const type = x instanceof Float32Array ? "f" : x instanceof Int32Array ? "i" : "u";
  const key = `${type}:${kind}:${mode}`;
  let kernel = cache.get(key);
  if (kernel !== undefined) return kernel;
  // int32 values round to float32 first, as the cast does; uint8 and bool values are exact.
  const load = (at: string): string => (type === "i" ? `Math.fround(x[${at}])` : `x[${at}]`);
  // `factor` is what each element of the slice is divided by, or multiplied by (`op`).
  let finish: string;
  let op = "/";
  if (kind === "2" && mode === "epsilon") {
    finish = "const r = Math.fround(1 / Math.sqrt(Math.fround(A))); F = r !== r ? NaN : r < bound ? r : bound;";
    op = "*";
  } else {
    const n = kind === "2" ? "Math.fround(Math.sqrt(Math.fround(A)))" : NORM[kind];
    finish = mode === "epsilon" ? `const n = ${n}; F = n !== n ? NaN : n > bound ? n : bound;` : `const n = ${n}; F = n === 0 ? 1 : n;`;
  }
  const odometer = `
      i += inner;
      for (let d = rank - 1; d >= 0; d--) {
        counter[d]++;
        k += sliceStrides[d];
        if (counter[d] < dims[d]) break;
        k -= sliceStrides[d] * dims[d];
        counter[d] = 0;
      }`;
  const body = `"use strict";
    return function normalize_${type}_${kind}_${mode}(x, out, blocks, blockSize, dims, sliceStrides, inner, innerKept, acc, factor, p, q, bound) {
      const rank = dims.length;
      const counter = new Int32Array(rank);
      let steps = 1;
      for (let d = 0; d < rank; d++) steps *= dims[d];
      const slices = acc.length;
      for (let b = 0, base = 0; b < blocks; b++, base += blockSize) {
        acc.fill(${kind === "inf" ? "-Infinity" : "0"});
        let i = base, k = 0;
        for (let s = 0; s < steps; s++) {
          if (innerKept) {
            for (let j = 0; j < inner; j++) { const a = ${load("i + j")}; let A = acc[k + j]; ${STEP[kind]} acc[k + j] = A; }
          } else {
            let A = acc[k];
            for (let j = 0; j < inner; j++) { const a = ${load("i + j")}; ${STEP[kind]} }
            acc[k] = A;
          }
          ${odometer}
        }
        for (let t = 0; t < slices; t++) { const A = acc[t]; let F = 0; ${finish} factor[t] = F; }
        i = base;
        k = 0;
        for (let s = 0; s < steps; s++) {
          if (innerKept) {
            for (let j = 0; j < inner; j++) out[i + j] = ${load("i + j")} ${op} factor[k + j];
          } else {
            const F = factor[k];
            for (let j = 0; j < inner; j++) out[i + j] = ${load("i + j")} ${op} F;
          }
          ${odometer}
        }
      }
    };`;
  kernel = new Function(body)() as Kernel;
  cache.set(key, kernel);
  return kernel;
}

function checkArgs(args: NormalizeArgs): void {
  const { order, mode, epsilon } = args;
  if (typeof order !== "number" || !(order > 0)) throw new RangeError(`reference backend normalize: order must be a positive number or Infinity, got ${order}`);
  if (mode !== "epsilon" && mode !== "zeroAsOne") throw new TypeError(`reference backend normalize: unknown mode ${JSON.stringify(mode)}`);
  if (mode === "epsilon" && !(typeof epsilon === "number" && epsilon >= 0)) {
    throw new RangeError(`reference backend normalize: epsilon must be a number >= 0, got ${epsilon}`);
  }
}

/**
 * How the kernel walks x (see the comment at the top): `blocks` blocks of `blockSize` elements, each
 * an odometer over `dims` with a tight loop over `inner` elements; the slice index advances by
 * `sliceStrides` along `dims` (and by 1 along `inner` when `innerKept`). The native backend lays its
 * kernel out the same way, so that both sum every slice in the same order.
 */
export interface NormalizeLayout {
  blocks: number;
  blockSize: number;
  dims: Int32Array;
  sliceStrides: Int32Array;
  inner: number;
  innerKept: boolean;
  slices: number;
}

export function normalizeLayout(shape: Shape, axes: readonly number[]): NormalizeLayout {
  const size = sizeOf(shape);
  let { dims, reduced } = canonicalize(shape, axes);
  let blocks = 1;
  if (dims.length > 0 && !reduced[0]) {
    blocks = dims[0];
    dims = dims.slice(1);
    reduced = reduced.slice(1);
  }
  // A block with nothing left is one element, its own slice.
  if (dims.length === 0) {
    dims = [1];
    reduced = [true];
  }
  const rank = dims.length - 1;
  // Slice index strides: row-major over the kept axes of the block, 0 along reduced ones.
  const strides = new Int32Array(rank + 1);
  let slices = 1;
  for (let d = rank; d >= 0; d--) {
    if (reduced[d]) continue;
    strides[d] = slices;
    slices *= dims[d];
  }
  return {
    blocks, blockSize: blocks === 0 ? 0 : size / blocks, dims: Int32Array.from(dims.slice(0, rank)), sliceStrides: strides.subarray(0, rank),
    inner: dims[rank], innerKept: !reduced[rank], slices,
  };
}

/** The order's kind and the float32 constants of the rule on `NormalizeArgs`; throws for bad arguments. */
export function normalizeConstants(args: NormalizeArgs): { kind: OrderKind; p: number; q: number; bound: number } {
  checkArgs(args);
  const { order, mode, epsilon } = args;
  const kind: OrderKind = order === 2 ? "2" : order === 1 ? "1" : order === Infinity ? "inf" : "p";
  const bound = mode !== "epsilon" ? 0 : kind === "2" ? Math.fround(1 / epsilon) : Math.fround(epsilon);
  return { kind, p: Math.fround(order), q: Math.fround(1 / order), bound };
}

export function normalize(x: TypedArray, shape: Shape, axes: readonly number[], args: NormalizeArgs): Float32Array {
  const { kind, p, q, bound } = normalizeConstants(args);
  const size = sizeOf(shape);
  if (x.length !== size) throw new Error(`reference backend normalize: ${x.length} values do not fill shape [${shape.join(",")}]`);
  const out = new Float32Array(size);
  if (size === 0) return out;
  const layout = normalizeLayout(shape, axes);
  const kernel = kernelFor(x, kind, args.mode);
  kernel(
    x, out, layout.blocks, layout.blockSize, layout.dims, layout.sliceStrides, layout.inner, layout.innerKept,
    new Float64Array(layout.slices), new Float64Array(layout.slices), p, q, bound,
  );
  return out;
}
