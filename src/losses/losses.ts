import type { Tensor } from "../backend/tensor.js";
import { formatShape, shapesEqual } from "../backend/shape.js";
import * as ops from "../ops/index.js";
import { convertToTensor, type TensorLike } from "../ops/core.js";
import { softmaxCrossEntropyWithLogits, softmaxLogits } from "../ops/softmax_cross_entropy.js";
import { isTracked } from "../autodiff/tape.js";
import { squeezeOrExpandToSameRank } from "./loss.js";

/*
 * `keras.losses` functions: each takes (yTrue, yPred) and returns one loss value per sample (the
 * last axis reduced), as in Keras 3's keras/src/losses/losses.py. The classes in loss_classes.ts
 * wrap them with a reduction and sample weights.
 */

/** Keras's `backend.epsilon()`. */
export const EPSILON = 1e-7;

/** A loss function: per-sample values from (yTrue, yPred). */
export type LossFn = (yTrue: Tensor, yPred: Tensor) => Tensor;

/** `x` as a float32 tensor (cast when it is not one). */
export function floatTensor(x: TensorLike): Tensor {
  const t = convertToTensor(x);
  return t.dtype === "float32" ? t : ops.cast(t, "float32");
}

/** Keras's `divide_no_nan`: x / y, and 0 where y is 0. */
export function divideNoNan(x: TensorLike, y: TensorLike): Tensor {
  const den = floatTensor(y);
  const zero = ops.equal(den, 0);
  return ops.where(zero, 0, ops.divide(x, ops.where(zero, 1, den)));
}

/** The mean over the last axis, or the value itself for scalars. */
function meanLast(x: Tensor, axis = -1): Tensor {
  return x.rank === 0 ? x : ops.mean(x, axis);
}

/** A hint for the usual mistake behind a shape mismatch in a classification loss. */
function classIndexHint(yTrue: Tensor, yPred: Tensor, sparseName: string): string {
  const classes = yPred.rank > 0 ? yPred.shape[yPred.rank - 1] : 1;
  const looksSparse =
    classes > 1 &&
    ((yTrue.rank === yPred.rank - 1 && shapesEqual(yTrue.shape, yPred.shape.slice(0, -1))) ||
      (yTrue.rank === yPred.rank && yTrue.shape[yTrue.rank - 1] === 1 && shapesEqual(yTrue.shape.slice(0, -1), yPred.shape.slice(0, -1))));
  if (!looksSparse) return "";
  return ` y_true looks like integer class indices (one per sample) while y_pred has ${classes} values per sample: use ${sparseName} for integer labels, or one-hot encode them (keras.utils.toCategorical).`;
}

/**
 * Converts both to float32, lines up a trailing axis of 1 as Keras does, and requires the same
 * shape, with an error naming the loss and both shapes.
 */
function prepare(yTrue: TensorLike, yPred: TensorLike, loss: string, hint?: (t: Tensor, p: Tensor) => string): [Tensor, Tensor] {
  const p0 = floatTensor(yPred);
  const t0 = floatTensor(yTrue);
  const [t, p] = squeezeOrExpandToSameRank(t0, p0);
  if (!shapesEqual(t.shape, p.shape)) {
    const extra = hint?.(t0, p0) ?? "";
    throw new Error(`${loss}: y_true and y_pred must have the same shape, but got y_true.shape=${formatShape(t0.shape)} and y_pred.shape=${formatShape(p0.shape)}.${extra}`);
  }
  return [t, p];
}

const categoricalHint = (t: Tensor, p: Tensor) => classIndexHint(t, p, "sparse_categorical_crossentropy (or SparseCategoricalCrossentropy)");

