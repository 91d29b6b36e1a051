import { getBackend } from "../backend/backend.js";
import { allocate, checkDType, INT_RANGES, isFloatDType, type DType } from "../backend/dtypes.js";
import { checkShape, sizeOf } from "../backend/shape.js";
import { makeTensor, type Tensor } from "../backend/tensor.js";
import { record } from "../autodiff/tape.js";
import { toTensor, type TensorLike } from "./core.js";

/* Keras 3's creation ops (`keras.ops.zeros`, `arange`, `eye`, ...). */

/** A shape given as an array, or as one number for a 1-d shape (`zeros(3)`, as NumPy allows). */
export type ShapeLike = readonly number[] | number;

function toShape(shape: ShapeLike, op: string): number[] {
  return checkShape(typeof shape === "number" ? [shape] : shape, op);
}

function checkCount(value: unknown, name: string, op: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new RangeError(`${op}: ${name} must be a non-negative integer, got ${String(value)}`);
  }
  return value;
}

function checkNumber(value: unknown, name: string, op: string): number {
  if (typeof value !== "number" || Number.isNaN(value)) {
    throw new TypeError(`${op}: ${name} must be a number, got ${String(value)}`);
  }
  return value;
}

function checkFillValue(value: unknown, op: string): number {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value !== "number") throw new TypeError(`${op}: fill value must be a number or boolean, got ${value === null ? "null" : typeof value}`);
  return value;
}

/** Throws unless `value` (truncated) fits the integer dtype `dtype`; other dtypes take anything. */
function checkRepresentable(value: number, dtype: DType, op: string): void {
  if (dtype !== "int32" && dtype !== "uint8") return;
  const [lo, hi] = INT_RANGES[dtype];
  const t = Math.trunc(value);
  if (!Number.isFinite(value) || t < lo || t > hi) {
    throw new RangeError(`${op}: ${value} cannot be stored as ${dtype} (range ${lo}..${hi})`);
  }
}

/** A tensor of `shape` filled with `fillValue`; float32 unless `dtype` says otherwise (as Keras). */
export function full(shape: ShapeLike, fillValue: number | boolean, dtype: DType = "float32"): Tensor {
  const s = toShape(shape, "full");
  const v = checkFillValue(fillValue, "full");
  const d = checkDType(dtype, "full");
  checkRepresentable(v, d, "full");
  return makeTensor(getBackend().fill(sizeOf(s), v, d), s, d);
}

export function zeros(shape: ShapeLike, dtype: DType = "float32"): Tensor {
  return full(shape, 0, dtype);
}

export function ones(shape: ShapeLike, dtype: DType = "float32"): Tensor {
  return full(shape, 1, dtype);
}

/** Zeros with the shape of `x`, and its dtype unless `dtype` is given. */
export function zerosLike(x: TensorLike, dtype?: DType): Tensor {
  const t = toTensor(x, "zerosLike");
  return full(t.shape, 0, dtype ?? t.dtype);
}

/** Ones with the shape of `x`, and its dtype unless `dtype` is given. */
export function onesLike(x: TensorLike, dtype?: DType): Tensor {
  const t = toTensor(x, "onesLike");
  return full(t.shape, 1, dtype ?? t.dtype);
}

/** `fillValue` with the shape of `x`, and its dtype unless `dtype` is given (so 2.5 in an int32 tensor is 2). */
export function fullLike(x: TensorLike, fillValue: number | boolean, dtype?: DType): Tensor {
  const t = toTensor(x, "fullLike");
  return full(t.shape, fillValue, dtype ?? t.dtype);
}

/** Arrays longer than this are refused (a typed array cannot hold more elements anyway). */
const MAX_LENGTH = 2 ** 31 - 1;

/**
 * `keras.ops.copy`: the same values in storage of their own. Keeps a snapshot of a variable's
 * value, which optimizer steps update in place. The gradient passes through unchanged.
 */
export function copy(x: TensorLike): Tensor {
  const t = toTensor(x, "copy");
  // The cast kernel always writes a fresh array, also to the same dtype.
  const out = makeTensor(getBackend().cast(t.storage, t.dtype), t.shape, t.dtype);
  if (isFloatDType(t.dtype)) record([t], out, (g) => [g]);
  return out;
}

/**
 * Evenly spaced values in `[start, stop)`: `arange(5)` is `[0 1 2 3 4]`, `arange(1, 2, 0.25)`
 * is `[1. 1.25 1.5 1.75]`. The dtype is int32 when every argument given is an integer, float32
 * otherwise (as Keras); values are `start + i * step`.
 */
