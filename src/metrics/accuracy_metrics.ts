import type { Tensor } from "../backend/tensor.js";
import { formatShape, shapesEqual } from "../backend/shape.js";
import * as ops from "../ops/index.js";
import { argmaxMatchCount } from "../ops/argmax_matches.js";
import { convertToTensor, type TensorLike } from "../ops/core.js";
import { validateClassIndices } from "../losses/losses.js";
import type { MetricArgs } from "./metric.js";
import { MeanMetricWrapper } from "./reduction_metrics.js";
import { floatTensor, sameShapePair } from "./metrics_utils.js";

/*
 * Accuracy metrics (Keras 3 keras/src/metrics/accuracy_metrics.py). The functions give one value
 * per sample (1 for a hit, 0 for a miss; averaged over the last axis for multi-output binary
 * labels); the classes average them over every sample seen.
 */

/** The mean over the last axis for rank >= 2 (one value per sample), else the values themselves. */
function perSample(matches: Tensor): Tensor {
  return matches.rank >= 2 ? ops.mean(matches, -1) : matches;
}

/** How often yPred equals yTrue exactly: per sample. */
export function accuracy(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = sameShapePair(yTrue, yPred, "accuracy");
  return perSample(ops.cast(ops.equal(t, p), "float32"));
}

/** How often (yPred > threshold) equals the 0/1 label: per sample. */
export function binaryAccuracy(yTrue: TensorLike, yPred: TensorLike, threshold = 0.5): Tensor {
  const [t, p] = sameShapePair(
    yTrue,
    yPred,
    "binary_accuracy",
    " For class-index labels with several classes, use sparse_categorical_accuracy.",
  );
  const predicted = ops.cast(ops.greater(p, threshold), "float32");
  return perSample(ops.cast(ops.equal(t, predicted), "float32"));
}

/** argmax(yTrue) == argmax(yPred) along the last axis, for one-hot labels: per sample. */
export function categoricalAccuracy(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const t = floatTensor(yTrue);
  const p = floatTensor(yPred);
  if (!shapesEqual(t.shape, p.shape) || p.rank === 0) {
    const hint = t.rank === p.rank - 1 || (t.rank === p.rank && t.shape[t.rank - 1] === 1) ? " y_true looks like integer class indices: use sparse_categorical_accuracy for integer labels." : "";
    throw new Error(`categorical_accuracy: y_true (one-hot) and y_pred must have the same shape, but got y_true.shape=${formatShape(t.shape)} and y_pred.shape=${formatShape(p.shape)}.${hint}`);
  }
  return ops.cast(ops.equal(ops.argmax(t, -1), ops.argmax(p, -1)), "float32");
}

/** Class-index labels ([N] or [N, 1] for predictions [N, C]) as float32 of shape [N]. */
function classIndexLabels(yTrue: TensorLike, p: Tensor, metric: string): Tensor {
  return floatTensor(classIndexLabelsAnyDType(yTrue, p, metric));
}

/** Class-index labels ([N] or [N, 1] for predictions [N, C]) of shape [N], in their own dtype. */
function classIndexLabelsAnyDType(yTrue: TensorLike, p: Tensor, metric: string): Tensor {
  let t = convertToTensor(yTrue);
  if (p.rank === 0) throw new Error(`${metric}: y_pred must have a class axis, got a scalar`);
  if (t.rank === p.rank && t.shape[t.rank - 1] === 1) t = ops.squeeze(t, -1);
  const expected = p.shape.slice(0, -1);
  if (!shapesEqual(t.shape, expected)) {
    const hint = shapesEqual(t.shape, p.shape) ? ` y_true looks one-hot encoded: use ${metric.replace("sparse_", "")} for one-hot labels.` : "";
    throw new Error(`${metric}: y_true must hold one class index per sample (shape ${formatShape(expected)} for y_pred of shape ${formatShape(p.shape)}), but got y_true.shape=${formatShape(t.shape)}.${hint}`);
  }
  return t;
}

/** yTrue (a class index) == argmax(yPred) along the last axis: per sample. */
export function sparseCategoricalAccuracy(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const p = floatTensor(yPred);
  const t = classIndexLabelsAnyDType(yTrue, p, "sparse_categorical_accuracy");
  // Integer labels compare with the int32 argmax directly; float labels compare as floats (so 2.5
  // matches no class), as the labels and argmax are promoted to a common dtype.
  return ops.cast(ops.equal(t, ops.argmax(p, -1)), "float32");
}

function checkK(k: number, metric: string): void {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`${metric}: k must be a positive integer, got ${String(k)}`);
}

/**
 * Keras's `ops.in_top_k`: whether the target class is among the k highest scores (ties at the
 * boundary count as in, as in TensorFlow and JAX). NaN scores for the target count as lowest.
 */
export function inTopK(targets: Tensor, predictions: Tensor, k: number): Tensor {
  const idx = ops.expandDims(ops.cast(targets, "int32"), -1);
  let atLabel = ops.takeAlongAxis(predictions, idx, -1);
  atLabel = ops.where(ops.isnan(atLabel), -Infinity, atLabel);
  const rank = ops.add(ops.sum(ops.cast(ops.greater(predictions, atLabel), "float32"), -1), 1);
  return ops.lessEqual(rank, k);
}

