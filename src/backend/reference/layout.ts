import { allocate, dtypeOfTypedArray, type DType, type Shape, type TypedArray } from "../dtypes.js";
import { sizeOf, stridesOf } from "../shape.js";

function sameKind(x: TypedArray, size: number): TypedArray {
  return allocate(dtypeOfTypedArray(x), size);
}

export function transpose(x: TypedArray, shape: Shape, perm: readonly number[]): TypedArray {
  const rank = shape.length;
  const out = sameKind(x, x.length);
  if (x.length === 0) return out;
  const inStrides = stridesOf(shape);
  const outShape = perm.map((p) => shape[p]);
  // Strides of the input, in output-axis order; the last output axis is walked innermost.
  const strides = perm.map((p) => inStrides[p]);
  if (rank === 2 && perm[0] === 1) {
    const [rows, cols] = shape;
    // Blocked so both reads and writes stay within cache lines.
    const B = 32;
    for (let r0 = 0; r0 < rows; r0 += B) {
      for (let c0 = 0; c0 < cols; c0 += B) {
        const rEnd = Math.min(r0 + B, rows);
        const cEnd = Math.min(c0 + B, cols);
        for (let r = r0; r < rEnd; r++) for (let c = c0; c < cEnd; c++) out[c * rows + r] = x[r * cols + c];
      }
    }
    return out;
  }
  const counter = new Int32Array(rank);
  const inner = outShape[rank - 1] ?? 1;
  const innerStride = strides[rank - 1] ?? 0;
  const total = x.length / inner;
  let src = 0;
  let o = 0;
  for (let step = 0; step < total; step++) {
    for (let j = 0; j < inner; j++) out[o++] = x[src + j * innerStride];
    for (let d = rank - 2; d >= 0; d--) {
      counter[d]++;
      src += strides[d];
      if (counter[d] < outShape[d]) break;
      src -= strides[d] * outShape[d];
      counter[d] = 0;
    }
  }
  return out;
}

export function slice(x: TypedArray, shape: Shape, begin: readonly number[], size: readonly number[]): TypedArray {
  const rank = shape.length;
  const out = sameKind(x, sizeOf(size));
  if (out.length === 0) return out;
  if (rank === 0) {
    out[0] = x[0];
    return out;
  }
  const strides = stridesOf(shape);
  const inner = size[rank - 1];
  const counter = new Int32Array(rank);
  let src = 0;
  for (let d = 0; d < rank; d++) src += begin[d] * strides[d];
  const total = out.length / inner;
  let o = 0;
  for (let step = 0; step < total; step++) {
    out.set(x.subarray(src, src + inner), o);
    o += inner;
    for (let d = rank - 2; d >= 0; d--) {
      counter[d]++;
      src += strides[d];
      if (counter[d] < size[d]) break;
      src -= strides[d] * size[d];
      counter[d] = 0;
    }
  }
  return out;
}

export function pad(x: TypedArray, shape: Shape, paddings: readonly (readonly [number, number])[], value: number): TypedArray {
  const rank = shape.length;
  const outShape = shape.map((d, i) => d + paddings[i][0] + paddings[i][1]);
  const out = sameKind(x, sizeOf(outShape));
  if (value !== 0) out.fill(value);
  if (x.length === 0 || rank === 0) {
    if (rank === 0) out[0] = x[0];
    return out;
  }
  const outStrides = stridesOf(outShape);
  const inner = shape[rank - 1];
  const counter = new Int32Array(rank);
  let dst = 0;
  for (let d = 0; d < rank; d++) dst += paddings[d][0] * outStrides[d];
  const total = x.length / inner;
  let src = 0;
  for (let step = 0; step < total; step++) {
    out.set(x.subarray(src, src + inner), dst);
    src += inner;
    for (let d = rank - 2; d >= 0; d--) {
      counter[d]++;
      dst += outStrides[d];
      if (counter[d] < shape[d]) break;
      dst -= outStrides[d] * shape[d];
      counter[d] = 0;
    }
  }
  return out;
}

export function concat(xs: readonly TypedArray[], shapes: readonly Shape[], axis: number, outDtype: DType): TypedArray {
  const outer = sizeOf(shapes[0].slice(0, axis));
  const widths = shapes.map((s) => sizeOf(s.slice(axis)));
  const rowWidth = widths.reduce((a, b) => a + b, 0);
  const out = allocate(outDtype, outer * rowWidth);
  let offset = 0;
  for (let k = 0; k < xs.length; k++) {
    const w = widths[k];
    const x = xs[k];
    for (let o = 0; o < outer; o++) out.set(x.subarray(o * w, o * w + w), o * rowWidth + offset);
    offset += w;
  }
  return out;
}

export function reverse(x: TypedArray, shape: Shape, axes: readonly number[]): TypedArray {
  const rank = shape.length;
  const out = sameKind(x, x.length);
  if (x.length === 0 || rank === 0) {
    out.set(x);
    return out;
  }
  const strides = stridesOf(shape);
  // Walk the output in order; for each flipped axis the source index runs backwards.
  const srcStrides = strides.map((s, d) => (axes.includes(d) ? -s : s));
  let src = 0;
  for (const d of axes) src += (shape[d] - 1) * strides[d];
  const counter = new Int32Array(rank);
  for (let o = 0; o < x.length; o++) {
    out[o] = x[src];
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]++;
      src += srcStrides[d];
      if (counter[d] < shape[d]) break;
      src -= srcStrides[d] * shape[d];
      counter[d] = 0;
    }
  }
  return out;
}
