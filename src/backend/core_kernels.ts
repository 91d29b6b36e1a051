import type { DType, Shape, TypedArray } from "./dtypes.js";

/*
 * The core kernels every backend implements: elementwise, reductions, layout, gather/scatter and
 * batched matmul over contiguous row-major typed arrays. Every op in `keras.ops` can be written
 * with them, and so can every fused kernel (src/backend/composed.ts does exactly that), so a new
 * backend runs everything once it has these.
 *
 * Contract: each kernel returns a freshly allocated array and never writes its inputs. The one
 * exception is `gather`'s `into`, the caller's array that it overwrites and returns.
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

export interface CoreKernels {
  fill(size: number, value: number, dtype: DType): TypedArray;
  cast(x: TypedArray, dtype: DType): TypedArray;

  /** Elementwise; `outDtype` is the result dtype (bool for predicates). Inputs are converted on read. */
  unary(op: UnaryOp, x: TypedArray, outDtype: DType): TypedArray;
  /**
   * Broadcasting elementwise: `outShape` is the NumPy broadcast of `aShape` and `bShape`. The two
   * inputs may be stored in different array types (a deferred cast's uint8 source next to float32):
   * each element is converted on read.
   */
  binary(op: BinaryOp, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, outShape: Shape, outDtype: DType): TypedArray;
  /** `cond ? a : b`, all three broadcast to `outShape`. */
  select(cond: TypedArray, condShape: Shape, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, outShape: Shape, outDtype: DType): TypedArray;

  /** Reduce over `axes` (sorted, distinct, possibly empty); the result drops those axes. */
  reduce(op: ReduceOp, x: TypedArray, shape: Shape, axes: readonly number[], outDtype: DType): TypedArray;
  /** Index of the first max / min along `axis` (the first NaN, if any); the result drops that axis. */
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

  /**
   * Take whole slices along `axis`: result shape is shape[:axis] + [indices.length] + shape[axis+1:].
   * `into`, an array of x's type and the result's size, is written over and returned instead of a
   * fresh array (the training loop's reused batch memory).
   */
  gather(x: TypedArray, shape: Shape, indices: Int32Array, axis: number, into?: TypedArray): TypedArray;
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

/** The core kernels' names, for backends that check they cover them (the native cross-check does). */
export const CORE_KERNEL_NAMES = [
  "fill", "cast", "unary", "binary", "select", "reduce", "argReduce", "cumulative", "transpose", "broadcastTo", "slice", "pad",
  "concat", "reverse", "gather", "scatterAdd", "gatherAlongAxis", "scatterAddAlongAxis", "matmul", "softmax", "logSoftmax",
] as const satisfies readonly (keyof CoreKernels)[];
