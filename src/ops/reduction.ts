import { getBackend, type ReduceOp } from "../backend/backend.js";
import { makeTensor, type Tensor } from "../backend/tensor.js";
import { checkDType, type DType } from "../backend/dtypes.js";
import { formatShape, sizeOf } from "../backend/shape.js";
import { isRecording, record } from "../autodiff/tape.js";
import { cast, stopGradient, toTensor, type TensorLike } from "./core.js";
import { normalizeAxes, normalizeAxis, reducedShape } from "./helpers.js";
import { broadcastTo, flip, pad, reshape, slice, transpose } from "./shape.js";
import { add, divide, equal, exp, log, logicalAnd, maximum, minimum, multiply, sqrt, square, subtract, where } from "./elementwise.js";
import { full } from "./creation.js";

/** Axis argument of the reductions: one axis, several, or null / undefined for all of them. */
type Axis = number | readonly number[] | null | undefined;

export interface ReduceOptions {
  /** Axis or axes to reduce; all axes when omitted or null. Negative axes count from the end. */
  axis?: number | readonly number[] | null;
  keepdims?: boolean;
}

/** Sum and product of bool and uint8 count in int32, as NumPy does; other dtypes keep theirs. */
function sumDType(dtype: DType): DType {
  return dtype === "bool" || dtype === "uint8" ? "int32" : dtype;
}

function toFloat32(t: Tensor): Tensor {
  return t.dtype === "float32" ? t : cast(t, "float32");
}

/** Runs the reduce kernel; no gradient. */
function reduceKernel(op: ReduceOp, t: Tensor, axes: readonly number[], keepdims: boolean, outDtype: DType): Tensor {
  const outShape = reducedShape(t.shape, axes, keepdims);
  return makeTensor(getBackend().reduce(op, t.storage, t.shape, axes, outDtype), outShape, outDtype);
}

/** Broadcasts a reduced gradient back over the reduced axes. */
function expandGrad(g: Tensor, shape: readonly number[], axes: readonly number[]): Tensor {
  return broadcastTo(reshape(g, reducedShape(shape, axes, true)), shape);
}

export function sum(x: TensorLike, axis?: Axis, keepdims = false): Tensor {
  const t = toTensor(x, "sum");
  const axes = normalizeAxes(axis, t.rank, "sum");
  const out = reduceKernel("sum", t, axes, keepdims, sumDType(t.dtype));
  if (isRecording() && t.dtype === "float32") record([t], out, (g) => [expandGrad(g, t.shape, axes)]);
  return out;
}

/** Arithmetic mean; integer and bool inputs give float32. An empty reduction gives NaN. */
export function mean(x: TensorLike, axis?: Axis, keepdims = false): Tensor {
  const t = toTensor(x, "mean");
  const axes = normalizeAxes(axis, t.rank, "mean");
  let count = 1;
  for (const a of axes) count *= t.shape[a];
  return divide(sum(toFloat32(t), axes, keepdims), count);
}

function extremum(op: "max" | "min", x: TensorLike, axis: Axis, keepdims: boolean, initial: number | undefined): Tensor {
  const t = toTensor(x, op);
  const axes = normalizeAxes(axis, t.rank, op);
  if (initial !== undefined && initial !== null && typeof initial !== "number") {
    throw new TypeError(`${op}: initial must be a number, got ${JSON.stringify(initial)}`);
  }
  const hasInitial = typeof initial === "number";
  if (axes.some((a) => t.shape[a] === 0)) {
    // NumPy: an empty reduction needs `initial`, and then gives it.
    if (hasInitial) return full(reducedShape(t.shape, axes, keepdims), initial, t.dtype);
    const a = axes.find((d) => t.shape[d] === 0);
    throw new Error(`${op}: zero-size axis ${a} of a tensor of shape ${formatShape(t.shape)} has no ${op === "max" ? "maximum" : "minimum"}; pass an initial value`);
  }
  const out = reduceKernel(op, t, axes, keepdims, t.dtype);
  if (isRecording() && t.dtype === "float32") {
    record([t], out, (g) => {
      // Ties share the gradient equally, as TensorFlow does.
      const kept = reducedShape(t.shape, axes, true);
      const isExtreme = cast(equal(t, reshape(out, kept)), "float32");
      const count = sum(isExtreme, axes, true);
      return [multiply(divide(isExtreme, count), reshape(g, kept))];
    });
  }
  if (!hasInitial) return out;
  return op === "max" ? maximum(out, initial) : minimum(out, initial);
}

/** Largest element over `axis`; `initial` is a lower bound (and the result of an empty reduction). */
export function max(x: TensorLike, axis?: Axis, keepdims = false, initial?: number): Tensor {
  return extremum("max", x, axis, keepdims, initial);
}

