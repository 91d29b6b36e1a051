import type { Tensor } from "../backend/tensor.js";
import { formatShape } from "../backend/shape.js";
import * as ops from "../ops/index.js";
import { convertToTensor, type TensorLike } from "../ops/core.js";
import { divideByNorm } from "../ops/normalize.js";

/**
 * Keras's `utils.normalize`: divides by the L`order` norm along `axis` (zero norms left alone),
 * as Keras does for a NumPy array. Integer input (uint8 images) gives float32, in one pass that
 * allocates only the result.
 */
export function normalize(x: TensorLike, axis = -1, order = 2): Tensor {
  return divideByNorm(convertToTensor(x), axis, order);
}

/** Keras's `utils.to_categorical`: class indices to one-hot float32 rows. */
export function toCategorical(x: TensorLike, numClasses?: number): Tensor {
  let labels = convertToTensor(x);
  if (labels.dtype === "float32") {
    const rounded = ops.round(labels);
    if (ops.any(ops.notEqual(rounded, labels)).item()) throw new Error("toCategorical: labels must be whole numbers (class indices)");
  }
  labels = ops.cast(labels, "int32");
  if (labels.rank > 1 && labels.shape[labels.rank - 1] === 1) labels = ops.squeeze(labels, -1);
  if (labels.size > 0 && ops.min(labels).item() < 0) throw new RangeError("toCategorical: labels must be non-negative class indices");
  const maxLabel = labels.size === 0 ? -1 : ops.max(labels).item();
  const classes = numClasses ?? maxLabel + 1;
  if (!Number.isInteger(classes) || classes <= 0) throw new RangeError(`toCategorical: numClasses must be a positive integer, got ${numClasses}`);
  if (maxLabel >= classes) {
    throw new RangeError(`toCategorical: label ${maxLabel} is out of range for numClasses=${classes} (labels of shape ${formatShape(labels.shape)})`);
  }
  return ops.oneHot(labels, classes);
}
