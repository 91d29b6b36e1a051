import { getBackend, type UnaryOp } from "../backend/backend.js";
import { checkDType, type DType } from "../backend/dtypes.js";
import { formatShape, shapesEqual } from "../backend/shape.js";
import { makeTensor, type Tensor } from "../backend/tensor.js";
import { isRecording, record, withoutRecording } from "../autodiff/tape.js";
import { cast, toTensor, type TensorLike } from "./core.js";
import { binaryOp, toBool, unaryOp } from "./dispatch.js";
import { add, divide, equal, exp, greater, greaterEqual, log, multiply, negative, subtract, where } from "./elementwise.js";
import { normalizeAxes } from "./helpers.js";
import { sum } from "./reduction.js";
import { reshape, transpose } from "./shape.js";
import { linkSoftmaxLogits } from "./softmax_cross_entropy.js";

/*
 * `keras.ops.nn`: activations, softmax, one-hot and cross-entropies, with Keras 3's names and
 * defaults. Integer and bool inputs to the float functions are computed in float32. `relu`,
 * `sigmoid` and `softplus` live with the elementwise ops.
 *
 * Activations run their forward pass without recording and register one VJP of their own, so a
 * gradient costs a few kernels instead of the tape of every intermediate op, and is the one JAX
 * defines at the kinks (relu6 and hard sigmoid have zero slope at their corners).
 */

/** Keras's `backend.epsilon()` default, used to clip probabilities. */
const EPSILON = 1e-7;

function floatInput(x: TensorLike, op: string): Tensor {
  const t = toTensor(x, op);
  return t.dtype === "float32" ? t : cast(t, "float32");
}

/** Elementwise activation: `forward` runs unrecorded; `vjp(g, x, out)` gives the input gradient. */
function activation(op: string, x: TensorLike, forward: (t: Tensor) => Tensor, vjp: (g: Tensor, t: Tensor, out: Tensor) => Tensor): Tensor {
  const t = floatInput(x, op);
  const raw = withoutRecording(() => forward(t));
  const out = makeTensor(raw.storage, raw.shape, raw.dtype);
  if (isRecording()) record([t], out, (g) => [vjp(g, t, out)]);
  return out;
}

const u = (op: UnaryOp, x: Tensor): Tensor => unaryOp(op, x);
const less = (x: TensorLike, y: TensorLike): Tensor => binaryOp("less", x, y, { outDtype: toBool });
const and = (x: Tensor, y: Tensor): Tensor => binaryOp("logicalAnd", x, y, { outDtype: toBool });
const minimum = (x: TensorLike, y: TensorLike): Tensor => binaryOp("minimum", x, y);

/** min(max(x, 0), 6); gradient 1 on the open interval (0, 6). */
export function relu6(x: TensorLike): Tensor {
  return activation("relu6", x, (t) => minimum(u("relu", t), 6), (g, t) => where(and(greater(t, 0), less(t, 6)), g, 0));
}

/** x for x > 0, alpha * (exp(x) - 1) otherwise. */
export function elu(x: TensorLike, alpha = 1.0): Tensor {
  return activation(
    "elu",
    x,
    (t) => where(greater(t, 0), t, multiply(u("expm1", t), alpha)),
    // For x <= 0, d/dx alpha*(exp(x)-1) = alpha*exp(x) = out + alpha.
    (g, t, out) => where(greater(t, 0), g, multiply(g, add(out, alpha))),
  );
}

const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;

