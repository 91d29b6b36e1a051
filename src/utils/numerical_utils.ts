import type { Tensor } from "../backend/tensor.js";
import { formatShape } from "../backend/shape.js";
import * as ops from "../ops/index.js";
import { convertToTensor, type TensorLike } from "../ops/core.js";

/**
 * Keras's `utils.normalize`: divides by the L`order` norm along `axis` (zero norms left alone).
 * Integer input (uint8 images) gives float32.
 */
export function normalize(x: TensorLike, axis = -1, order = 2): Tensor {
  const t = ops.cast(convertToTensor(x), "float32");
  let norm: Tensor;
  if (order === 2) norm = ops.sqrt(ops.sum(ops.square(t), axis, true));
  else if (order === 1) norm = ops.sum(ops.abs(t), axis, true);
  else if (order === Infinity) norm = ops.max(ops.abs(t), axis, true);
  else if (Number.isFinite(order) && order > 0) norm = ops.power(ops.sum(ops.power(ops.abs(t), order), axis, true), 1 / order);
  else throw new RangeError(`normalize: order must be a positive number or Infinity, got ${order}`);
  const safe = ops.where(ops.equal(norm, 0), 1, norm);
  return ops.divide(t, safe);
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