/** Smallest element over `axis`; `initial` is an upper bound (and the result of an empty reduction). */
export function min(x: TensorLike, axis?: Axis, keepdims = false, initial?: number): Tensor {
  return extremum("min", x, axis, keepdims, initial);
}

/** Product of elements; bool and uint8 give int32. An empty reduction gives 1. */
export function prod(x: TensorLike, axis?: Axis, keepdims = false): Tensor {
  const t = toTensor(x, "prod");
  const axes = normalizeAxes(axis, t.rank, "prod");
  const out = reduceKernel("prod", t, axes, keepdims, sumDType(t.dtype));
  if (isRecording() && t.dtype === "float32") record([t], out, (g) => [prodGrad(t, axes, g)]);
  return out;
}

/**
 * d prod / d x_i is the product of all the other elements: the exclusive running product from the
 * left times the one from the right. Unlike prod / x_i this is exact when some x_j are zero.
 */
function prodGrad(t: Tensor, axes: readonly number[], g: Tensor): Tensor {
  const keptAxes = t.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const perm = [...keptAxes, ...axes];
  const k = sizeOf(keptAxes.map((a) => t.shape[a]));
  const r = sizeOf(axes.map((a) => t.shape[a]));
  if (k * r === 0) return expandGrad(g, t.shape, axes);
  const rows = reshape(transpose(t, perm), [k, r]);
  const exclusive = (m: Tensor) => pad(slice(cumprod(m, 1), [0, 0], [k, r - 1]), [[0, 0], [1, 0]], "constant", 1);
  const left = exclusive(rows);
  const right = flip(exclusive(flip(rows, 1)), 1);
  const grows = multiply(multiply(left, right), reshape(g, [k, 1]));
  const inverse = new Array<number>(perm.length);
  perm.forEach((p, i) => (inverse[p] = i));
  return transpose(reshape(grows, perm.map((p) => t.shape[p])), inverse);
}

/** Population variance (ddof 0, as Keras); integer and bool inputs give float32. */
function variance(x: TensorLike, axis?: Axis, keepdims = false): Tensor {
  const t = toFloat32(toTensor(x, "var"));
  const axes = normalizeAxes(axis, t.rank, "var");
  // Two passes (subtract the mean first): no cancellation when the mean is large.
  const centered = subtract(t, mean(t, axes, true));
  return mean(square(centered), axes, keepdims);
}
export { variance as var };

/** Population standard deviation (ddof 0, as Keras); integer and bool inputs give float32. */
export function std(x: TensorLike, axis?: Axis, keepdims = false): Tensor {
  const t = toFloat32(toTensor(x, "std"));
  normalizeAxes(axis, t.rank, "std");
  return sqrt(variance(t, axis, keepdims));
}

function argReduce(op: "argmax" | "argmin", x: TensorLike, axis: number | null | undefined, keepdims: boolean): Tensor {
  const t = toTensor(x, op);
  if (axis !== undefined && axis !== null && typeof axis !== "number") {
    throw new TypeError(`${op}: axis must be a single integer or null, got ${JSON.stringify(axis)}`);
  }
  if (axis === undefined || axis === null) {
    // As NumPy: the index into the flattened tensor; keepdims keeps every axis as 1.
    if (t.size === 0) throw new Error(`${op}: attempt to get ${op} of an empty tensor (shape ${formatShape(t.shape)})`);
    const out = makeTensor(getBackend().argReduce(op, t.storage, [t.size], 0), [], "int32");
    return keepdims ? reshape(out, t.shape.map(() => 1)) : out;
  }
  const a = normalizeAxis(axis, t.rank, op);
  if (t.shape[a] === 0) throw new Error(`${op}: attempt to get ${op} of an empty sequence: axis ${a} of a tensor of shape ${formatShape(t.shape)} has size 0`);
  return makeTensor(getBackend().argReduce(op, t.storage, t.shape, a), reducedShape(t.shape, [a], keepdims), "int32");
}

/** Index of the (first) largest element along `axis`, int32; over the flattened tensor when axis is null. */
export function argmax(x: TensorLike, axis?: number | null, keepdims = false): Tensor {
  return argReduce("argmax", x, axis, keepdims);
}

/** Index of the (first) smallest element along `axis`, int32; over the flattened tensor when axis is null. */
export function argmin(x: TensorLike, axis?: number | null, keepdims = false): Tensor {
  return argReduce("argmin", x, axis, keepdims);
}

