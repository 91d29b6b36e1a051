import type { DType, Shape, TypedArray } from "./dtypes.js";
import { ReferenceBackend } from "./reference/index.js";

/**
 * The kernel seam. Every kernel reads contiguous row-major typed arrays and returns a freshly
 * allocated one; inputs are never written. Only `ops` and autodiff call a Backend, so a faster
 * implementation (native, WebAssembly) replaces the reference one without touching ops or layers.
 */
export type UnaryOp =
  | "negative" | "abs" | "sign" | "sqrt" | "rsqrt" | "square" | "reciprocal"
  | "exp" | "expm1" | "log" | "log1p" | "sin" | "cos" | "tan" | "tanh" | "sigmoid" | "relu"
  | "floor" | "ceil" | "round" | "isnan" | "isfinite" | "isinf" | "logicalNot"
  | "erf" | "softplus" | "atan" | "sinh" | "cosh" | "asin" | "acos" | "arcsinh" | "arccosh" | "arctanh";

export type BinaryOp =
  | "add" | "subtract" | "multiply" | "divide" | "floorDivide" | "mod" | "power"
  | "maximum" | "minimum" | "atan2"
  | "equal" | "notEqual" | "less" | "lessEqual" | "greater" | "greaterEqual"
  | "logicalAnd" | "logicalOr" | "logicalXor";

export type ReduceOp = "sum" | "prod" | "max" | "min" | "any" | "all";

export interface MatmulArgs {
  /** Number of matrices in the batch (1 for a plain matrix product). */
  batch: number;
  /** Output is m x n; the shared dimension is k. */
  m: number;
  n: number;
  k: number;
  /** A is stored k x m (instead of m x k) when true. */
  transA: boolean;
  /** B is stored n x k (instead of k x n) when true. */
  transB: boolean;
  /** Elements between consecutive batch matrices of A / B; 0 repeats one matrix for every batch. */
  aBatchStride: number;
  bBatchStride: number;
}

export interface Backend {
  readonly name: string;

  fill(size: number, value: number, dtype: DType): TypedArray;
  cast(x: TypedArray, dtype: DType): TypedArray;

  /** Elementwise; `outDtype` is the result dtype (bool for predicates). Inputs are converted on read. */
  unary(op: UnaryOp, x: TypedArray, outDtype: DType): TypedArray;
  /** Broadcasting elementwise: `outShape` is the NumPy broadcast of `aShape` and `bShape`. */
  binary(op: BinaryOp, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, outShape: Shape, outDtype: DType): TypedArray;
  /** `cond ? a : b`, all three broadcast to `outShape`. */
  select(cond: TypedArray, condShape: Shape, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, outShape: Shape, outDtype: DType): TypedArray;

  /** Reduce over `axes` (sorted, distinct, possibly empty); the result drops those axes. */
  reduce(op: ReduceOp, x: TypedArray, shape: Shape, axes: readonly number[], outDtype: DType): TypedArray;
  /** Index of the first max / min along `axis`; the result drops that axis. */
  argReduce(op: "argmax" | "argmin", x: TypedArray, shape: Shape, axis: number): Int32Array;
  /** Inclusive running sum / product along `axis`; same shape. */
  cumulative(op: "sum" | "prod", x: TypedArray, shape: Shape, axis: number, outDtype: DType): TypedArray;

  transpose(x: TypedArray, shape: Shape, perm: readonly number[]): TypedArray;
  broadcastTo(x: TypedArray, shape: Shape, outShape: Shape): TypedArray;
  /** A box `[begin, begin + size)` along every axis. */
  slice(x: TypedArray, shape: Shape, begin: readonly number[], size: readonly number[]): TypedArray;
  /** Constant padding; `paddings[i]` is [before, after] for axis i. */
  pad(x: TypedArray, shape: Shape, paddings: readonly (readonly [number, number])[], value: number): TypedArray;
  concat(xs: readonly TypedArray[], shapes: readonly Shape[], axis: number, outDtype: DType): TypedArray;
  reverse(x: TypedArray, shape: Shape, axes: readonly number[]): TypedArray;

  /** Take whole slices along `axis`: result shape is shape[:axis] + [indices.length] + shape[axis+1:]. */
  gather(x: TypedArray, shape: Shape, indices: Int32Array, axis: number): TypedArray;
  /** Adjoint of `gather`: sums `updates` into zeros of `outShape` at `indices` along `axis`. */
  scatterAdd(updates: TypedArray, indices: Int32Array, axis: number, outShape: Shape): TypedArray;
  /** `out[..., j, ...] = x[..., indices[..., j, ...], ...]` along `axis`; indices have x's rank. */
  gatherAlongAxis(x: TypedArray, shape: Shape, indices: Int32Array, indicesShape: Shape, axis: number): TypedArray;
  /** Adjoint of `gatherAlongAxis`. */
  scatterAddAlongAxis(updates: TypedArray, indices: Int32Array, indicesShape: Shape, axis: number, outShape: Shape): TypedArray;

  /** Batched matrix product; output is batch x m x n, row-major, float32 or int32 as the inputs. */
  matmul(a: TypedArray, b: TypedArray, args: MatmulArgs): TypedArray;

  /** Softmax / log-softmax along the last axis of a [rows, cols] float32 array. */
  softmax(x: Float32Array, rows: number, cols: number): Float32Array;
  logSoftmax(x: Float32Array, rows: number, cols: number): Float32Array;
}

let active: Backend | undefined;

export function getBackend(): Backend {
  if (active === undefined) active = new ReferenceBackend();
  return active;
}

/** Makes `backend` the one every op uses from now on. */
export function setBackend(backend: Backend): void {
  active = backend;
}

/** The active backend's name, as `keras.backend.backend()` reports it. */
export function backendName(): string {
  return getBackend().name;
}
