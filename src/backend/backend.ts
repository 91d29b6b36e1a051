import type { DType, Shape, TypedArray } from "./dtypes.js";
import { ReferenceBackend } from "./reference/index.js";
import { tryCreateNativeBackend } from "./native/index.js";

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

/* ------------------------------------------------------------------------------------------- */
/* Fused kernels (training fast path). Same contract as every kernel: contiguous row-major       */
/* typed arrays in, freshly allocated typed arrays out, inputs never written. Float math may be  */
/* done in float32 or wider; results must agree with the unfused op-by-op float32 composition    */
/* (given for each kernel) to float32 rounding (the tests allow 1e-5 relative).                  */
/* ------------------------------------------------------------------------------------------- */

/**
 * The activations a dense kernel applies in its epilogue, elementwise on z = x @ W + b:
 * linear z; relu z > 0 ? z : 0, except relu(NaN) = NaN; sigmoid 1 / (1 + exp(-z)) (computed as
 * exp(z) / (1 + exp(z)) for z < 0, so it never overflows); tanh tanh(z).
 */
export type DenseActivation = "linear" | "relu" | "sigmoid" | "tanh";

/**
 * Whether a kernel computes a gradient: false (not needed), true (into a fresh array), or the
 * array to write it into (of the gradient's size), which is then the one returned. The training
 * loop passes the same arrays every step, so a step allocates no weight gradients.
 */
export type GradientTarget = boolean | Float32Array;

/** What `denseBackward` returns; a gradient that was not asked for is null. */
export interface DenseGrads {
  /** [m, k] = dZ @ Wᵀ. */
  dX: Float32Array | null;
  /** [k, n] = xᵀ @ dZ. */
  dW: Float32Array | null;
  /** [n] = the column sums of dZ (Σ over the m rows). */
  db: Float32Array | null;
}

/**
 * Shared hyper-parameters of the fused optimizer updates. `decay` is the decoupled weight-decay
 * factor applied to the variable before the step, w0 = w * decay (that is 1 - weightDecay * lr;
 * exactly 1 when the variable is not decayed, in which case the kernel must leave w unscaled).
 *
 * The kernels compute in float32, one rounding per operation, in the order the rules below write
 * them, with every scalar (lr, momentum, 1 - rho, ...) first rounded to float32: the results are
 * those of the same update written with float32 ops (Keras's own, and the optimizers' op-by-op
 * path), bit for bit.
 */
export interface UpdateArgsBase {
  decay: number;
}

/**
 * SGD, Keras 3's rule (keras/src/optimizers/sgd.py), per element:
 *   step = g * lr
 *   momentum slot null:  w' = w0 - step
 *   else:                m' = m * momentum - step
 *                        w' = w0 + m'                        (nesterov false)
 *                        w' = w0 + (m' * momentum - step)    (nesterov true)
 */
export interface SGDUpdateArgs extends UpdateArgsBase {
  lr: number;
  momentum: number;
  nesterov: boolean;
}

/**
 * RMSprop, Keras 3's rule (keras/src/optimizers/rmsprop.py), per element:
 *   v' = v * rho + g² * (1 - rho)
 *   centered (averageGradient slot given):  a' = a * rho + g * (1 - rho);  denom = (v' - a'²) + epsilon
 *   else:                                   denom = v' + epsilon
 *   inc = (g * lr) / sqrt(denom)
 *   momentum slot given:  m' = m * momentum + inc;  w' = w0 - m'
 *   else:                 w' = w0 - inc
 */
export interface RMSpropUpdateArgs extends UpdateArgsBase {
  lr: number;
  rho: number;
  momentum: number;
  epsilon: number;
}

/**
 * Adam / AdamW, Keras 3's rule (keras/src/optimizers/adam.py), per element (decay is AdamW's
 * decoupled decay; 1 for Adam):
 *   m' = m + (g - m) * (1 - beta1)
 *   v' = v + (g² - v) * (1 - beta2)
 *   amsgrad (velocityHat slot given):  vh' = max(vh, v') (NaN if either is), used in place of v' below
 *   w' = w0 - (m' * alpha) / (sqrt(v') + epsilon)
 * `alpha` is the bias-corrected step, computed by the caller in float64:
 *   alpha = lr * sqrt(1 - beta2^t) / (1 - beta1^t), t = iterations + 1.
 */
