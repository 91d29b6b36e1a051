import type { ReduceOp } from "../backend.js";
import { allocate, type DType, type Shape, type TypedArray } from "../dtypes.js";
import { sizeOf } from "../shape.js";
import { transpose } from "./layout.js";

/** Views `shape` as [outer, reduced, inner] around the contiguous block of axes [first, last]. */
function split3(shape: Shape, first: number, last: number): [number, number, number] {
  return [sizeOf(shape.slice(0, first)), sizeOf(shape.slice(first, last + 1)), sizeOf(shape.slice(last + 1))];
}

function isContiguousBlock(axes: readonly number[]): boolean {
  for (let i = 1; i < axes.length; i++) if (axes[i] !== axes[i - 1] + 1) return false;
  return true;
}

const INITIAL: Record<ReduceOp, number> = { sum: 0, prod: 1, max: -Infinity, min: Infinity, any: 0, all: 1 };

export function reduce(op: ReduceOp, x: TypedArray, shape: Shape, axes: readonly number[], outDtype: DType): TypedArray {
  if (axes.length === 0) {
    const out = allocate(outDtype, x.length);
    if (op === "any" || op === "all") for (let i = 0; i < x.length; i++) out[i] = x[i] !== 0 ? 1 : 0;
    else out.set(x);
    return out;
  }
  if (!isContiguousBlock(axes)) {
    // Move the reduced axes to the end, then reduce them as one block.
    const kept = shape.map((_, i) => i).filter((i) => !axes.includes(i));
    const perm = [...kept, ...axes];
    const moved = transpose(x, shape, perm);
    return reduce(op, moved, perm.map((p) => shape[p]), axes.map((_, i) => kept.length + i), outDtype);
  }
  const [outer, n, inner] = split3(shape, axes[0], axes[axes.length - 1]);
  const out = allocate(outDtype, outer * inner);
  const acc = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    acc.fill(INITIAL[op]);
    const base = o * n * inner;
    for (let r = 0; r < n; r++) {
      const row = base + r * inner;
      switch (op) {
        case "sum":
          for (let i = 0; i < inner; i++) acc[i] += x[row + i];
          break;
        case "prod":
          for (let i = 0; i < inner; i++) acc[i] *= x[row + i];
          break;
        case "max":
          for (let i = 0; i < inner; i++) {
            const v = x[row + i];
            if (v > acc[i] || v !== v) acc[i] = v;
          }
          break;
        case "min":
          for (let i = 0; i < inner; i++) {
            const v = x[row + i];
            if (v < acc[i] || v !== v) acc[i] = v;
          }
          break;
        case "any":
          for (let i = 0; i < inner; i++) if (x[row + i] !== 0) acc[i] = 1;
          break;
        case "all":
          for (let i = 0; i < inner; i++) if (x[row + i] === 0) acc[i] = 0;
          break;
      }
    }
    // NaN stays NaN once seen in max/min: a comparison with NaN is false, so re-check.
    if (op === "max" || op === "min") {
      for (let r = 0; r < n; r++) for (let i = 0; i < inner; i++) if (x[base + r * inner + i] !== x[base + r * inner + i]) acc[i] = NaN;
    }
    out.set(acc, o * inner);
  }
  return out;
}

export function argReduce(op: "argmax" | "argmin", x: TypedArray, shape: Shape, axis: number): Int32Array {
  const [outer, n, inner] = split3(shape, axis, axis);
  const out = new Int32Array(outer * inner);
  const sign = op === "argmax" ? 1 : -1;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let best = -Infinity;
      let bestIndex = 0;
      for (let r = 0; r < n; r++) {
        const v = x[(o * n + r) * inner + i];
        if (v !== v) {
          // NumPy returns the first NaN.
          bestIndex = r;
          break;
        }
        if (sign * v > best) {
          best = sign * v;
          bestIndex = r;
        }
      }
      out[o * inner + i] = bestIndex;
    }
  }
  return out;
}

export function cumulative(op: "sum" | "prod", x: TypedArray, shape: Shape, axis: number, outDtype: DType): TypedArray {
  const [outer, n, inner] = split3(shape, axis, axis);
  const out = allocate(outDtype, x.length);
  const acc = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    acc.fill(op === "sum" ? 0 : 1);
    for (let r = 0; r < n; r++) {
      const row = (o * n + r) * inner;
      if (op === "sum") for (let i = 0; i < inner; i++) out[row + i] = acc[i] += x[row + i];
      else for (let i = 0; i < inner; i++) out[row + i] = acc[i] *= x[row + i];
    }
  }
  return out;
}