/** Whether argmax(yTrue) is among the k highest predictions (k default 5): per sample. */
export function topKCategoricalAccuracy(yTrue: TensorLike, yPred: TensorLike, k = 5): Tensor {
  checkK(k, "top_k_categorical_accuracy");
  const t = floatTensor(yTrue);
  const p = floatTensor(yPred);
  if (!shapesEqual(t.shape, p.shape) || p.rank === 0) {
    const hint = t.rank === p.rank - 1 ? " y_true looks like integer class indices: use sparse_top_k_categorical_accuracy for integer labels." : "";
    throw new Error(`top_k_categorical_accuracy: y_true (one-hot) and y_pred must have the same shape, but got y_true.shape=${formatShape(t.shape)} and y_pred.shape=${formatShape(p.shape)}.${hint}`);
  }
  return ops.cast(inTopK(ops.argmax(t, -1), p, k), "float32");
}

/** Whether the class index yTrue is among the k highest predictions (k default 5): per sample. */
export function sparseTopKCategoricalAccuracy(yTrue: TensorLike, yPred: TensorLike, k = 5): Tensor {
  const metric = "sparse_top_k_categorical_accuracy";
  checkK(k, metric);
  const p = floatTensor(yPred);
  const t = classIndexLabels(yTrue, p, metric);
  validateClassIndices(t, p.shape[p.rank - 1], metric);
  return ops.cast(inTopK(t, p, k), "float32");
}

/** How often predictions equal labels; name "accuracy". */
export class Accuracy extends MeanMetricWrapper {
  constructor(args: MetricArgs = {}) {
    super(accuracy, { ...args, className: "Accuracy" }, "accuracy");
  }
}

/** How often (yPred > threshold) matches the 0/1 label (threshold 0.5); name "binary_accuracy". */
export class BinaryAccuracy extends MeanMetricWrapper {
  readonly threshold: number;
  constructor(args: MetricArgs & { threshold?: number } = {}) {
    const threshold = args.threshold ?? 0.5;
    if (typeof threshold !== "number" || !(threshold > 0 && threshold < 1)) {
      throw new RangeError(`BinaryAccuracy: threshold must be in the open interval (0, 1), got ${String(threshold)}`);
    }
    super((t, p) => binaryAccuracy(t, p, threshold), { ...args, className: "BinaryAccuracy" }, "binary_accuracy");
    this.threshold = threshold;
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), threshold: this.threshold };
  }
}

/** How often argmax(yPred) matches one-hot labels; name "categorical_accuracy". */
export class CategoricalAccuracy extends MeanMetricWrapper {
  constructor(args: MetricArgs = {}) {
    super(categoricalAccuracy, { ...args, className: "CategoricalAccuracy" }, "categorical_accuracy");
  }

  override updateState(yTrue: Tensor, yPred: Tensor, sampleWeight?: Tensor): void {
    // The training loop's case, unweighted [N, C] batches: count the hits in one pass.
    if (sampleWeight === undefined && yPred.dtype === "float32" && yPred.rank === 2 && shapesEqual(yTrue.shape, yPred.shape)) {
      this.addTotals(argmaxMatchCount(yTrue, yPred, true), yPred.shape[0]);
      return;
    }
    super.updateState(yTrue, yPred, sampleWeight);
  }
}

/** How often argmax(yPred) matches integer labels; name "sparse_categorical_accuracy". */
export class SparseCategoricalAccuracy extends MeanMetricWrapper {
  constructor(args: MetricArgs = {}) {
    super(sparseCategoricalAccuracy, { ...args, className: "SparseCategoricalAccuracy" }, "sparse_categorical_accuracy");
  }

  override updateState(yTrue: Tensor, yPred: Tensor, sampleWeight?: Tensor): void {
    // The training loop's case, unweighted batches of [N] or [N, 1] labels: count the hits in one pass.
    if (sampleWeight === undefined && yPred.dtype === "float32" && yPred.rank === 2) {
      const n = yPred.shape[0];
      const labels = yTrue.rank === 2 && yTrue.shape[1] === 1 ? ops.reshape(yTrue, [n]) : yTrue;
      if (labels.rank === 1 && labels.shape[0] === n) {
        this.addTotals(argmaxMatchCount(labels, yPred, false), n);
        return;
      }
    }
    super.updateState(yTrue, yPred, sampleWeight);
  }
}

/** How often the one-hot target is in the top k predictions (k 5); name "top_k_categorical_accuracy". */
export class TopKCategoricalAccuracy extends MeanMetricWrapper {
  readonly k: number;
  constructor(args: MetricArgs & { k?: number } = {}) {
    const k = args.k ?? 5;
    checkK(k, "TopKCategoricalAccuracy");
    super((t, p) => topKCategoricalAccuracy(t, p, k), { ...args, className: "TopKCategoricalAccuracy" }, "top_k_categorical_accuracy");
    this.k = k;
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), k: this.k };
  }
}

/** How often the integer target is in the top k predictions (k 5); name "sparse_top_k_categorical_accuracy". */
export class SparseTopKCategoricalAccuracy extends MeanMetricWrapper {
  readonly k: number;
  constructor(args: MetricArgs & { k?: number } = {}) {
    const k = args.k ?? 5;
    checkK(k, "SparseTopKCategoricalAccuracy");
    super((t, p) => sparseTopKCategoricalAccuracy(t, p, k), { ...args, className: "SparseTopKCategoricalAccuracy" }, "sparse_top_k_categorical_accuracy");
    this.k = k;
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), k: this.k };
  }
}