export interface AdamUpdateArgs extends UpdateArgsBase {
  alpha: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/**
 * What the `normalize` kernel computes for each slice of x over the reduced axes, in float32 ops
 * (each result rounded to float32; sums accumulated in float64, in row-major order, then rounded),
 * a being an element converted to float32:
 *   S = Σ a² (order 2), Σ |a| (order 1), max |a| (order Infinity, NaN if any is), Σ |a|^p (other p,
 *       with p rounded to float32 and each power rounded)
 *   n = sqrt(S) (order 2), S (orders 1 and Infinity), S^q (other p; q = 1/p rounded to float32)
 *   mode "zeroAsOne" (the NumPy path of Keras's utils.normalize):  out = a / (n == 0 ? 1 : n)
 *   mode "epsilon" (Keras's ops.normalize), order 2:  out = a * min(1 / sqrt(S), c), c = 1/epsilon
 *                                           else:     out = a / max(n, e), e = epsilon
 *   (c and e rounded to float32; min and max give NaN when an operand is NaN.)
 * These are the numbers of the same formula written with the float32 ops.
 */
export interface NormalizeArgs {
  /** p of the norm: a positive number or Infinity. */
  order: number;
  mode: "zeroAsOne" | "epsilon";
  /** The lower bound of the norm in mode "epsilon" (>= 0); unused otherwise. */
  epsilon: number;
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
  /**
   * How many rows r of `pred` [rows, cols] have their argmax (as `argReduce` finds it: the first
   * maximum, or the first NaN) equal to the row's label: `labels[r]` compared as a number (class
   * indices of any type), or, with `oneHot` [rows, cols] instead, the argmax of its row r.
   */
  countArgmaxMatches(pred: Float32Array, rows: number, cols: number, labels: TypedArray | null, oneHot: TypedArray | null): number;
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

  /**
   * x divided by (or scaled by the inverse of) its Lp norm over `axes` (sorted, distinct), as
   * `NormalizeArgs` defines, into a new float32 array of x's shape. x may be any storage type and
   * is converted on read as `cast` to float32 converts it; nothing but the output is allocated at
   * x's size.
   */
  normalize(x: TypedArray, shape: Shape, axes: readonly number[], args: NormalizeArgs): Float32Array;

  /* ---- fused kernels (see the types above) ---- */

  /**
   * Dense layer forward: out[m, n] = act(x @ w + bias), x [m, k], w [k, n], bias [n] (added to
   * every row) or null for none. Unfused: activation(add(matmul(x, w), bias)). One GEMM with the
   * bias + activation as its epilogue, so the output is written once. k may be 0 (z = bias or 0).
   */
  denseForward(x: Float32Array, w: Float32Array, bias: Float32Array | null, m: number, k: number, n: number, activation: DenseActivation): Float32Array;

  /**
   * Dense layer backward. `dOut` [m, n] is the gradient of the loss with respect to the forward's
   * output `out` [m, n] (the forward's result: the activation derivative is taken from it, so the
   * pre-activation is never stored); x [m, k] and w [k, n] are the forward's inputs. With
   *   dZ = dOut                    (linear; `out` is not read)
   *   dZ = out > 0 ? dOut : 0      (relu: 0 where out is 0 or NaN)
   *   dZ = dOut * out * (1 - out)  (sigmoid)
   *   dZ = dOut * (1 - out²)       (tanh)
   * returns dX = dZ @ wᵀ [m, k], dW = xᵀ @ dZ [k, n], db = Σ_rows dZ [n], each only when its flag
   * is set (null otherwise: the first layer of a model needs no dX, a layer without bias no db).
   */
  denseBackward(
    dOut: Float32Array, out: Float32Array, x: Float32Array, w: Float32Array,
    m: number, k: number, n: number, activation: DenseActivation,
    needDX: boolean, needDW: GradientTarget, needDB: GradientTarget,
  ): DenseGrads;