function checkAxis(axis: number, rank: number, loss: string): number {
  if (typeof axis !== "number" || !Number.isInteger(axis)) throw new TypeError(`${loss}: axis must be an integer, got ${String(axis)}`);
  if (rank === 0) throw new Error(`${loss}: y_pred must have at least one axis (the class axis), got a scalar`);
  if (axis < -rank || axis >= rank) throw new RangeError(`${loss}: axis ${axis} is out of bounds for y_pred of rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}

const warned = new Set<string>();

/** A warning printed once per process (as Keras's SyntaxWarning for a 1-class categorical loss). */
function warnOnce(key: string, message: string): void {
  if (warned.has(key)) return;
  warned.add(key);
  console.warn(`Warning: ${message}`);
}

function checkLabelSmoothing(labelSmoothing: number, loss: string): void {
  if (typeof labelSmoothing !== "number" || !(labelSmoothing >= 0 && labelSmoothing <= 1)) {
    throw new RangeError(`${loss}: labelSmoothing must be a number in [0, 1], got ${String(labelSmoothing)}`);
  }
}

/* ------------------------------------------------------------------------------------------- */
/* Regression                                                                                   */

/** mean(square(yTrue - yPred), axis=-1). */
export function meanSquaredError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = prepare(yTrue, yPred, "mean_squared_error");
  return meanLast(ops.square(ops.subtract(t, p)));
}

/** mean(abs(yTrue - yPred), axis=-1). */
export function meanAbsoluteError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = prepare(yTrue, yPred, "mean_absolute_error");
  return meanLast(ops.abs(ops.subtract(t, p)));
}

/** 100 * mean(abs((yTrue - yPred) / maximum(abs(yTrue), epsilon)), axis=-1). */
export function meanAbsolutePercentageError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = prepare(yTrue, yPred, "mean_absolute_percentage_error");
  const diff = ops.abs(ops.divide(ops.subtract(t, p), ops.maximum(ops.abs(t), EPSILON)));
  return ops.multiply(meanLast(diff), 100);
}

/** mean(square(log(max(yPred, eps) + 1) - log(max(yTrue, eps) + 1)), axis=-1). */
export function meanSquaredLogarithmicError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = prepare(yTrue, yPred, "mean_squared_logarithmic_error");
  const first = ops.log(ops.add(ops.maximum(p, EPSILON), 1));
  const second = ops.log(ops.add(ops.maximum(t, EPSILON), 1));
  return meanLast(ops.square(ops.subtract(first, second)));
}

/** x / ||x||_2 along `axis` (zero vectors stay zero). */
function l2Normalize(x: Tensor, axis: number): Tensor {
  const sq = ops.sum(ops.square(x), axis, true);
  return ops.divide(x, ops.sqrt(ops.maximum(sq, 1e-12)));
}

/**
 * The negative cosine similarity along `axis`: -sum(l2_norm(yTrue) * l2_norm(yPred)). Between -1
 * (same direction) and 1; 0 when either vector is zero.
 */
export function cosineSimilarity(yTrue: TensorLike, yPred: TensorLike, axis = -1): Tensor {
  const [t, p] = prepare(yTrue, yPred, "cosine_similarity");
  const ax = checkAxis(axis, p.rank, "cosine_similarity");
  return ops.negative(ops.sum(ops.multiply(l2Normalize(t, ax), l2Normalize(p, ax)), ax));
}

/** Huber loss: 0.5 x^2 where |x| <= delta, delta |x| - 0.5 delta^2 elsewhere (x = yPred - yTrue); mean over the last axis. */
export function huber(yTrue: TensorLike, yPred: TensorLike, delta = 1.0): Tensor {
  if (typeof delta !== "number" || !(delta >= 0)) throw new RangeError(`huber: delta must be a non-negative number, got ${String(delta)}`);
  const [t, p] = prepare(yTrue, yPred, "huber");
  const error = ops.subtract(p, t);
  const absError = ops.abs(error);
  const quadratic = ops.multiply(ops.square(error), 0.5);
  const linear = ops.subtract(ops.multiply(absError, delta), 0.5 * delta * delta);
  return meanLast(ops.where(ops.lessEqual(absError, delta), quadratic, linear));
}

/** mean(log(cosh(yPred - yTrue)), axis=-1), computed as x + softplus(-2x) - log(2). */
export function logCosh(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = prepare(yTrue, yPred, "log_cosh");
  const x = ops.subtract(p, t);
  return meanLast(ops.subtract(ops.add(x, ops.softplus(ops.multiply(x, -2))), Math.LN2));
}

/* ------------------------------------------------------------------------------------------- */
/* Hinge                                                                                        */

/** Keras's `convert_binary_labels_to_hinge`: labels that are all 0/1 become -1/1; others are left alone. */
function toHingeLabels(t: Tensor): Tensor {
  const isBinary = ops.all(ops.logicalOr(ops.equal(t, 0), ops.equal(t, 1)));
  return ops.where(isBinary, ops.subtract(ops.multiply(t, 2), 1), t);
}

const binaryHint = (t: Tensor, p: Tensor) => classIndexHint(t, p, "sparse_categorical_crossentropy");

/** mean(maximum(1 - yTrue * yPred, 0), axis=-1); 0/1 labels are converted to -1/1. */
export function hinge(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = prepare(yTrue, yPred, "hinge", binaryHint);
  return meanLast(ops.maximum(ops.subtract(1, ops.multiply(toHingeLabels(t), p)), 0));
}

/** mean(square(maximum(1 - yTrue * yPred, 0)), axis=-1); 0/1 labels are converted to -1/1. */
export function squaredHinge(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = prepare(yTrue, yPred, "squared_hinge", binaryHint);
  return meanLast(ops.square(ops.maximum(ops.subtract(1, ops.multiply(toHingeLabels(t), p)), 0)));
}

/** maximum(neg - pos + 1, 0) with pos = sum(yTrue * yPred), neg = max((1 - yTrue) * yPred), over the last axis. */
export function categoricalHinge(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = prepare(yTrue, yPred, "categorical_hinge", categoricalHint);
  if (p.rank === 0) throw new Error("categorical_hinge: y_pred must have a class axis, got a scalar");
  const pos = ops.sum(ops.multiply(t, p), -1);
  const neg = ops.max(ops.multiply(ops.subtract(1, t), p), -1);
  return ops.maximum(ops.add(ops.subtract(neg, pos), 1), 0);
}

/* ------------------------------------------------------------------------------------------- */
/* Probabilistic                                                                                */

/** Kullback-Leibler divergence sum(yTrue * log(yTrue / yPred), axis=-1), both clipped to [epsilon, 1]. */
export function klDivergence(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t0, p0] = prepare(yTrue, yPred, "kl_divergence");
  const t = ops.clip(t0, EPSILON, 1);
  const p = ops.clip(p0, EPSILON, 1);
  const terms = ops.multiply(t, ops.log(ops.divide(t, p)));
  return terms.rank === 0 ? terms : ops.sum(terms, -1);
}

/** Alias of `klDivergence` (Keras's `kld`). */
export const kld = klDivergence;

/** mean(yPred - yTrue * log(yPred + epsilon), axis=-1). */
export function poisson(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = prepare(yTrue, yPred, "poisson");
  return meanLast(ops.subtract(p, ops.multiply(t, ops.log(ops.add(p, EPSILON)))));
}

export interface CrossentropyOptions {
  /** y_pred holds logits rather than probabilities. Default false. */
  fromLogits?: boolean;
  /** Squeezes labels toward uniform, in [0, 1]. Default 0. */
  labelSmoothing?: number;
  /** The class axis (categorical) or the axis averaged over (binary). Default -1. */
  axis?: number;
}

function crossentropyArgs(fromLogits: boolean | CrossentropyOptions, labelSmoothing: number, axis: number): Required<CrossentropyOptions> {
  if (typeof fromLogits === "object" && fromLogits !== null) {
    return { fromLogits: fromLogits.fromLogits ?? false, labelSmoothing: fromLogits.labelSmoothing ?? 0, axis: fromLogits.axis ?? -1 };
  }
  return { fromLogits: Boolean(fromLogits), labelSmoothing, axis };
}

/**
 * Binary cross-entropy, averaged over `axis` (default the last): one value per sample. Without
 * `fromLogits`, probabilities are clipped to [1e-7, 1 - 1e-7]. `labelSmoothing` moves labels toward
 * 0.5: y * (1 - s) + 0.5 s. Options may be given positionally, as in Keras, or as an object.
 */
export function binaryCrossentropy(yTrue: TensorLike, yPred: TensorLike, fromLogits: boolean | CrossentropyOptions = false, labelSmoothing = 0, axis = -1): Tensor {
  const args = crossentropyArgs(fromLogits, labelSmoothing, axis);
  checkLabelSmoothing(args.labelSmoothing, "binary_crossentropy");
  let [t, p] = prepare(yTrue, yPred, "binary_crossentropy", binaryHint);
  if (args.labelSmoothing) t = ops.add(ops.multiply(t, 1 - args.labelSmoothing), 0.5 * args.labelSmoothing);
  const elementwise = ops.binaryCrossentropy(t, p, args.fromLogits);
  if (elementwise.rank === 0) return elementwise;
  return ops.mean(elementwise, checkAxis(args.axis, elementwise.rank, "binary_crossentropy"));
}

/**
 * Categorical cross-entropy between one-hot (or soft) labels and predictions along `axis`: one
 * value per sample. Without `fromLogits`, predictions are rescaled to sum to 1 and clipped.
 * `labelSmoothing` s gives y * (1 - s) + s / numClasses.
 */
export function categoricalCrossentropy(yTrue: TensorLike, yPred: TensorLike, fromLogits: boolean | CrossentropyOptions = false, labelSmoothing = 0, axis = -1): Tensor {
  const args = crossentropyArgs(fromLogits, labelSmoothing, axis);
  checkLabelSmoothing(args.labelSmoothing, "categorical_crossentropy");
  let [t, p] = prepare(yTrue, yPred, "categorical_crossentropy", categoricalHint);
  const ax = checkAxis(args.axis, p.rank, "categorical_crossentropy");
  if (p.shape[ax] === 1) warnOnce("categorical_crossentropy", `categorical_crossentropy: y_pred has a single class (shape ${formatShape(p.shape)}), so the loss is always 0. Use binary_crossentropy for two classes with one output unit.`);
  if (args.labelSmoothing) {
    const numClasses = p.shape[ax];
    t = ops.add(ops.multiply(t, 1 - args.labelSmoothing), args.labelSmoothing / numClasses);
  }
  const logits = crossentropyLogits(p, args.fromLogits, ax);
  if (logits !== null) return softmaxCrossEntropyWithLogits(t, logits, false);
  return ops.categoricalCrossentropy(t, p, args.fromLogits, ax);
}

/**
 * The logits a softmax cross-entropy along `axis` can be computed from with the fused kernel: `p`
 * itself with `fromLogits`, or, as Keras's TensorFlow backend does with `_keras_logits`, the logits
 * of a last-axis softmax that produced the probabilities `p`. Null when the class axis is not the
 * last, or when a gradient is being taken with respect to the probabilities themselves (watched
 * while their logits are not), which must then go through them.
 */
function crossentropyLogits(p: Tensor, fromLogits: boolean, ax: number): Tensor | null {
  if (ax !== p.rank - 1) return null;
  if (fromLogits) return p;
  const logits = softmaxLogits(p);
  if (logits === undefined || (isTracked(p) && !isTracked(logits))) return null;
  return logits;
}

/** Per-sample sparse cross-entropy: the fused kernel from logits when there are some, else the op. */
function sparsePerSample(labels: Tensor, p: Tensor, fromLogits: boolean, ax: number): Tensor {
  const logits = crossentropyLogits(p, fromLogits, ax);
  if (logits !== null) return softmaxCrossEntropyWithLogits(labels, logits, true);
  return ops.sparseCategoricalCrossentropy(labels, p, fromLogits, ax);
}

export interface SparseCrossentropyOptions {
  /** y_pred holds logits rather than probabilities. Default false. */
  fromLogits?: boolean;
  /** A label value to ignore: those samples get zero loss (and the class reduces over the rest). */
  ignoreClass?: number | null;
  /** The class axis of y_pred. Default -1. */
  axis?: number;
}

/** Labels with a trailing axis of 1 squeezed, checked against y_pred's shape without the class axis. */
function sparseLabels(yTrue: Tensor, p: Tensor, ax: number, loss: string): Tensor {
  let t = yTrue;
  if (t.rank === p.rank && t.shape[t.rank - 1] === 1) t = ops.squeeze(t, -1);
  const expected = p.shape.filter((_, i) => i !== ax);
  if (!shapesEqual(t.shape, expected)) {
    const oneHot = shapesEqual(yTrue.shape, p.shape) && p.shape[ax] > 1;
    const hint = oneHot
      ? " y_true has the shape of y_pred, so it looks one-hot encoded: use categorical_crossentropy for one-hot labels."
      : ` Labels must be class indices, one per sample: shape ${formatShape(expected)} (or ${formatShape([...expected, 1])}).`;
    throw new Error(`${loss}: y_true and y_pred have incompatible shapes: y_true.shape=${formatShape(yTrue.shape)} and y_pred.shape=${formatShape(p.shape)}.${hint}`);
  }
  return t;
}

/**
 * Throws a clear error when a label is not a class index in [0, numClasses) (labels equal to
 * `ignoreClass` excepted). Checked with ops; only the scalar verdicts are read back.
 */
export function validateClassIndices(labels: Tensor, numClasses: number, loss: string, ignoreClass?: number | null): void {
  if (labels.size === 0) return;
  if ((ignoreClass === undefined || ignoreClass === null) && labels.dtype !== "bool") {
    // The common case costs two reductions (plus a whole-number check for float labels); the
    // detailed checks below run only when something is wrong.
    const lo = ops.min(labels).item();
    const hi = ops.max(labels).item();
    if (lo >= 0 && hi < numClasses && (labels.dtype !== "float32" || !ops.any(ops.notEqual(ops.floor(labels), labels)).item())) return;
  }
  const t = floatTensor(labels);
  let outside = ops.logicalOr(ops.less(t, 0), ops.greaterEqual(t, numClasses));
  let fractional = ops.notEqual(ops.floor(t), t); // also true for NaN
  if (ignoreClass !== undefined && ignoreClass !== null) {
    const counted = ops.notEqual(t, ignoreClass);
    outside = ops.logicalAnd(outside, counted);
    fractional = ops.logicalAnd(fractional, counted);
  }
  if (ops.any(outside).item()) {
    const high = ops.max(ops.where(outside, t, -Infinity)).item();
    const value = high >= numClasses ? high : ops.min(ops.where(outside, t, Infinity)).item();
    throw new RangeError(
      `${loss}: received a label value of ${value}, which is outside the valid range of [0, ${numClasses}). ` +
        `Labels must be class indices in [0, num_classes), where num_classes=${numClasses} is the size of y_pred's class axis.`,
    );
  }
  if (ops.any(fractional).item()) {
    const value = ops.max(ops.where(fractional, t, -Infinity)).item();
    throw new RangeError(`${loss}: received a label value of ${Number.isNaN(value) ? "NaN" : value}, which is not a whole number. Labels must be class indices (integers in [0, ${numClasses})).`);
  }
}

