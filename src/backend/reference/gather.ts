import { allocate, dtypeOfTypedArray, type Shape, type TypedArray } from "../dtypes.js";
import { sizeOf } from "../shape.js";

/*
 * Indices reaching these kernels are already validated and non-negative (ops wrap negative indices
 * and reject out-of-range ones), so the loops do no bounds checks of their own.
 */

/** Rows shorter than this are copied element by element: a subarray view costs more than the copy. */
const SHORT_ROW = 16;

export function gather(x: TypedArray, shape: Shape, indices: Int32Array, axis: number, into?: TypedArray): TypedArray {
  const outer = sizeOf(shape.slice(0, axis));
  const n = shape[axis];
  const inner = sizeOf(shape.slice(axis + 1));
  const m = indices.length;
  const dtype = dtypeOfTypedArray(x);
  if (into !== undefined && (dtypeOfTypedArray(into) !== dtype || into.length !== outer * m * inner)) {
    throw new RangeError(`gather: the output array must be a ${dtype} array of ${outer * m * inner} elements, got ${into.length} (${dtypeOfTypedArray(into)})`);
  }
  const out = into ?? allocate(dtype, outer * m * inner);
  if (out.length === 0) return out;
  if (inner === 1) {
    for (let o = 0; o < outer; o++) {
      const src = o * n;
      const dst = o * m;
      for (let j = 0; j < m; j++) out[dst + j] = x[src + indices[j]];
    }
    return out;
  }
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const src = (o * n + indices[j]) * inner;
      const dst = (o * m + j) * inner;
      if (inner < SHORT_ROW) for (let i = 0; i < inner; i++) out[dst + i] = x[src + i];
      else out.set(x.subarray(src, src + inner), dst);
    }
  }
  return out;
}

export function scatterAdd(updates: TypedArray, indices: Int32Array, axis: number, outShape: Shape): TypedArray {
  const outer = sizeOf(outShape.slice(0, axis));
  const n = outShape[axis];
  const inner = sizeOf(outShape.slice(axis + 1));
  const m = indices.length;
  const out = allocate(dtypeOfTypedArray(updates), sizeOf(outShape));
  if (out.length === 0) return out;
  if (inner === 1) {
    for (let o = 0; o < outer; o++) {
      const dst = o * n;
      const src = o * m;
      for (let j = 0; j < m; j++) out[dst + indices[j]] += updates[src + j];
    }
    return out;
  }
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const dst = (o * n + indices[j]) * inner;
      const src = (o * m + j) * inner;
      for (let i = 0; i < inner; i++) out[dst + i] += updates[src + i];
    }
  }
  return out;
}

export function gatherAlongAxis(x: TypedArray, shape: Shape, indices: Int32Array, indicesShape: Shape, axis: number): TypedArray {
  const outer = sizeOf(indicesShape.slice(0, axis));
  const m = indicesShape[axis];
  const n = shape[axis];
  const inner = sizeOf(indicesShape.slice(axis + 1));
  const out = allocate(dtypeOfTypedArray(x), indices.length);
  if (out.length === 0) return out;
  if (inner === 1) {
    for (let o = 0; o < outer; o++) {
      const src = o * n;
      const row = o * m;
      for (let j = 0; j < m; j++) out[row + j] = x[src + indices[row + j]];
    }
    return out;
  }
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const row = (o * m + j) * inner;
      const src = o * n * inner;
      for (let i = 0; i < inner; i++) out[row + i] = x[src + indices[row + i] * inner + i];
    }
  }
  return out;
}

export function scatterAddAlongAxis(updates: TypedArray, indices: Int32Array, indicesShape: Shape, axis: number, outShape: Shape): TypedArray {
  const outer = sizeOf(indicesShape.slice(0, axis));
  const m = indicesShape[axis];
  const n = outShape[axis];
  const inner = sizeOf(indicesShape.slice(axis + 1));
  const out = allocate(dtypeOfTypedArray(updates), sizeOf(outShape));
  if (out.length === 0) return out;
  if (inner === 1) {
    for (let o = 0; o < outer; o++) {
      const dst = o * n;
      const row = o * m;
      for (let j = 0; j < m; j++) out[dst + indices[row + j]] += updates[row + j];
    }
    return out;
  }
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const row = (o * m + j) * inner;
      const dst = o * n * inner;
      for (let i = 0; i < inner; i++) out[dst + indices[row + i] * inner + i] += updates[row + i];
    }
  }
  return out;
}
