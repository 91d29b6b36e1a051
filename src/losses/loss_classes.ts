import type { Tensor } from "../backend/tensor.js";
import { convertToTensor, type TensorLike } from "../ops/core.js";
import { LossFunctionWrapper, reduceWeightedValues, type LossArgs } from "./loss.js";
import * as fns from "./losses.js";

/*
 * `keras.losses` classes: each wraps its function with a reduction ("sum_over_batch_size" by
 * default) and sample weights. Default names and `getConfig()` keys follow Keras 3.
 */

/** Options every loss class accepts. `dtype` is accepted for Keras configs and ignored (float32). */
export interface LossOptions extends LossArgs {
  dtype?: unknown;
}

export interface CrossentropyLossOptions extends LossOptions {
  fromLogits?: boolean;
  labelSmoothing?: number;
  axis?: number;
}

function wrapperArgs(args: LossOptions, name: string, className: string): LossArgs & { className: string } {
  return { name: args.name ?? name, reduction: args.reduction, className };
}

/** mean(square(yTrue - yPred)); name "mean_squared_error". */
export class MeanSquaredError extends LossFunctionWrapper {
  constructor(args: LossOptions = {}) {
    super(fns.meanSquaredError, wrapperArgs(args, "mean_squared_error", "MeanSquaredError"));
  }
}

/** mean(abs(yTrue - yPred)); name "mean_absolute_error". */
export class MeanAbsoluteError extends LossFunctionWrapper {
  constructor(args: LossOptions = {}) {
    super(fns.meanAbsoluteError, wrapperArgs(args, "mean_absolute_error", "MeanAbsoluteError"));
  }
}

/** 100 * mean(abs((yTrue - yPred) / yTrue)); name "mean_absolute_percentage_error". */
export class MeanAbsolutePercentageError extends LossFunctionWrapper {
  constructor(args: LossOptions = {}) {
    super(fns.meanAbsolutePercentageError, wrapperArgs(args, "mean_absolute_percentage_error", "MeanAbsolutePercentageError"));
  }
}

/** mean(square(log(yTrue + 1) - log(yPred + 1))); name "mean_squared_logarithmic_error". */
export class MeanSquaredLogarithmicError extends LossFunctionWrapper {
  constructor(args: LossOptions = {}) {
    super(fns.meanSquaredLogarithmicError, wrapperArgs(args, "mean_squared_logarithmic_error", "MeanSquaredLogarithmicError"));
  }
}

/** -sum(l2_norm(yTrue) * l2_norm(yPred), axis); name "cosine_similarity", axis -1. */
export class CosineSimilarity extends LossFunctionWrapper {
  readonly axis: number;
  constructor(args: LossOptions & { axis?: number } = {}) {
    const axis = args.axis ?? -1;
    super((t, p) => fns.cosineSimilarity(t, p, axis), wrapperArgs(args, "cosine_similarity", "CosineSimilarity"));
    this.axis = axis;
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis };
  }
}

/** Quadratic within `delta` (default 1.0) of the target, linear beyond; name "huber_loss". */
export class Huber extends LossFunctionWrapper {
  readonly delta: number;
  constructor(args: LossOptions & { delta?: number } = {}) {
    const delta = args.delta ?? 1.0;
    if (typeof delta !== "number" || !(delta >= 0)) throw new RangeError(`Huber: delta must be a non-negative number, got ${String(delta)}`);
    super((t, p) => fns.huber(t, p, delta), wrapperArgs(args, "huber_loss", "Huber"));
    this.delta = delta;
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), delta: this.delta };
  }
}

/** mean(log(cosh(yPred - yTrue))); name "log_cosh". */
export class LogCosh extends LossFunctionWrapper {
  constructor(args: LossOptions = {}) {
    super(fns.logCosh, wrapperArgs(args, "log_cosh", "LogCosh"));
  }
}

/** mean(maximum(1 - yTrue * yPred, 0)), 0/1 labels taken as -1/1; name "hinge". */
export class Hinge extends LossFunctionWrapper {
  constructor(args: LossOptions = {}) {
    super(fns.hinge, wrapperArgs(args, "hinge", "Hinge"));
  }
}

/** mean(square(maximum(1 - yTrue * yPred, 0))); name "squared_hinge". */
export class SquaredHinge extends LossFunctionWrapper {
  constructor(args: LossOptions = {}) {
    super(fns.squaredHinge, wrapperArgs(args, "squared_hinge", "SquaredHinge"));
  }
}

