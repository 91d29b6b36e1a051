import { allocate, dtypeOfTypedArray, type DType, type Shape, type TypedArray } from "../dtypes.js";
import { sizeOf, stridesOf } from "../shape.js";

/** Rows shorter than this are copied element by element: a subarray view costs more than the copy. */
const SHORT_ROW = 16;

function sameKind(x: TypedArray, size: number): TypedArray {
  return allocate(dtypeOfTypedArray(x), size);
}

/**
 * Drops size-1 axes and merges runs of input axes that stay adjacent and in order under `perm`,
 * so e.g. [B, H, W, C] -> [B, C, H, W] becomes a batched 2-d transpose of [B, H*W, C].
 */
export function simplifyPermutation(shape: Shape, perm: readonly number[]): { dims: number[]; perm: number[] } {
  const keptAxes = shape.map((_, i) => i).filter((i) => shape[i] !== 1);
  const renumber = new Map(keptAxes.map((a, i) => [a, i]));
  const p = perm.filter((a) => shape[a] !== 1).map((a) => renumber.get(a)!);
  const d = keptAxes.map((a) => shape[a]);
  // Group output-order runs p[i], p[i]+1, ... into one merged input axis.
  const runs: number[][] = [];
  for (const a of p) {
    const last = runs[runs.length - 1];
    if (last !== undefined && last[last.length - 1] + 1 === a) last.push(a);
    else runs.push([a]);
  }
  // Merged input axes are ordered by their first original axis.
  const byInput = [...runs].sort((r1, r2) => r1[0] - r2[0]);
  const dims = byInput.map((r) => r.reduce((acc, a) => acc * d[a], 1));
  const perm2 = runs.map((r) => byInput.indexOf(r));
  return { dims, perm: perm2 };
}

/**
 * Copies a [rows, cols] block to [cols, rows] in small tiles, so the lines being read and written
 * stay in cache. Tiles of 8 measured fastest: larger ones thrash the cache when a row is a power of
 * two bytes long (every line of a tile falls in the same cache set).
 */
function transpose2d(x: TypedArray, out: TypedArray, rows: number, cols: number, inBase: number, outBase: number): void {
  const B = 8;
  for (let r0 = 0; r0 < rows; r0 += B) {
    const rEnd = Math.min(r0 + B, rows);
    for (let c0 = 0; c0 < cols; c0 += B) {
      const cEnd = Math.min(c0 + B, cols);
      for (let c = c0; c < cEnd; c++) {
        const dst = outBase + c * rows;
        for (let r = r0, src = inBase + r0 * cols + c; r < rEnd; r++, src += cols) out[dst + r] = x[src];
      }
    }
  }
}

export function transpose(x: TypedArray, shape: Shape, perm: readonly number[]): TypedArray {
  const out = sameKind(x, x.length);
  if (x.length === 0) return out;
  const { dims, perm: p } = simplifyPermutation(shape, perm);
  const rank = dims.length;
  if (p.every((a, i) => a === i)) {
    out.set(x);
    return out;
  }
  if (rank === 2) {
    transpose2d(x, out, dims[0], dims[1], 0, 0);
    return out;
  }
  if (rank === 3 && p[0] === 0 && p[1] === 2 && p[2] === 1) {
    const [batch, rows, cols] = dims;
    for (let b = 0; b < batch; b++) transpose2d(x, out, rows, cols, b * rows * cols, b * rows * cols);
    return out;
  }
  const inStrides = stridesOf(dims);
  const outShape = p.map((a) => dims[a]);
  // Strides of the input, in output-axis order; the last output axis is walked innermost.
  const strides = p.map((a) => inStrides[a]);
  const counter = new Int32Array(rank);
  const inner = outShape[rank - 1];
  const innerStride = strides[rank - 1];
  const total = x.length / inner;
  let src = 0;
  let o = 0;
  for (let step = 0; step < total; step++) {
    if (innerStride === 1 && inner >= SHORT_ROW) {
      out.set(x.subarray(src, src + inner), o);
      o += inner;
    } else for (let j = 0, s = src; j < inner; j++, s += innerStride) out[o++] = x[s];
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
    if (inner < SHORT_ROW) for (let j = 0; j < inner; j++) out[o + j] = x[src + j];
    else out.set(x.subarray(src, src + inner), o);
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
    if (inner < SHORT_ROW) for (let j = 0; j < inner; j++) out[dst + j] = x[src + j];
    else out.set(x.subarray(src, src + inner), dst);
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
    if (w < SHORT_ROW) {
      for (let o = 0; o < outer; o++) {
        const src = o * w;
        const dst = o * rowWidth + offset;
        for (let j = 0; j < w; j++) out[dst + j] = x[src + j];
      }
    } else for (let o = 0; o < outer; o++) out.set(x.subarray(o * w, o * w + w), o * rowWidth + offset);
    offset += w;
  }
  return out;
}

export function reverse(x: TypedArray, shape: Shape, axes: readonly number[]): TypedArray {
  const out = sameKind(x, x.length);
  // Size-1 axes look the same either way round; drop them from both the shape and the flipped set.
  const flips = axes.filter((a) => shape[a] > 1);
  if (x.length === 0 || flips.length === 0) {
    out.set(x);
    return out;
  }
  // Merge neighbouring axes that are both flipped or both not (flipping [a, b] reverses a*b).
  const dims: number[] = [];
  const flipped: boolean[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const f = flips.includes(d);
    const last = dims.length - 1;
    if (last >= 0 && flipped[last] === f) dims[last] *= shape[d];
    else {
      dims.push(shape[d]);
      flipped.push(f);
    }
  }
  const rank = dims.length;
  const strides = stridesOf(dims);
  const inner = dims[rank - 1];
  const innerFlipped = flipped[rank - 1];
  // Walk the output in rows of `inner`; for each flipped outer axis the source runs backwards.
  const srcStrides = strides.map((s, d) => (flipped[d] ? -s : s));
  let src = 0;
  for (let d = 0; d < rank - 1; d++) if (flipped[d]) src += (dims[d] - 1) * strides[d];
  const counter = new Int32Array(rank);
  const total = x.length / inner;
  let o = 0;
  for (let step = 0; step < total; step++) {
    if (innerFlipped) for (let j = 0, s = src + inner - 1; j < inner; j++, s--) out[o + j] = x[s];
    else out.set(x.subarray(src, src + inner), o);
    o += inner;
    for (let d = rank - 2; d >= 0; d--) {
      counter[d]++;
      src += srcStrides[d];
      if (counter[d] < dims[d]) break;
      src -= srcStrides[d] * dims[d];
      counter[d] = 0;
    }
  }
  return out;
}
