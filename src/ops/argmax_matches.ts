import { fusedKernels } from "../backend/backend.js";
import { formatShape, shapesEqual } from "../backend/shape.js";
import type { Tensor } from "../backend/tensor.js";

/**
 * The number of rows i where argmax(yPred[i]) equals the label: `labels[i]` itself for class
 * indices (shape [N], any dtype: 2.5 matches no class), or argmax(labels[i]) for one-hot labels
 * (shape [N, C]). yPred is float32 [N, C]. argmax is the op's: the first maximum, or the first
 * NaN. What (sparse_)categorical_accuracy sums over a batch, in one kernel. Internal.
 */
export function argmaxMatchCount(labels: Tensor, yPred: Tensor, oneHot: boolean): number {
  if (yPred.dtype !== "float32") throw new TypeError(`argmaxMatchCount: yPred must be float32, got ${yPred.dtype}`);
  const [rows, cols] = yPred.shape;
  const expected = oneHot ? [rows, cols] : [rows];
  if (yPred.rank !== 2 || !shapesEqual(labels.shape, expected)) {
    throw new Error(`argmaxMatchCount: labels of shape ${formatShape(labels.shape)} do not fit predictions of shape ${formatShape(yPred.shape)}`);
  }
  return fusedKernels().countArgmaxMatches(yPred.storage as Float32Array, rows, cols, oneHot ? null : labels.storage, oneHot ? labels.storage : null);
}