/** maximum(neg - pos + 1, 0) for one-hot labels; name "categorical_hinge". */
export class CategoricalHinge extends LossFunctionWrapper {
  constructor(args: LossOptions = {}) {
    super(fns.categoricalHinge, wrapperArgs(args, "categorical_hinge", "CategoricalHinge"));
  }
}

/** sum(yTrue * log(yTrue / yPred)); name "kl_divergence". */
export class KLDivergence extends LossFunctionWrapper {
  constructor(args: LossOptions = {}) {
    super(fns.klDivergence, wrapperArgs(args, "kl_divergence", "KLDivergence"));
  }
}

/** mean(yPred - yTrue * log(yPred)); name "poisson". */
export class Poisson extends LossFunctionWrapper {
  constructor(args: LossOptions = {}) {
    super(fns.poisson, wrapperArgs(args, "poisson", "Poisson"));
  }
}

/** Binary cross-entropy (fromLogits false, labelSmoothing 0, axis -1); name "binary_crossentropy". */
export class BinaryCrossentropy extends LossFunctionWrapper {
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  readonly axis: number;
  constructor(args: CrossentropyLossOptions = {}) {
    const fromLogits = args.fromLogits ?? false;
    const labelSmoothing = args.labelSmoothing ?? 0;
    const axis = args.axis ?? -1;
    super((t, p) => fns.binaryCrossentropy(t, p, fromLogits, labelSmoothing, axis), wrapperArgs(args, "binary_crossentropy", "BinaryCrossentropy"));
    this.fromLogits = fromLogits;
    this.labelSmoothing = labelSmoothing;
    this.axis = axis;
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), from_logits: this.fromLogits, label_smoothing: this.labelSmoothing, axis: this.axis };
  }
}

/** Categorical cross-entropy for one-hot labels (fromLogits false, labelSmoothing 0, axis -1); name "categorical_crossentropy". */
export class CategoricalCrossentropy extends LossFunctionWrapper {
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  readonly axis: number;
  constructor(args: CrossentropyLossOptions = {}) {
    const fromLogits = args.fromLogits ?? false;
    const labelSmoothing = args.labelSmoothing ?? 0;
    const axis = args.axis ?? -1;
    super((t, p) => fns.categoricalCrossentropy(t, p, fromLogits, labelSmoothing, axis), wrapperArgs(args, "categorical_crossentropy", "CategoricalCrossentropy"));
    this.fromLogits = fromLogits;
    this.labelSmoothing = labelSmoothing;
    this.axis = axis;
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), from_logits: this.fromLogits, label_smoothing: this.labelSmoothing, axis: this.axis };
  }
}

export interface SparseCrossentropyLossOptions extends LossOptions {
  fromLogits?: boolean;
  /** Samples with this label get zero loss and are left out of the mean. */
  ignoreClass?: number | null;
  /** The class axis of y_pred (an extension: Keras's class has no `axis`). Default -1. */
  axis?: number;
}

/**
 * Cross-entropy for integer class labels (fromLogits false, ignoreClass null); name
 * "sparse_categorical_crossentropy". Labels outside [0, numClasses) throw.
 */
export class SparseCategoricalCrossentropy extends LossFunctionWrapper {
  readonly fromLogits: boolean;
  readonly ignoreClass: number | null;
  readonly axis: number;
  constructor(args: SparseCrossentropyLossOptions = {}) {
    const fromLogits = args.fromLogits ?? false;
    const ignoreClass = args.ignoreClass ?? null;
    const axis = args.axis ?? -1;
    super((t, p) => fns.sparseCategoricalCrossentropy(t, p, fromLogits, ignoreClass, axis), wrapperArgs(args, "sparse_categorical_crossentropy", "SparseCategoricalCrossentropy"));
    this.fromLogits = fromLogits;
    this.ignoreClass = ignoreClass;
    this.axis = axis;
  }

  /** As Keras: with `ignoreClass`, the mean reductions average over the samples not ignored. */
  override apply(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike): Tensor {
    if (this.ignoreClass === null) return super.apply(yTrue, yPred, sampleWeight);
    const t = convertToTensor(yTrue);
    const p = convertToTensor(yPred);
    const values = this.call(t, p);
    const mask = fns.sparseValidMask(t, p, this.ignoreClass, this.axis);
    return reduceWeightedValues(values, sampleWeight === undefined ? undefined : convertToTensor(sampleWeight), this.reduction, mask);
  }

  override getConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = { ...super.getConfig(), from_logits: this.fromLogits, ignore_class: this.ignoreClass };
    // Keras's class has no `axis`; write it only when it was changed.
    if (this.axis !== -1) config.axis = this.axis;
    return config;
  }
}