export function arange(start: number, stop?: number | null, step = 1, dtype?: DType): Tensor {
  checkNumber(start, "start", "arange");
  if (stop !== undefined && stop !== null) checkNumber(stop, "stop", "arange");
  checkNumber(step, "step", "arange");
  if (step === 0) throw new RangeError("arange: step must not be zero");
  const args = stop === undefined || stop === null ? [start, step] : [start, stop, step];
  if (args.some((a) => !Number.isFinite(a))) throw new RangeError(`arange: arguments must be finite, got ${args.join(", ")}`);
  const d = dtype === undefined ? (args.every((a) => Number.isInteger(a)) ? "int32" : "float32") : checkDType(dtype, "arange");
  let lo = start;
  let hi = stop;
  if (hi === undefined || hi === null) {
    hi = start;
    lo = 0;
  }
  const length = Math.max(0, Math.ceil((hi - lo) / step));
  if (length > MAX_LENGTH) throw new RangeError(`arange: ${length} elements are too many`);
  if (length > 0) {
    checkRepresentable(lo, d, "arange");
    checkRepresentable(lo + (length - 1) * step, d, "arange");
  }
  const out = allocate(d, length);
  if (d === "bool") for (let i = 0; i < length; i++) out[i] = lo + i * step !== 0 ? 1 : 0;
  else for (let i = 0; i < length; i++) out[i] = lo + i * step;
  return makeTensor(out, [length], d);
}

/**
 * `num` evenly spaced samples from `start` to `stop` (included unless `endpoint` is false), float32
 * by default. Integer dtypes take the floor, as NumPy 2 does.
 */
export function linspace(start: number, stop: number, num = 50, endpoint = true, dtype: DType = "float32"): Tensor {
  checkNumber(start, "start", "linspace");
  checkNumber(stop, "stop", "linspace");
  checkCount(num, "num", "linspace");
  if (typeof endpoint !== "boolean") throw new TypeError(`linspace: endpoint must be a boolean, got ${String(endpoint)}`);
  const d = checkDType(dtype, "linspace");
  const div = endpoint ? num - 1 : num;
  const step = div > 0 ? (stop - start) / div : 0;
  const values = new Float64Array(num);
  for (let i = 0; i < num; i++) values[i] = start + i * step;
  if (endpoint && num > 1) values[num - 1] = stop;
  if (num > 0) {
    checkRepresentable(Math.floor(values[0]), d, "linspace");
    checkRepresentable(Math.floor(values[num - 1]), d, "linspace");
  }
  const out = allocate(d, num);
  if (d === "float32") out.set(values);
  else if (d === "bool") for (let i = 0; i < num; i++) out[i] = values[i] !== 0 ? 1 : 0;
  else for (let i = 0; i < num; i++) out[i] = Math.floor(values[i]);
  return makeTensor(out, [num], d);
}

/** An `n x m` matrix with ones where `column - row === k`, zeros elsewhere. */
function band(op: string, n: number, m: number | null | undefined, k: number, dtype: DType, lower: boolean): Tensor {
  checkCount(n, "N", op);
  const cols = m === undefined || m === null ? n : checkCount(m, "M", op);
  if (typeof k !== "number" || !Number.isInteger(k)) throw new RangeError(`${op}: k must be an integer, got ${String(k)}`);
  const d = checkDType(dtype, op);
  const out = allocate(d, n * cols);
  for (let i = 0; i < n; i++) {
    if (lower) {
      // Ones where j <= i + k.
      const end = Math.min(cols, i + k + 1);
      for (let j = 0; j < end; j++) out[i * cols + j] = 1;
    } else {
      const j = i + k;
      if (j >= 0 && j < cols) out[i * cols + j] = 1;
    }
  }
  return makeTensor(out, [n, cols], d);
}

/** A 2-d tensor with ones on the `k`-th diagonal (`N` rows, `M` columns, default `N`). */
export function eye(N: number, M?: number | null, k = 0, dtype: DType = "float32"): Tensor {
  return band("eye", N, M, k, dtype, false);
}

/** The `n x n` identity matrix. */
export function identity(n: number, dtype: DType = "float32"): Tensor {
  return band("identity", n, n, 0, dtype, false);
}

/** A 2-d tensor with ones at and below the `k`-th diagonal (`j <= i + k`), zeros above. */
export function tri(N: number, M?: number | null, k = 0, dtype: DType = "float32"): Tensor {
  return band("tri", N, M, k, dtype, true);
}