  /**
   * Per-row softmax cross-entropy from logits [rows, cols]: loss[r] = Σ_j t[r, j] * (lse_r - z[r, j]),
   * lse_r = log Σ_j exp(z[r, j]) computed stably (max subtracted). Targets are either
   *   sparse:  `labels` Int32Array [rows] of class indices; t[r] is the one-hot row of labels[r],
   *            all zeros (so loss 0) when labels[r] is outside [0, cols);  `dense` is null;
   *   dense:   `dense` Float32Array [rows, cols] (one-hot or any soft targets); `labels` is null.
   * Unfused: -sum(target * logSoftmax(z), -1). Returns Float32Array [rows].
   */
  softmaxCrossEntropy(logits: Float32Array, rows: number, cols: number, labels: Int32Array | null, dense: Float32Array | null): Float32Array;

  /**
   * Gradient of Σ_r rowScale[r] * loss[r] (the loss of `softmaxCrossEntropy`) with respect to the
   * logits, in one pass: dz[r, j] = rowScale[r] * (softmax(z)[r, j] * T_r - t[r, j]) with
   * T_r = Σ_j t[r, j] (1 for one-hot and proper distributions, 0 for an out-of-range sparse label).
   * `rowScale` [rows] is the incoming gradient of the per-row losses, i.e. the reduction's scale
   * and any sample weights already folded in (1/N each for a plain mean). Returns [rows, cols].
   */
  softmaxCrossEntropyBackward(logits: Float32Array, rows: number, cols: number, labels: Int32Array | null, dense: Float32Array | null, rowScale: Float32Array): Float32Array;

  /**
   * One SGD step for one variable (rule on `SGDUpdateArgs`), in place: `variable` and `momentum`
   * (the slot, or null when the optimizer has no momentum) are overwritten with their new values.
   */
  sgdUpdate(variable: Float32Array, grad: Float32Array, momentum: Float32Array | null, args: SGDUpdateArgs): void;

  /**
   * One RMSprop step for one variable (rule on `RMSpropUpdateArgs`), in place on the variable and
   * its slots. `momentum` is null when args.momentum is 0, `averageGradient` null unless centered.
   */
  rmspropUpdate(
    variable: Float32Array, grad: Float32Array, velocity: Float32Array, momentum: Float32Array | null, averageGradient: Float32Array | null, args: RMSpropUpdateArgs,
  ): void;

  /**
   * One Adam / AdamW step for one variable (rule on `AdamUpdateArgs`), in place on the variable
   * and its slots; `velocityHat` is the amsgrad slot or null.
   */
  adamUpdate(
    variable: Float32Array, grad: Float32Array, momentum: Float32Array, velocity: Float32Array, velocityHat: Float32Array | null, args: AdamUpdateArgs,
  ): void;
}

let active: Backend | undefined;
let warnedFallback = false;

/**
 * The backend used until `setBackend` says otherwise: the native (C) one when its addon loads,
 * else the TypeScript reference one, with a one-line warning on stderr. `KERAS_TS_BACKEND=native`
 * or `=reference` forces one (forcing native where it cannot load is an error).
 */
function defaultBackend(): Backend {
  const raw = typeof process !== "undefined" ? process.env?.KERAS_TS_BACKEND : undefined;
  const wanted = (raw ?? "").trim().toLowerCase();
  if (wanted === "reference") return new ReferenceBackend();
  if (wanted !== "" && wanted !== "native") {
    throw new Error(`keras-ts: KERAS_TS_BACKEND must be "native" or "reference", got ${JSON.stringify(raw)}`);
  }
  const native = tryCreateNativeBackend();
  if ("backend" in native) return native.backend;
  if (wanted === "native") throw new Error(`keras-ts: KERAS_TS_BACKEND=native, but the native backend is unavailable (${native.error})`);
  if (!warnedFallback) {
    warnedFallback = true;
    process.stderr.write(`keras-ts: native backend unavailable (${native.error}); using the TypeScript reference backend\n`);
  }
  return new ReferenceBackend();
}

export function getBackend(): Backend {
  if (active === undefined) active = defaultBackend();
  return active;
}

/** Makes `backend` the one every op uses from now on. */
export function setBackend(backend: Backend): void {
  active = backend;
}

/** The active backend's name, as `keras.backend.backend()` reports it: "native" or "reference". */
export function backendName(): string {
  return getBackend().name;
}
