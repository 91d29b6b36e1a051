import { allocate, dtypeOfTypedArray, type Shape, type TypedArray } from "../dtypes.js";
import { sizeOf } from "../shape.js";

export function gather(x: TypedArray, shape: Shape, indices: Int32Array, axis: number): TypedArray {
  const outer = sizeOf(shape.slice(0, axis));
  const n = shape[axis];
  const inner = sizeOf(shape.slice(axis + 1));
  const m = indices.length;
  const out = allocate(dtypeOfTypedArray(x), outer * m * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const src = (o * n + indices[j]) * inner;
      out.set(x.subarray(src, src + inner), (o * m + j) * inner);
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
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const row = (o * m + j) * inner;
      for (let i = 0; i < inner; i++) out[row + i] = x[(o * n + indices[row + i]) * inner + i];
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
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const row = (o * m + j) * inner;
      for (let i = 0; i < inner; i++) out[(o * n + indices[row + i]) * inner + i] += updates[row + i];
    }
  }
  return out;
}
