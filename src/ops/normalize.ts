import { fusedKernels, type NormalizeArgs } from "../backend/backend.js";
import { formatShape } from "../backend/shape.js";
import { makeTensor, type Tensor } from "../backend/tensor.js";
import { isRecording, record } from "../autodiff/tape.js";
import { cast, toTensor, type TensorLike } from "./core.js";
import { unaryOp } from "./dispatch.js";
import { abs, divide, equal, greaterEqual, lessEqual, maximum, minimum, multiply, notEqual, power, sign, sqrt, square, subtract, where } from "./elementwise.js";
import { normalizeAxes } from "./helpers.js";
import { max, sum } from "./reduction.js";
import { reshape } from "./shape.js";

/*
 * Normalizing by a norm runs one kernel that reads x twice per slice and writes only the float32
 * result: a uint8 image set (or a deferred cast of one) is never converted, squared or summed into
 * arrays of its own size, as the op-by-op formula would be.
 */

/** Keras's `backend.epsilon()` default, the lower bound of the norm. */
const EPSILON = 1e-7;

type Axis = number | readonly number[] | null;

/**
 * Keras's `ops.normalize`: `x / max(norm(x), epsilon)` over `axis` (an axis or several; the Lp norm
 * of order `order`, an integer >= 1). Order 2 is computed as Keras computes it,
 * `x * min(rsqrt(sum(x²)), 1 / epsilon)`. `epsilon` defaults to Keras's `backend.epsilon()`, 1e-7.
 * Integer and bool inputs give float32; a scalar is normalized as a vector of one element.
 *
 *   ops.normalize([[1, 2, 3], [4, 5, 6]])  // [[0.2673, 0.5345, 0.8018], [0.4558, 0.5698, 0.6838]]
 */
export function normalize(x: TensorLike, axis: Axis = -1, order = 2, epsilon: number = EPSILON): Tensor {
  let t = toTensor(x, "normalize");
  if (typeof order !== "number" || !Number.isInteger(order) || order < 1) {
    throw new RangeError(`normalize: order must be an integer >= 1, got ${String(order)}`);
  }
  if (typeof epsilon !== "number" || !(epsilon >= 0) || epsilon === Infinity) {
    throw new RangeError(`normalize: epsilon must be a finite number >= 0, got ${String(epsilon)}`);
  }
  if (t.rank === 0) t = reshape(t, [1]);
  const axes = normalizeAxes(axis, t.rank, "normalize");
  if (order !== 2 && axes.length > 1) {
    // Keras takes the matrix norm of that order over two axes (and fails on more).
    throw new Error(`normalize: order ${order} over several axes (${JSON.stringify(axes)}) is a matrix norm in Keras, which keras-ts does not have; use order 2 or one axis`);
  }
  return runNormalize(t, axes, { order, mode: "epsilon", epsilon });
}

/**
 * Keras's `utils.normalize` on a NumPy array (not an op of `keras.ops`): x divided by its L`order`
 * norm over `axis`, a zero norm taken as 1. `order` is a positive number or Infinity; the result
 * is float32, with the numbers of the formula written with float32 ops.
 */
export function divideByNorm(x: TensorLike, axis: Axis = -1, order = 2): Tensor {
  const t = toTensor(x, "normalize");
  if (typeof order !== "number" || !(order > 0)) throw new RangeError(`normalize: order must be a positive number or Infinity, got ${String(order)}`);
  const axes = normalizeAxes(axis, t.rank, "normalize");
  const empty = axes.find((a) => t.shape[a] === 0);
  if (order === Infinity && empty !== undefined) {
    throw new Error(`normalize: zero-size axis ${empty} of a tensor of shape ${formatShape(t.shape)} has no maximum, so no infinity norm`);
  }
  return runNormalize(t, axes, { order, mode: "zeroAsOne", epsilon: 0 });
}

function runNormalize(t: Tensor, axes: readonly number[], args: NormalizeArgs): Tensor {
  const out = makeTensor(fusedKernels().normalize(t.storageForConversion(), t.shape, axes, args), t.shape, "float32");
  if (t.dtype === "float32" && isRecording()) record([t], out, (g) => [normalizeGrad(g, t, axes, args)]);
  return out;
}

/**
 * With y = x / d (or x * r for Keras's order 2) and n the norm of x's slice,
 *   dx = g / d - [d follows n] * (Σ g x) / d² * dn/dx     (Σ over the slice)
 *   dx = g * r - [r follows rsqrt] * (Σ g x) * r³ * x       (Keras's order 2)
 * where d stops following n where it is clamped (n below epsilon) or replaced (a zero norm taken
 * as 1); at a tie with epsilon the gradient goes to n, as `maximum`'s does.
 */
function normalizeGrad(g: Tensor, x: Tensor, axes: readonly number[], args: NormalizeArgs): Tensor {
  const { order, mode, epsilon } = args;
  const gx = sum(multiply(g, x), axes, true);
  if (order === 2 && mode === "epsilon") {
    const rs = unaryOp("rsqrt", sum(square(x), axes, true));
    const r = minimum(rs, 1 / epsilon);
    const coef = where(lessEqual(rs, 1 / epsilon), multiply(multiply(multiply(r, r), r), gx), 0);
    return subtract(multiply(g, r), multiply(coef, x));
  }
  const ax = abs(x);
  let n: Tensor;
  if (order === 2) n = sqrt(sum(square(x), axes, true));
  else if (order === 1) n = sum(ax, axes, true);
  else if (order === Infinity) n = max(ax, axes, true);
  else n = power(sum(power(ax, order), axes, true), 1 / order);
  const follows = mode === "epsilon" ? greaterEqual(n, epsilon) : notEqual(n, 0);
  // d is n wherever the gradient follows n, and nonzero elsewhere, so dn stays finite where unused.
  const d = mode === "epsilon" ? maximum(n, epsilon) : where(follows, n, 1);
  let dn: Tensor;
  if (order === 2) dn = divide(x, d);
  else if (order === 1) dn = sign(x);
  else if (order === Infinity) {
    // The max's gradient, shared equally between ties (as `max` shares it).
    const extreme = cast(equal(ax, n), "float32");
    dn = divide(multiply(sign(x), extreme), sum(extreme, axes, true));
  } else dn = multiply(multiply(sign(x), power(ax, order - 1)), power(d, 1 - order));
  const coef = where(follows, divide(gx, square(d)), 0);
  return subtract(divide(g, d), multiply(coef, dn));
}
