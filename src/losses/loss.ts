import type { Tensor } from "../backend/tensor.js";
import * as ops from "../ops/index.js";
import { convertToTensor, type TensorLike } from "../ops/core.js";
import { formatShape } from "../backend/shape.js";
import { sumDivide } from "../ops/sum_divide.js";

/**
 * How per-sample losses become the scalar that is minimized (Keras 3's reductions).
 * "sum_over_batch_size" (the default) divides the weighted sum by the number of loss values.
 */
export type Reduction = "sum_over_batch_size" | "sum" | "none" | "mean" | "mean_with_sample_weight";

const REDUCTIONS: readonly Reduction[] = ["sum_over_batch_size", "sum", "none", "mean", "mean_with_sample_weight"];

export interface LossArgs {
  name?: string;
  reduction?: Reduction | null;
}

/**
 * Keras's `squeeze_or_expand_to_same_rank`: when the ranks differ by exactly one and the larger
 * has a trailing axis of 1, drops that axis (or, if the other is rank 1, adds one to it).
 */
export function squeezeOrExpandToSameRank(x1: Tensor, x2: Tensor, expandRank1 = true): [Tensor, Tensor] {
  let a = x1;
  let b = x2;
  if (a.rank === b.rank + 1 && a.shape[a.rank - 1] === 1) {
    if (b.rank === 1 && expandRank1) b = ops.expandDims(b, -1);
    else a = ops.squeeze(a, -1);
  } else if (b.rank === a.rank + 1 && b.shape[b.rank - 1] === 1) {
    if (a.rank === 1 && expandRank1) a = ops.expandDims(a, -1);
    else b = ops.squeeze(b, -1);
  }
  return [a, b];
}

/**
 * Applies `sampleWeight` (broadcast over trailing axes) and reduces as Keras does. An optional
 * `mask` (1 for values that count, 0 for ignored ones) makes the "mean" reductions average over the
 * unmasked values only, as Keras's `apply_mask`.
 */
export function reduceWeightedValues(values: Tensor, sampleWeight: Tensor | undefined, reduction: Reduction, mask?: Tensor): Tensor {
  let weighted = values;
  let weights = sampleWeight;
  if (mask !== undefined) {
    let m = ops.cast(mask, values.dtype);
    if (reduction === "sum_over_batch_size" || reduction === "mean") {
      // Valid entries get weight total/valid, so the mean over all entries is the mean over valid ones.
      const valid = ops.sum(m);
      const scale = ops.where(ops.equal(valid, 0), 0, ops.divide(m.size, ops.where(ops.equal(valid, 0), 1, valid)));
      m = ops.multiply(m, scale);
    }
    if (weights !== undefined) {
      let w = ops.cast(weights, values.dtype);
      [m, w] = squeezeOrExpandToSameRank(m, w);
      weights = ops.multiply(w, m);
    } else {
      weights = m;
    }
  }
  if (weights !== undefined) {
    weights = ops.cast(weights, values.dtype);
    // A [batch, 1] weight against [batch] values, or [batch] against [batch, d]: line up the axes.
    while (weights.rank > weighted.rank && weights.shape[weights.rank - 1] === 1) weights = ops.squeeze(weights, -1);
    while (weights.rank < weighted.rank) weights = ops.expandDims(weights, -1);
    weighted = ops.multiply(weighted, weights);
  }
  switch (reduction) {
    case "none":
      return weighted;
    case "sum":
      return ops.sum(weighted);
    case "sum_over_batch_size":
    case "mean":
      if (weighted.size === 0) return ops.zeros([]);
      return weighted.dtype === "float32" ? sumDivide(weighted, weighted.size) : ops.divide(ops.sum(weighted), weighted.size);
    case "mean_with_sample_weight": {
      if (weights === undefined) return ops.mean(weighted);
      const total = ops.sum(ops.broadcastTo(weights, weighted.shape));
      return ops.divide(ops.sum(weighted), ops.maximum(total, 1e-7));
    }
  }
}

/**
 * Base of every loss: `call(yTrue, yPred)` gives per-sample values; `apply(yTrue, yPred,
 * sampleWeight?)` weights and reduces them (Keras's `loss(y_true, y_pred, sample_weight)`).
 */
export abstract class Loss {
  readonly name: string;
  readonly reduction: Reduction;

  constructor(args: LossArgs, defaultName: string) {
    this.name = args.name ?? defaultName;
    // As in Keras, an explicit `null` (Python's None) means no reduction.
    const reduction = args.reduction === undefined ? "sum_over_batch_size" : args.reduction === null ? "none" : args.reduction;
    if (!REDUCTIONS.includes(reduction)) throw new Error(`${defaultName}: invalid reduction '${reduction}'; expected one of ${REDUCTIONS.join(", ")}`);
    this.reduction = reduction;
  }

  abstract className(): string;

  abstract call(yTrue: Tensor, yPred: Tensor): Tensor;

  apply(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike): Tensor {
    const predictions = convertToTensor(yPred);
    const targets = convertToTensor(yTrue);
    const values = this.call(targets, predictions);
    return reduceWeightedValues(values, sampleWeight === undefined ? undefined : convertToTensor(sampleWeight), this.reduction);
  }

  getConfig(): Record<string, unknown> {
    return { name: this.name, reduction: this.reduction };
  }
}

/** A loss defined by a function of (yTrue, yPred) giving per-sample values. */
export class LossFunctionWrapper extends Loss {
  readonly fn: (yTrue: Tensor, yPred: Tensor) => Tensor;
  private readonly wrappedClassName: string;

  constructor(fn: (yTrue: Tensor, yPred: Tensor) => Tensor, args: LossArgs & { className?: string } = {}) {
    super(args, args.name ?? (fn.name || "loss"));
    this.fn = fn;
    this.wrappedClassName = args.className ?? "LossFunctionWrapper";
  }

  className(): string {
    return this.wrappedClassName;
  }

  call(yTrue: Tensor, yPred: Tensor): Tensor {
    // As Keras's LossFunctionWrapper: line up a [batch] against a [batch, 1] before calling fn.
    const [t, p] = squeezeOrExpandToSameRank(yTrue, yPred);
    return this.fn(t, p);
  }
}

/** yTrue and yPred must agree on the batch axis; a clear error otherwise. */
export function checkBatchAgreement(yTrue: Tensor, yPred: Tensor, loss: string): void {
  if (yTrue.rank > 0 && yPred.rank > 0 && yTrue.shape[0] !== yPred.shape[0]) {
    throw new Error(`${loss}: y_true and y_pred have different batch sizes: ${formatShape(yTrue.shape)} vs ${formatShape(yPred.shape)}`);
  }
}
