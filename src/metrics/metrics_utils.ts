import type { Tensor } from "../backend/tensor.js";
import type { Variable } from "../backend/variable.js";
import { formatShape, shapesEqual } from "../backend/shape.js";
import * as ops from "../ops/index.js";
import type { TensorLike } from "../ops/core.js";
import { squeezeOrExpandToSameRank } from "../losses/loss.js";
import { divideNoNan, floatTensor } from "../losses/losses.js";

export { divideNoNan, floatTensor };

/** Keras's `metrics_utils.NEG_INF`: the score given to predictions outside the top k. */
export const NEG_INF = -1e10;

/** Keras's `backend.epsilon()`: AUC's end thresholds are -epsilon and 1 + epsilon. */
export const EPSILON_THRESHOLD = 1e-7;


/**
 * Values and per-value weights, with a [batch] or [batch, 1] weight lined up against the values
 * and broadcast over them (Keras's squeeze-or-expand, then broadcast).
 */
export function lineUpWeights(values: Tensor, sampleWeight: TensorLike | undefined, metric: string): Tensor | undefined {
  if (sampleWeight === undefined || sampleWeight === null) return undefined;
  let w = floatTensor(sampleWeight);
  while (w.rank > values.rank && w.shape[w.rank - 1] === 1) w = ops.squeeze(w, -1);
  while (w.rank < values.rank) w = ops.expandDims(w, -1);
  try {
    return ops.broadcastTo(w, values.shape);
  } catch {
    throw new Error(`${metric}: sample_weight of shape ${formatShape(floatTensor(sampleWeight).shape)} cannot be broadcast to the values of shape ${formatShape(values.shape)}`);
  }
}

/** A checked-for-equal-shapes pair (after Keras's squeeze-or-expand), in float32. */
export function sameShapePair(yTrue: TensorLike, yPred: TensorLike, metric: string, hint = ""): [Tensor, Tensor] {
  const p0 = floatTensor(yPred);
  const t0 = floatTensor(yTrue);
  const [t, p] = squeezeOrExpandToSameRank(t0, p0);
  if (!shapesEqual(t.shape, p.shape)) {
    throw new Error(`${metric}: y_true and y_pred must have the same shape, but got y_true.shape=${formatShape(t0.shape)} and y_pred.shape=${formatShape(p0.shape)}.${hint}`);
  }
  return [t, p];
}

/**
 * Keeps the k largest values along the last axis and sets the rest to NEG_INF (ties go to the
 * lower index, as `top_k`). Pairwise comparisons: fine for the usual handful of classes.
 */
export function filterTopK(x: Tensor, k: number): Tensor {
  const classes = x.shape[x.rank - 1];
  if (k >= classes) return x;
  const xj = ops.expandDims(x, -1); // [..., C(j), 1]
  const xi = ops.expandDims(x, -2); // [..., 1, C(i)]
  const greaterCount = ops.sum(ops.cast(ops.greater(xi, xj), "float32"), -1);
  // Ties ahead of j: equal values at a lower index i < j.
  const earlier = ops.tri(classes, classes, -1); // [j][i] = 1 where i < j
  const tiedAhead = ops.sum(ops.multiply(ops.cast(ops.equal(xi, xj), "float32"), earlier), -1);
  const keep = ops.less(ops.add(greaterCount, tiedAhead), k);
  return ops.where(keep, x, NEG_INF);
}

/** Keras's `is_evenly_distributed_thresholds`: at least 3 thresholds, i / (n - 1). */
export function isEvenlyDistributed(thresholds: readonly number[]): boolean {
  const n = thresholds.length;
  if (n < 3) return false;
  return thresholds.every((t, i) => Math.abs(t - i / (n - 1)) <= 1e-7 + 1e-5 * Math.abs(i / (n - 1)));
}

export interface ConfusionVariables {
  tp?: Variable;
  fp?: Variable;
  tn?: Variable;
  fn?: Variable;
}

export interface ConfusionOptions {
  topK?: number | null;
  classId?: number | null;
  sampleWeight?: TensorLike;
  /** Keep the label axis: variables are [thresholds, labels]. */
  multiLabel?: boolean;
  /** Per-label weights (not with multiLabel). */
  labelWeights?: Tensor | null;
  /** Thresholds spread evenly over [0, 1]: predictions are clipped to [0, 1] first, as Keras's fast path. */
  evenlyDistributed?: boolean;
}

/**
 * Keras's `update_confusion_matrix_variables`: for every threshold t, a prediction p counts as
 * positive when p > t; labels are positive when nonzero. Adds the (weighted) counts of true/false
 * positives/negatives to the given variables, all with ops.
 */