function sparseArgs(fromLogits: boolean | SparseCrossentropyOptions, ignoreClass: number | null, axis: number): Required<SparseCrossentropyOptions> {
  if (typeof fromLogits === "object" && fromLogits !== null) {
    return { fromLogits: fromLogits.fromLogits ?? false, ignoreClass: fromLogits.ignoreClass ?? null, axis: fromLogits.axis ?? -1 };
  }
  return { fromLogits: Boolean(fromLogits), ignoreClass, axis };
}

/**
 * Cross-entropy with integer class indices as labels (int or float, shape [N] or [N, 1] for
 * predictions [N, C]): one value per sample. Labels outside [0, C) throw. Samples labelled
 * `ignoreClass` get zero loss.
 */
export function sparseCategoricalCrossentropy(
  yTrue: TensorLike,
  yPred: TensorLike,
  fromLogits: boolean | SparseCrossentropyOptions = false,
  ignoreClass: number | null = null,
  axis = -1,
): Tensor {
  const loss = "sparse_categorical_crossentropy";
  const args = sparseArgs(fromLogits, ignoreClass, axis);
  const p = floatTensor(yPred);
  const ax = checkAxis(args.axis, p.rank, loss);
  const labels = sparseLabels(convertToTensor(yTrue), p, ax, loss);
  const numClasses = p.shape[ax];
  validateClassIndices(labels, numClasses, loss, args.ignoreClass);
  if (args.ignoreClass === null) return sparsePerSample(labels, p, args.fromLogits, ax);
  const valid = ops.notEqual(labels, args.ignoreClass);
  const safeLabels = ops.where(valid, labels, 0);
  return ops.where(valid, sparsePerSample(safeLabels, p, args.fromLogits, ax), 0);
}

/** The mask of counted samples for `ignoreClass` (1 counted, 0 ignored), shaped like the per-sample loss. */
export function sparseValidMask(yTrue: Tensor, yPred: Tensor, ignoreClass: number, axis = -1): Tensor {
  const p = floatTensor(yPred);
  const ax = checkAxis(axis, p.rank, "sparse_categorical_crossentropy");
  const labels = sparseLabels(yTrue, p, ax, "sparse_categorical_crossentropy");
  return ops.cast(ops.notEqual(labels, ignoreClass), "float32");
}
