import { getBackend } from "../backend/backend.js";
import { formatShape, shapesEqual } from "../backend/shape.js";
import { makeTensor, type Tensor } from "../backend/tensor.js";
import { markWrittenInPlace } from "../backend/variable.js";

/*
 * Batch selection for the training loop's data adapters. Data tensors take no gradient, so these
 * record nothing; they are internal (not in `keras.ops`, which has `take` and `slice` with full
 * checks).
 */

/** Rows [start, start + size) of `t`, sharing its elements (tensors are immutable). */
export function rowsView(t: Tensor, start: number, size: number): Tensor {
  if (start === 0 && size === t.shape[0]) return t;
  const row = t.shape[0] === 0 ? 0 : t.size / t.shape[0];
  return makeTensor(t.storage.subarray(start * row, (start + size) * row), [size, ...t.shape.slice(1)], t.dtype);
}

/**
 * Rows of `t` at `indices` (int32 row numbers known to be in range, e.g. a permutation): one
 * gather. With `into` (a tensor of t's dtype and the result's shape, that the caller owns), the
 * rows are written over its memory, and the result is a new tensor over that memory: the training
 * loop reuses one batch's memory every step. Such memory is marked written in place, so a variable
 * given the batch copies it.
 */
export function gatherRows(t: Tensor, indices: Tensor, into?: Tensor): Tensor {
  const rows = indices.storage as Int32Array;
  const shape = [rows.length, ...t.shape.slice(1)];
  if (into !== undefined) {
    if (into.dtype !== t.dtype || !shapesEqual(into.shape, shape)) {
      throw new Error(`gatherRows: the output must be a ${t.dtype} tensor of shape ${formatShape(shape)}, got ${into.dtype} ${formatShape(into.shape)}`);
    }
    markWrittenInPlace(into.storage);
    return makeTensor(getBackend().gather(t.storage, t.shape, rows, 0, into.storage), shape, t.dtype);
  }
  return makeTensor(getBackend().gather(t.storage, t.shape, rows, 0), shape, t.dtype);
}
