import type { ReduceOp } from "../core_kernels.js";
import { allocate, type DType, type Shape, type TypedArray } from "../dtypes.js";
import { sizeOf } from "../shape.js";
import { transpose } from "./layout.js";

/*
 * Reductions view the input as [outer, n, inner] around one contiguous block of reduced axes (after
 * dropping size-1 axes and merging neighbours, which makes most layouts that arise in training
 * contiguous: bias gradients reduce [N, C] over axis 0, losses and softmax reduce the last axis,
 * global pooling reduces the middle of [B, H, W, C]). Anything else is transposed first.
 *
 * Each (op, layout, input type, output type) gets its own loop, generated once from an expression as
 * the elementwise kernels are, so the hot loop is monomorphic and has no per-element call or switch.
 * Accumulation is in float64 (exact for integer sums up to 2^53).
 */

/** `A` is the accumulator, `v` the element read. Math.max / Math.min propagate NaN, as NumPy does. */
const STEP: Record<ReduceOp, string> = {
  sum: "A += v;",
  prod: "A *= v;",
  max: "A = Math.max(A, v);",
  min: "A = Math.min(A, v);",
  any: "if (v !== 0) A = 1;",
  all: "if (v === 0) A = 0;",
};

const INITIAL: Record<ReduceOp, number> = { sum: 0, prod: 1, max: -Infinity, min: Infinity, any: 0, all: 1 };

/** out[o * inner + i] = reduce over r of x[(o * n + r) * inner + i]. */
type ReduceKernel = (x: TypedArray, out: TypedArray, outer: number, n: number, inner: number, init: number) => void;

const kernelCache = new Map<string, ReduceKernel>();

function reduceKernel(op: ReduceOp, rows: boolean, x: TypedArray, out: TypedArray): ReduceKernel {
  const key = `${op}:${rows}:${x.constructor.name}:${out.constructor.name}`;
  let kernel = kernelCache.get(key);
  if (kernel === undefined) {
    const body = rows
      ? // inner === 1: each output is a contiguous run of n elements.
        `
        let base = 0;
        for (let o = 0; o < outer; o++) {
          let acc = init;
          const end = base + n;
          for (let k = base; k < end; k++) { const v = x[k]; ${STEP[op].replace(/A/g, "acc")} }
          out[o] = acc;
          base = end;
        }`
      : // inner > 1: stream over rows of length inner, accumulating a whole output row at once.
        `
        const acc = new Float64Array(inner);
        for (let o = 0; o < outer; o++) {
          acc.fill(init);
          let row = o * n * inner;
          for (let r = 0; r < n; r++) {
            for (let i = 0; i < inner; i++) { const v = x[row + i]; ${STEP[op].replace(/A/g, "acc[i]")} }
            row += inner;
          }
          const dst = o * inner;
          for (let i = 0; i < inner; i++) out[dst + i] = acc[i];
        }`;
    kernel = new Function("x", "out", "outer", "n", "inner", "init", body) as ReduceKernel;
    kernelCache.set(key, kernel);
  }
  return kernel;
}

/**
 * Drops size-1 axes and merges neighbouring axes that are both reduced or both kept. Returns the
 * merged dims and, for each, whether it is reduced. Zero-size axes are kept (they decide the result).
 */
export function canonicalize(shape: Shape, axes: readonly number[]): { dims: number[]; reduced: boolean[] } {
  const dims: number[] = [];
  const reduced: boolean[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const r = axes.includes(d);
    const last = dims.length - 1;
    if (last >= 0 && reduced[last] === r) dims[last] *= shape[d];
    else {
      dims.push(shape[d]);
      reduced.push(r);
    }
  }
  return { dims, reduced };
}

export function reduce(op: ReduceOp, x: TypedArray, shape: Shape, axes: readonly number[], outDtype: DType): TypedArray {
  const { dims, reduced } = canonicalize(shape, axes);
  const groups = reduced.filter((r) => r).length;
  if (groups === 0) {
    // Nothing to combine (no axes, or only size-1 axes): a conversion to the output type.
    const out = allocate(outDtype, x.length);
    if (op === "any" || op === "all" || outDtype === "bool") for (let i = 0; i < x.length; i++) out[i] = x[i] !== 0 ? 1 : 0;
    else out.set(x);
    return out;
  }
  if (groups > 1) {
    // Several separate reduced blocks: move them all to the end and reduce them as one.
    const kept: number[] = [];
    const moved: number[] = [];
    reduced.forEach((r, d) => (r ? moved : kept).push(d));
    const perm = [...kept, ...moved];
    const t = transpose(x, dims, perm);
    return reduce(op, t, perm.map((p) => dims[p]), moved.map((_, i) => kept.length + i), outDtype);
  }
  const at = reduced.indexOf(true);
  const outer = sizeOf(dims.slice(0, at));
  const n = dims[at];
  const inner = sizeOf(dims.slice(at + 1));
  const out = allocate(outDtype, outer * inner);
  if (out.length === 0) return out;
  reduceKernel(op, inner === 1, x, out)(x, out, outer, n, inner, INITIAL[op]);
  return out;
}