/** log(sum(exp(x))) computed stably (shifted by the max); float32. Empty reductions give -Infinity. */
export function logsumexp(x: TensorLike, axis?: Axis, keepdims = false): Tensor {
  const t = toFloat32(toTensor(x, "logsumexp"));
  const axes = normalizeAxes(axis, t.rank, "logsumexp");
  if (axes.some((a) => t.shape[a] === 0) || t.size === 0) return log(sum(exp(t), axes, keepdims));
  // The shift is a constant for differentiation; the gradient is softmax(x) either way.
  const m = stopGradient(max(t, axes, true));
  // An infinite max (all -inf, or some +inf) would give inf - inf = NaN; shift by 0 instead.
  const shift = where(equal(subtract(m, m), 0), m, 0);
  const out = add(log(sum(exp(subtract(t, shift)), axes, true)), shift);
  return keepdims ? out : reshape(out, reducedShape(t.shape, axes, false));
}

/** Whether any element is truthy (non-zero), as bool. */
export function any(x: TensorLike, axis?: Axis, keepdims = false): Tensor {
  const t = toTensor(x, "any");
  return reduceKernel("any", t, normalizeAxes(axis, t.rank, "any"), keepdims, "bool");
}

/** Whether all elements are truthy (non-zero), as bool. */
export function all(x: TensorLike, axis?: Axis, keepdims = false): Tensor {
  const t = toTensor(x, "all");
  return reduceKernel("all", t, normalizeAxes(axis, t.rank, "all"), keepdims, "bool");
}

/** Flattens when axis is null / undefined, as Keras's cumsum and cumprod do. */
function cumulativeInput(op: string, x: TensorLike, axis: number | null | undefined, dtype: DType | undefined): [Tensor, number] {
  let t = toTensor(x, op);
  if (dtype !== undefined) checkDType(dtype, op);
  if (axis !== undefined && axis !== null && typeof axis !== "number") {
    throw new TypeError(`${op}: axis must be a single integer or null, got ${JSON.stringify(axis)}`);
  }
  let a: number;
  if (axis === undefined || axis === null) {
    t = reshape(t, [t.size]);
    a = 0;
  } else {
    a = normalizeAxis(axis, t.rank, op);
  }
  // As Keras: the result has `dtype` (default x's own), except that bool counts in int32.
  const outDtype = dtype ?? (t.dtype === "bool" ? "int32" : t.dtype);
  return [cast(t, outDtype), a];
}

/** Inclusive cumulative sum along `axis` (over the flattened tensor when axis is null). */
export function cumsum(x: TensorLike, axis?: number | null, dtype?: DType): Tensor {
  const [t, a] = cumulativeInput("cumsum", x, axis, dtype);
  const out = makeTensor(getBackend().cumulative("sum", t.storage, t.shape, a, t.dtype), t.shape, t.dtype);
  // The adjoint of a running sum is a running sum from the other end.
  if (isRecording() && t.dtype === "float32") record([t], out, (g) => [flip(cumsum(flip(g, a), a), a)]);
  return out;
}

/** Inclusive cumulative product along `axis` (over the flattened tensor when axis is null). */
export function cumprod(x: TensorLike, axis?: number | null, dtype?: DType): Tensor {
  const [t, a] = cumulativeInput("cumprod", x, axis, dtype);
  const out = makeTensor(getBackend().cumulative("prod", t.storage, t.shape, a, t.dtype), t.shape, t.dtype);
  if (isRecording() && t.dtype === "float32") record([t], out, (g) => [cumprodGrad(t, out, g, a)]);
  return out;
}

/** Running sum from the end: out[i] = sum over j >= i. */
function reverseCumsum(g: Tensor, axis: number): Tensor {
  return flip(cumsum(flip(g, axis), axis), axis);
}

/**
 * d out_j / d x_i = out_j / x_i for j >= i. Dividing fails at zeros, so: before the first zero of a
 * row the division is safe; after it every gradient is 0 (each product includes that zero); at the
 * first zero itself it is the same formula applied to x with that zero replaced by 1.
 */
function cumprodGrad(t: Tensor, out: Tensor, g: Tensor, axis: number): Tensor {
  const isZero = equal(t, 0);
  if (!any(isZero).item()) return divide(reverseCumsum(multiply(g, out), axis), t);
  const zerosSoFar = cumsum(isZero, axis);
  const beforeZero = equal(zerosSoFar, 0);
  const firstZero = logicalAnd(isZero, equal(zerosSoFar, 1));
  const safe = divide(reverseCumsum(multiply(g, out), axis), where(beforeZero, t, 1));
  const atZero = reverseCumsum(multiply(g, cumprod(where(firstZero, 1, t), axis)), axis);
  return where(beforeZero, safe, where(firstZero, atZero, 0));
}