export function updateConfusionMatrixVariables(
  variables: ConfusionVariables,
  yTrue: TensorLike,
  yPred: TensorLike,
  thresholds: readonly number[],
  options: ConfusionOptions,
  metric: string,
): void {
  let p = floatTensor(yPred);
  let t = floatTensor(yTrue);
  [p, t] = squeezeOrExpandToSameRank(p, t);
  if (!shapesEqual(t.shape, p.shape)) {
    throw new Error(`${metric}: y_true and y_pred must have the same shape, but got y_true.shape=${formatShape(floatTensor(yTrue).shape)} and y_pred.shape=${formatShape(floatTensor(yPred).shape)}`);
  }
  let sw: Tensor | undefined;
  if (options.sampleWeight !== undefined && options.sampleWeight !== null) {
    sw = ops.expandDims(floatTensor(options.sampleWeight), -1);
    [, sw] = squeezeOrExpandToSameRank(t, sw, false);
  }
  if (options.topK !== undefined && options.topK !== null) p = filterTopK(p, options.topK);
  if (options.classId !== undefined && options.classId !== null) {
    const classes = p.rank > 0 ? p.shape[p.rank - 1] : 0;
    if (p.rank < 2) throw new Error(`${metric}: with classId, y_pred must have shape [num_samples, num_classes], got ${formatShape(p.shape)}`);
    if (!Number.isInteger(options.classId) || options.classId < 0 || options.classId >= classes) {
      throw new RangeError(`${metric}: classId ${options.classId} is outside [0, ${classes}) for y_pred of shape ${formatShape(p.shape)}`);
    }
    t = ops.take(t, [options.classId], -1);
    p = ops.take(p, [options.classId], -1);
  }
  if (options.evenlyDistributed) p = ops.clip(p, 0, 1);

  let weights: Tensor | undefined;
  if (sw !== undefined) {
    try {
      weights = ops.broadcastTo(sw, p.shape);
    } catch {
      throw new Error(`${metric}: sample_weight of shape ${formatShape(floatTensor(options.sampleWeight!).shape)} cannot be broadcast to y_pred of shape ${formatShape(p.shape)}`);
    }
  }
  if (options.labelWeights && !options.multiLabel) {
    const lw = ops.broadcastTo(ops.expandDims(options.labelWeights, 0), p.shape);
    weights = weights === undefined ? lw : ops.multiply(weights, lw);
  }

  const numThresholds = thresholds.length;
  const labels = ops.cast(ops.notEqual(t, 0), "float32");
  let predRow: Tensor;
  let labelRow: Tensor;
  let weightRow: Tensor | undefined;
  let thresh: Tensor;
  if (options.multiLabel) {
    if (p.rank !== 2) throw new Error(`${metric}: with multiLabel, y_pred must have rank 2 ([num_samples, num_labels]), got ${formatShape(p.shape)}`);
    predRow = ops.expandDims(p, 0); // [1, N, L]
    labelRow = ops.expandDims(labels, 0);
    weightRow = weights === undefined ? undefined : ops.expandDims(weights, 0);
    thresh = ops.reshape(ops.convertToTensor(Float32Array.from(thresholds)), [numThresholds, 1, 1]);
  } else {
    predRow = ops.reshape(p, [1, p.size]); // [1, P]
    labelRow = ops.reshape(labels, [1, p.size]);
    weightRow = weights === undefined ? undefined : ops.reshape(weights, [1, p.size]);
    thresh = ops.reshape(ops.convertToTensor(Float32Array.from(thresholds)), [numThresholds, 1]);
  }
  const predPos = ops.cast(ops.greater(predRow, thresh), "float32"); // [T, P] or [T, N, L]
  const predNeg = ops.subtract(1, predPos);
  const pos = weightRow === undefined ? labelRow : ops.multiply(labelRow, weightRow);
  const neg = weightRow === undefined ? ops.subtract(1, labelRow) : ops.multiply(ops.subtract(1, labelRow), weightRow);
  if (variables.tp) variables.tp.assignAdd(ops.sum(ops.multiply(predPos, pos), 1));
  if (variables.fp) variables.fp.assignAdd(ops.sum(ops.multiply(predPos, neg), 1));
  if (variables.fn) variables.fn.assignAdd(ops.sum(ops.multiply(predNeg, pos), 1));
  if (variables.tn) variables.tn.assignAdd(ops.sum(ops.multiply(predNeg, neg), 1));
}