/** Scaled ELU: scale * elu(x, alpha) with the self-normalizing constants. */
export function selu(x: TensorLike): Tensor {
  return activation(
    "selu",
    x,
    (t) => multiply(where(greater(t, 0), t, multiply(u("expm1", t), SELU_ALPHA)), SELU_SCALE),
    (g, t, out) => where(greater(t, 0), multiply(g, SELU_SCALE), multiply(g, add(out, SELU_SCALE * SELU_ALPHA))),
  );
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const GELU_CUBIC = 0.044715;

/**
 * Gaussian error linear unit. `approximate` (Keras's default, true) uses the tanh form
 * 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))); false gives the exact x * Phi(x).
 */
export function gelu(x: TensorLike, approximate = true): Tensor {
  if (approximate) {
    const inner = (t: Tensor) => multiply(add(t, multiply(multiply(multiply(t, t), t), GELU_CUBIC)), SQRT_2_OVER_PI);
    return activation(
      "gelu",
      x,
      (t) => multiply(multiply(t, 0.5), add(u("tanh", inner(t)), 1)),
      (g, t) => {
        const th = u("tanh", inner(t));
        // 0.5 (1 + th) + 0.5 x (1 - th^2) sqrt(2/pi) (1 + 3 * 0.044715 x^2)
        const dInner = multiply(add(multiply(multiply(t, t), 3 * GELU_CUBIC), 1), SQRT_2_OVER_PI);
        const d = add(multiply(add(th, 1), 0.5), multiply(multiply(multiply(t, 0.5), subtract(1, multiply(th, th))), dInner));
        return multiply(g, d);
      },
    );
  }
  return activation(
    "gelu",
    x,
    (t) => multiply(multiply(t, 0.5), add(u("erf", multiply(t, Math.SQRT1_2)), 1)),
    (g, t) => {
      // Phi(x) + x * phi(x), phi the standard normal density.
      const cdf = multiply(add(u("erf", multiply(t, Math.SQRT1_2)), 1), 0.5);
      const pdf = multiply(exp(multiply(multiply(t, t), -0.5)), 1 / Math.sqrt(2 * Math.PI));
      return multiply(g, add(cdf, multiply(t, pdf)));
    },
  );
}

/** x * sigmoid(x) (also called swish). */
export function silu(x: TensorLike): Tensor {
  return activation(
    "silu",
    x,
    (t) => multiply(t, u("sigmoid", t)),
    (g, t) => {
      const s = u("sigmoid", t);
      // s + x s (1 - s)
      return multiply(g, multiply(s, add(multiply(t, subtract(1, s)), 1)));
    },
  );
}

/** Alias of `silu`, as `keras.ops.swish`. */
export const swish = silu;

/** x for x >= 0, negativeSlope * x otherwise (Keras 3 default slope 0.2). */
export function leakyRelu(x: TensorLike, negativeSlope = 0.2): Tensor {
  return activation(
    "leakyRelu",
    x,
    (t) => where(greaterEqual(t, 0), t, multiply(t, negativeSlope)),
    (g, t) => where(greaterEqual(t, 0), g, multiply(g, negativeSlope)),
  );
}

/** clip(x / 6 + 1/2, 0, 1), i.e. relu6(x + 3) / 6 (Keras 3; not Keras 2's 0.2 x + 0.5). */
export function hardSigmoid(x: TensorLike): Tensor {
  return activation("hardSigmoid", x, hardSigmoidForward, (g, t) => where(hardSigmoidLinear(t), multiply(g, 1 / 6), 0));
}

function hardSigmoidForward(t: Tensor): Tensor {
  return minimum(u("relu", add(divide(t, 6), 0.5)), 1);
}

/** The open interval (-3, 3) where hard sigmoid has slope 1/6. */
function hardSigmoidLinear(t: Tensor): Tensor {
  return and(greater(t, -3), less(t, 3));
}

/** x * hardSigmoid(x) (also called hard swish). */
export function hardSilu(x: TensorLike): Tensor {
  return activation(
    "hardSilu",
    x,
    (t) => multiply(t, hardSigmoidForward(t)),
    (g, t) => multiply(g, add(hardSigmoidForward(t), where(hardSigmoidLinear(t), divide(t, 6), 0))),
  );
}

/** Alias of `hardSilu`, as `keras.ops.hard_swish`. */
export const hardSwish = hardSilu;

/** x / (1 + |x|). */
export function softsign(x: TensorLike): Tensor {
  return activation(
    "softsign",
    x,
    (t) => divide(t, add(u("abs", t), 1)),
    (g, t) => {
      const d = add(u("abs", t), 1);
      return divide(g, multiply(d, d));
    },
  );
}

/** log(sigmoid(x)) = -softplus(-x), stable for large |x|. */
export function logSigmoid(x: TensorLike): Tensor {
  return activation("logSigmoid", x, (t) => negative(u("softplus", negative(t))), (g, t) => multiply(g, u("sigmoid", negative(t))));
}

/* ------------------------------------------------------------------------------------------- */

/**
 * Runs a row kernel over the given axes: moves them last, views the tensor as [rows, cols],
 * and moves them back. Transposes and reshapes record their own gradients.
 */
function alongAxes(x: TensorLike, axis: number | readonly number[], op: string, kernel: (t2: Tensor) => Tensor): Tensor {
  const t = floatInput(x, op);
  const axes = normalizeAxes(axis, t.rank, op);
  if (axes.length === 0) throw new Error(`${op}: axis must name at least one axis`);
  const rest = t.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const perm = [...rest, ...axes];
  const moved = transpose(t, perm);
  let cols = 1;
  for (const a of axes) cols *= t.shape[a];
  const rows = cols === 0 ? 0 : t.size / cols;
  const result = reshape(kernel(reshape(moved, [rows, cols])), moved.shape);
  const inverse = new Array<number>(perm.length);
  perm.forEach((p, i) => (inverse[p] = i));
  return transpose(result, inverse);
}

function softmaxRows(t: Tensor): Tensor {
  const [rows, cols] = t.shape;
  const out = makeTensor(getBackend().softmax(t.storage as Float32Array, rows, cols), t.shape, "float32");
  // dx = y * (g - sum(g * y)) per row.
  if (isRecording()) record([t], out, (g) => [multiply(out, subtract(g, sum(multiply(g, out), -1, true)))]);
  return out;
}

function logSoftmaxRows(t: Tensor): Tensor {
  const [rows, cols] = t.shape;
  const out = makeTensor(getBackend().logSoftmax(t.storage as Float32Array, rows, cols), t.shape, "float32");
  // dx = g - softmax * sum(g) per row.
  if (isRecording()) record([t], out, (g) => [subtract(g, multiply(exp(out), sum(g, -1, true)))]);
  return out;
}

/**
 * exp(x) / sum(exp(x)) along `axis` (an axis or several; default the last), computed stably. Over
 * the last axis, the result keeps a hidden link to `x` (Keras's TensorFlow backend's
 * `_keras_logits`), so that a cross-entropy of these probabilities is computed from the logits.
 */
export function softmax(x: TensorLike, axis: number | readonly number[] = -1): Tensor {
  const t = floatInput(x, "softmax");
  if (t.rank >= 1) {
    const axes = normalizeAxes(axis, t.rank, "softmax");
    if (axes.length === 1 && axes[0] === t.rank - 1) {
      const cols = t.shape[t.rank - 1];
      const rows = cols === 0 ? 0 : t.size / cols;
      const out = t.rank === 2 ? softmaxRows(t) : reshape(softmaxRows(reshape(t, [rows, cols])), t.shape);
      linkSoftmaxLogits(out, t);
      return out;
    }
  }
  return alongAxes(t, axis, "softmax", softmaxRows);
}

/** x - logsumexp(x) along `axis` (default the last). */
export function logSoftmax(x: TensorLike, axis: number | readonly number[] = -1): Tensor {
  return alongAxes(x, axis, "logSoftmax", logSoftmaxRows);
}

/**
 * One-hot encoding of integer class indices: a new axis of size `numClasses` at `axis` (default
 * last). Indices outside [0, numClasses) give all-zero vectors, as in JAX and TensorFlow. Float
 * indices are truncated to integers.
 */
export function oneHot(x: TensorLike, numClasses: number, axis = -1, dtype: DType = "float32"): Tensor {
  let t = toTensor(x, "oneHot");
  checkDType(dtype, "oneHot");
  if (!Number.isInteger(numClasses) || numClasses < 0) throw new RangeError(`oneHot: numClasses must be a non-negative integer, got ${numClasses}`);
  const outRank = t.rank + 1;
  if (!Number.isInteger(axis) || axis < -outRank || axis >= outRank) {
    throw new RangeError(`oneHot: axis ${axis} is out of bounds for the rank-${outRank} result`);
  }
  const at = axis < 0 ? axis + outRank : axis;
  if (t.dtype !== "int32") t = cast(t, "int32");
  const expanded = reshape(t, [...t.shape.slice(0, at), 1, ...t.shape.slice(at)]);
  const classes = new Int32Array(numClasses);
  for (let i = 0; i < numClasses; i++) classes[i] = i;
  const classShape = [numClasses, ...new Array<number>(t.rank - at).fill(1)];
  const hot = equal(expanded, makeTensor(classes, classShape, "int32"));
  return cast(hot, dtype);
}

/** clip(x, lo, hi); the gradient passes where lo <= x <= hi. */
function clipValues(x: Tensor, lo: number, hi: number): Tensor {
  return where(less(x, lo), lo, where(greater(x, hi), hi, x));
}

function checkSameShape(target: Tensor, output: Tensor, op: string): void {
  if (!shapesEqual(target.shape, output.shape)) {
    throw new Error(`${op}: arguments \`target\` and \`output\` must have the same shape, got target.shape=${formatShape(target.shape)} and output.shape=${formatShape(output.shape)}`);
  }
}

/** log-probabilities along `axis`: log_softmax of logits, or the log of renormalized, clipped probabilities. */
function logProbabilities(output: Tensor, fromLogits: boolean, axis: number): Tensor {
  if (fromLogits) return logSoftmax(output, axis);
  const normalized = divide(output, sum(output, axis, true));
  return log(clipValues(normalized, EPSILON, 1 - EPSILON));
}

/**
 * Cross-entropy between one-hot (or soft) `target` and `output` along `axis`, as
 * `keras.ops.categorical_crossentropy`: one loss per sample (the result drops `axis`). Without
 * `fromLogits`, `output` is rescaled to sum to 1 and clipped to [1e-7, 1 - 1e-7].
 */
export function categoricalCrossentropy(target: TensorLike, output: TensorLike, fromLogits = false, axis = -1): Tensor {
  const op = "categoricalCrossentropy";
  const t = floatInput(target, op);
  const o = floatInput(output, op);
  checkSameShape(t, o, op);
  if (o.rank < 1) throw new Error(`${op}: arguments \`target\` and \`output\` must be at least rank 1, got shape ${formatShape(o.shape)}`);
  const ax = normalizeAxes(axis, o.rank, op)[0];
  return negative(sum(multiply(t, logProbabilities(o, fromLogits, ax)), ax));
}

/**
 * Cross-entropy with integer class indices as `target`, as
 * `keras.ops.sparse_categorical_crossentropy`: target has output's shape without `axis` (a
 * trailing axis of size 1 is squeezed); out-of-range indices contribute zero loss.
 */
export function sparseCategoricalCrossentropy(target: TensorLike, output: TensorLike, fromLogits = false, axis = -1): Tensor {
  const op = "sparseCategoricalCrossentropy";
  let t = toTensor(target, op);
  const o = floatInput(output, op);
  if (o.rank < 1) throw new Error(`${op}: argument \`output\` must be at least rank 1, got shape ${formatShape(o.shape)}`);
  const ax = normalizeAxes(axis, o.rank, op)[0];
  if (t.rank === o.rank && t.shape[t.rank - 1] === 1) t = reshape(t, t.shape.slice(0, -1));
  const expected = o.shape.filter((_, i) => i !== ax);
  if (!shapesEqual(t.shape, expected)) {
    throw new Error(`${op}: \`target\` must have the shape of \`output\` without axis ${ax}: expected ${formatShape(expected)}, got target.shape=${formatShape(t.shape)} and output.shape=${formatShape(o.shape)}`);
  }
  const hot = oneHot(t, o.shape[ax], ax);
  return negative(sum(multiply(hot, logProbabilities(o, fromLogits, ax)), ax));
}

/**
 * Elementwise binary cross-entropy, as `keras.ops.binary_crossentropy` (same shape as `target`;
 * `keras.losses` averages it over the last axis). Logits use the stable log-sigmoid form;
 * probabilities are clipped to [1e-7, 1 - 1e-7].
 */
export function binaryCrossentropy(target: TensorLike, output: TensorLike, fromLogits = false): Tensor {
  const op = "binaryCrossentropy";
  const t = floatInput(target, op);
  const o = floatInput(output, op);
  checkSameShape(t, o, op);
  if (fromLogits) {
    // -(t log sigmoid(o) + (1 - t) log sigmoid(-o))
    return negative(add(multiply(t, logSigmoid(o)), multiply(subtract(1, t), logSigmoid(negative(o)))));
  }
  const p = clipValues(o, EPSILON, 1 - EPSILON);
  return negative(add(multiply(t, log(p)), multiply(subtract(1, t), log(subtract(1, p)))));
}