/** Views `shape` as [outer, shape[axis], inner]. */
function split3(shape: Shape, axis: number): [number, number, number] {
  return [sizeOf(shape.slice(0, axis)), shape[axis], sizeOf(shape.slice(axis + 1))];
}

/**
 * Index in x[base .. base + n) of the first max (sign 1) or min (sign -1), or of the first NaN,
 * which counts as the extreme, as in NumPy.
 */
function rowArgReduce(x: TypedArray, base: number, n: number, sign: 1 | -1): number {
  let best = sign * x[base];
  if (best !== best) return 0;
  let index = 0;
  for (let j = 1; j < n; j++) {
    const v = sign * x[base + j];
    if (v > best) {
      best = v;
      index = j;
    } else if (v !== v) {
      return j;
    }
  }
  return index;
}

/** Index of the first max (argmax) or min (argmin); a NaN counts as the extreme, as in NumPy. */
export function argReduce(op: "argmax" | "argmin", x: TypedArray, shape: Shape, axis: number): Int32Array {
  const [outer, n, inner] = split3(shape, axis);
  const out = new Int32Array(outer * inner);
  if (out.length === 0 || n === 0) return out;
  const sign = op === "argmax" ? 1 : -1;
  if (inner === 1) {
    for (let o = 0; o < outer; o++) out[o] = rowArgReduce(x, o * n, n, sign);
    return out;
  }
  // Stream rows; `best` holds NaN once a NaN is found, after which `v > best` never updates it.
  const best = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    const dst = o * inner;
    let row = o * n * inner;
    for (let i = 0; i < inner; i++) best[i] = sign * x[row + i];
    for (let r = 1; r < n; r++) {
      row += inner;
      for (let i = 0; i < inner; i++) {
        const v = sign * x[row + i];
        if (v > best[i]) {
          best[i] = v;
          out[dst + i] = r;
        } else if (v !== v && best[i] === best[i]) {
          best[i] = NaN;
          out[dst + i] = r;
        }
      }
    }
  }
  return out;
}

/** Inclusive running sum / product along `axis`, accumulated in float64. */
export function cumulative(op: "sum" | "prod", x: TypedArray, shape: Shape, axis: number, outDtype: DType): TypedArray {
  const [outer, n, inner] = split3(shape, axis);
  const out = allocate(outDtype, x.length);
  if (out.length === 0) return out;
  const isSum = op === "sum";
  if (inner === 1) {
    for (let o = 0; o < outer; o++) {
      const base = o * n;
      let acc = isSum ? 0 : 1;
      if (isSum) for (let r = 0; r < n; r++) out[base + r] = acc += x[base + r];
      else for (let r = 0; r < n; r++) out[base + r] = acc *= x[base + r];
    }
    return out;
  }
  const acc = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    acc.fill(isSum ? 0 : 1);
    let row = o * n * inner;
    for (let r = 0; r < n; r++) {
      if (isSum) for (let i = 0; i < inner; i++) out[row + i] = acc[i] += x[row + i];
      else for (let i = 0; i < inner; i++) out[row + i] = acc[i] *= x[row + i];
      row += inner;
    }
  }
  return out;
}

export function countArgmaxMatches(pred: Float32Array, rows: number, cols: number, labels: TypedArray | null, oneHot: TypedArray | null): number {
  if ((labels === null) === (oneHot === null)) throw new Error("countArgmaxMatches: give exactly one of labels and oneHot");
  if (pred.length !== rows * cols || (labels !== null && labels.length !== rows) || (oneHot !== null && oneHot.length !== rows * cols)) {
    throw new RangeError(`countArgmaxMatches: arrays of ${pred.length}, ${labels?.length ?? oneHot!.length} elements do not fit ${rows} rows of ${cols}`);
  }
  if (cols === 0) return 0;
  let count = 0;
  for (let r = 0; r < rows; r++) {
    const predicted = rowArgReduce(pred, r * cols, cols, 1);
    const label = labels !== null ? labels[r] : rowArgReduce(oneHot!, r * cols, cols, 1);
    if (label === predicted) count++;
  }
  return count;
}
