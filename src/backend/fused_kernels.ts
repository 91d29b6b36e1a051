import type { Shape, TypedArray } from "./dtypes.js";
import { SEQUENCE_KERNEL_NAMES, type SequenceKernels } from "./sequence_kernels.js";

/*
 * Fused kernels: one pass where the core kernels would take several, for the training fast path.
 * A backend implements any subset of them; every one has a composed default written with the core
 * kernels (src/backend/composed.ts), which runs, and is counted as a fallback, where a backend
 * lacks it. Results must agree with that composition (given for each kernel below) to float32
 * rounding; the reference backend's and the composition's agree bit for bit.
 *
 * In place: the optimizer updates overwrite the variable and slot arrays they are given; a
 * backward kernel given a `GradientTarget` array writes that gradient into it and returns it. No
 * other argument is ever written.
 */

/**
 * The activations a fused kernel applies in its epilogue, elementwise on its linear result z:
 * linear z; relu z > 0 ? z : 0, except relu(NaN) = NaN; sigmoid 1 / (1 + exp(-z)) (computed as
 * exp(z) / (1 + exp(z)) for z < 0, so it never overflows); tanh tanh(z). Their derivatives are
 * taken from the output y: relu y > 0 ? 1 : 0, sigmoid y * (1 - y), tanh 1 - y².
 */
export type EpilogueActivation = "linear" | "relu" | "sigmoid" | "tanh";

export const EPILOGUE_ACTIVATIONS: readonly EpilogueActivation[] = ["linear", "relu", "sigmoid", "tanh"];

/**
 * Whether a backward kernel computes a gradient: false (not needed), true (into a fresh array), or
 * the array to write it into (of the gradient's size), which is then the one returned. Autodiff
 * passes the same arrays every training step, so a step allocates no weight gradients.
 */
export type GradientTarget = boolean | Float32Array;

/** What `linearBackward` returns; a gradient that was not asked for is null. */
export interface LinearGrads {
  /** [m, k] = dZ @ Wᵀ. */
  dX: Float32Array | null;
  /** [k, n] = xᵀ @ dZ. */
  dW: Float32Array | null;
  /** [n] = the column sums of dZ (Σ over the m rows). */
  db: Float32Array | null;
}

/*
 * The optimizer updates compute in float32, one rounding per operation, in the order the rules
 * below write them, with every scalar (lr, momentum, 1 - rho, ...) first rounded to float32: the
 * results are those of the same update written with float32 ops (Keras's own), bit for bit.
 */

/**
 * SGD, Keras 3's rule (keras/src/optimizers/sgd.py), per element:
 *   step = g * lr
 *   momentum slot null:  w' = w - step
 *   else:                m' = m * momentum - step
 *                        w' = w + m'                        (nesterov false)
 *                        w' = w + (m' * momentum - step)    (nesterov true)
 */
export interface SGDUpdateArgs {
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
 *   momentum slot given:  m' = m * momentum + inc;  w' = w - m'
 *   else:                 w' = w - inc
 */
export interface RMSpropUpdateArgs {
  lr: number;
  rho: number;
  momentum: number;
  epsilon: number;
}

/**
 * Adam, Keras 3's rule (keras/src/optimizers/adam.py), per element:
 *   m' = m + (g - m) * (1 - beta1)
 *   v' = v + (g² - v) * (1 - beta2)
 *   amsgrad (velocityHat slot given):  vh' = max(vh, v') (NaN if either is), used in place of v' below
 *   w' = w - (m' * alpha) / (sqrt(v') + epsilon)
 * `alpha` is the bias-corrected step, computed by the caller in float64:
 *   alpha = lr * sqrt(1 - beta2^t) / (1 - beta1^t), t = iterations + 1.
 */
export interface AdamUpdateArgs {
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
 *   mode "epsilon" (Keras's ops.normalize), order 2:  out = a * min(rsqrt(S), c), c = 1/epsilon (rsqrt rounded once)
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

/**
 * The geometry of an N-d convolution (N = 1, 2 or 3 spatial axes), as the conv kernels take it.
 * x is [batch, ...inputSize, inChannels] ([batch, inChannels, ...inputSize] when channelsFirst),
 * the kernel w is [...kernelSize, inChannels / groups, outChannels] (Keras's layout), and the output
 * is [batch, ...outputSize, outChannels] (channels first likewise). Output channel co belongs to
 * group g = floor(co / (outChannels / groups)), which reads input channels
 * [g * inChannels / groups, (g + 1) * inChannels / groups). Along each spatial axis, output
 * position o reads input position i = o * stride + k * dilation - padBefore for kernel tap k;
 * positions outside [0, inputSize) read zero (the padding; the padding after the input is whatever
 * outputSize implies, and may be negative: trailing inputs no window reaches). So, per element,
 *   z[n, o, co] = Σ_{k, c} x[n, o * s + k * d - p, g * cg + c] * w[k, c, co]   (cg = inChannels / groups)
 * summed in float32 or float64 in any order (results agree to float32 accumulation error).
 */
export interface ConvArgs {
  batch: number;
  inChannels: number;
  outChannels: number;
  groups: number;
  /** Spatial extents of x, of the output and of the kernel, one entry per spatial axis. */
  inputSize: readonly number[];
  outputSize: readonly number[];
  kernelSize: readonly number[];
  strides: readonly number[];
  dilations: readonly number[];
  /** Zero padding before each spatial axis, >= 0. */
  padBefore: readonly number[];
  channelsFirst: boolean;
}

/** What `convBackward` returns; a gradient that was not asked for is null. */
export interface ConvGrads {
  /** The gradient with respect to x (x's shape). */
  dX: Float32Array | null;
  /** With respect to the kernel (its shape). */
  dW: Float32Array | null;
  /** With respect to the bias: Σ of dZ over every position but the channel [outChannels]. */
  db: Float32Array | null;
}

/**
 * The geometry of a pooling window over N spatial axes: x is [batch, ...inputSize, channels]
 * (channels first likewise) and the output [batch, ...outputSize, channels]. The window of output
 * position o covers input positions o * stride + k - padBefore, k in [0, poolSize), of which only
 * those inside [0, inputSize) take part (the padding is never a candidate maximum and never
 * counted in an average).
 */
export interface PoolArgs {
  batch: number;
  channels: number;
  inputSize: readonly number[];
  outputSize: readonly number[];
  poolSize: readonly number[];
  strides: readonly number[];
  padBefore: readonly number[];
  channelsFirst: boolean;
}

/**
 * Batch normalization over x viewed as [outer, channels, inner]: the statistics of channel c are
 * taken over its outer * inner elements (channels last: inner = 1; channels first: outer = batch,
 * inner = the spatial size).
 */
export interface BatchNormArgs {
  outer: number;
  channels: number;
  inner: number;
  /** Added to the variance before the square root. */
  epsilon: number;
}

/** What `batchNormTraining` returns: the output and the batch statistics it normalized with. */
export interface BatchNormResult {
  /** x's shape. */
  out: Float32Array;
  /** [channels]: the mean of each channel's elements. */
  mean: Float32Array;
  /** [channels]: the biased variance, mean((x - mean)²). */
  variance: Float32Array;
}

/** What `batchNormTrainingBackward` returns; a gradient that was not asked for is null. */
export interface BatchNormGrads {
  dX: Float32Array | null;
  dGamma: Float32Array | null;
  dBeta: Float32Array | null;
}

/** The fused kernels; the sequence ones (LSTM, GRU, attention) are in sequence_kernels.ts. */
export interface FusedKernels extends SequenceKernels {
  /**
   * `activation(x @ w + bias)`: out [m, n], x [m, k], w [k, n], bias [n] (added to every row) or
   * null. Composed: matmul, add, the activation's unary kernel. k may be 0 (z = bias or 0).
   */
  linearForward(x: Float32Array, w: Float32Array, bias: Float32Array | null, m: number, k: number, n: number, activation: EpilogueActivation): Float32Array;

  /**
   * Backward of `linearForward`. `dOut` [m, n] is the gradient with respect to its output `out`
   * (the activation's derivative is taken from `out`, so the pre-activation is never stored; `out`
   * is not read for "linear"); x and w are the forward's inputs. With dZ = dOut * act'(out):
   * dX = dZ @ wᵀ [m, k], dW = xᵀ @ dZ [k, n], db = Σ_rows dZ [n], each only when asked for.
   */
  linearBackward(
    dOut: Float32Array, out: Float32Array, x: Float32Array, w: Float32Array,
    m: number, k: number, n: number, activation: EpilogueActivation,
    needDX: boolean, needDW: GradientTarget, needDB: GradientTarget,
  ): LinearGrads;

  /**
   * Per-row softmax cross-entropy from logits [rows, cols]: loss[r] = Σ_j t[r, j] * (lse_r - z[r, j]),
   * lse_r = log Σ_j exp(z[r, j]) computed stably (max subtracted). Targets are either
   *   sparse:  `labels` Int32Array [rows] of class indices; t[r] is the one-hot row of labels[r],
   *            all zeros (so loss 0) when labels[r] is outside [0, cols);  `dense` is null;
   *   dense:   `dense` Float32Array [rows, cols] (one-hot or any soft targets); `labels` is null.
   * Composed: -sum(target * logSoftmax(z), -1). Returns Float32Array [rows].
   */
  softmaxCrossEntropy(logits: Float32Array, rows: number, cols: number, labels: Int32Array | null, dense: Float32Array | null): Float32Array;

  /**
   * Gradient of Σ_r rowScale[r] * loss[r] (the loss of `softmaxCrossEntropy`) with respect to the
   * logits: dz[r, j] = rowScale[r] * (softmax(z)[r, j] * T_r - t[r, j]) with T_r = Σ_j t[r, j] (1 for
   * one-hot rows, 0 for an out-of-range sparse label). Returns [rows, cols].
   */
  softmaxCrossEntropyBackward(logits: Float32Array, rows: number, cols: number, labels: Int32Array | null, dense: Float32Array | null, rowScale: Float32Array): Float32Array;

  /**
   * How many rows r of `pred` [rows, cols] have their argmax (as `argReduce` finds it) equal to the
   * row's label: `labels[r]` compared as a number (class indices of any type), or, with `oneHot`
   * [rows, cols] instead, the argmax of its row r. Composed: argReduce, equal, sum.
   */
  countArgmaxMatches(pred: Float32Array, rows: number, cols: number, labels: TypedArray | null, oneHot: TypedArray | null): number;

  /**
   * x divided by (or scaled by the inverse of) its Lp norm over `axes` (sorted, distinct), as
   * `NormalizeArgs` defines, into a new float32 array of x's shape. x may be any storage type,
   * converted on read; nothing but the output is allocated at x's size.
   */
  normalize(x: TypedArray, shape: Shape, axes: readonly number[], args: NormalizeArgs): Float32Array;

  /**
   * `activation(conv(x, w) + bias)`: z as `ConvArgs` defines it, plus bias[co] (when not null),
   * then the epilogue activation. Composed: pad, gather (im2col), matmul, add, the activation.
   */
  convForward(x: Float32Array, w: Float32Array, bias: Float32Array | null, args: ConvArgs, activation: EpilogueActivation): Float32Array;

  /**
   * Backward of `convForward`. With dZ = dOut * act'(out) (the derivative taken from the output
   * `out`, which is not read for "linear" and may then be null): dX = the adjoint of the
   * convolution applied to dZ (each dZ element times the tap's weight, summed into the input
   * position it read; padding positions dropped), dW[k, c, co] = Σ_{n, o} x[n, o*s + k*d - p, ...] *
   * dZ[n, o, co], db = Σ dZ per output channel. x is read only for dW and may be null without it;
   * w only for dX, likewise. `convTranspose` is this kernel's dX with dOut the transposed conv's input.
   */
  convBackward(
    dOut: Float32Array, out: Float32Array | null, x: Float32Array | null, w: Float32Array | null, args: ConvArgs, activation: EpilogueActivation,
    needDX: boolean, needDW: GradientTarget, needDB: GradientTarget,
  ): ConvGrads;

  /**
   * Max pooling (`PoolArgs`): the largest in-bounds element of each window; NaN if the window holds
   * one (max propagates NaN). Composed: pad with -Infinity, gather, max.
   */
  maxPoolForward(x: Float32Array, args: PoolArgs): Float32Array;

  /**
   * Backward of `maxPoolForward`: each dOut element goes to the window element the forward chose,
   * the first NaN or else the first maximum in row-major window order; the rest of dX is 0, and
   * contributions of overlapping windows add up.
   */
  maxPoolBackward(dOut: Float32Array, x: Float32Array, args: PoolArgs): Float32Array;

  /** Average pooling: the sum of each window's in-bounds elements divided by their count. */
  avgPoolForward(x: Float32Array, args: PoolArgs): Float32Array;

  /** Backward of `avgPoolForward`: dOut / count added to every in-bounds element of its window. */
  avgPoolBackward(dOut: Float32Array, args: PoolArgs): Float32Array;

  /**
   * Batch normalization with the batch's statistics (`BatchNormArgs`), per channel:
   * mean = Σ x / m, variance = Σ (x - mean)² / m (m = outer * inner, sums in float64, results
   * rounded to float32), inv = rsqrt(variance + epsilon) * gamma, out = x * inv + (beta - mean * inv)
   * (Keras's formula; gamma and beta null mean 1 and 0). Composed: reduce, elementwise ops.
   */
  batchNormTraining(x: Float32Array, gamma: Float32Array | null, beta: Float32Array | null, args: BatchNormArgs): BatchNormResult;

  /**
   * Backward of `batchNormTraining` through the batch statistics as well: with
   * xhat = (x - mean) * rsqrt(variance + epsilon), per channel dBeta = Σ dOut, dGamma = Σ dOut * xhat,
   * dX = gamma * rsqrt(variance + epsilon) * (dOut - dBeta / m - xhat * dGamma / m) (float64 sums).
   */
  batchNormTrainingBackward(
    dOut: Float32Array, x: Float32Array, mean: Float32Array, variance: Float32Array, gamma: Float32Array | null, args: BatchNormArgs,
    needDX: boolean, needDGamma: GradientTarget, needDBeta: GradientTarget,
  ): BatchNormGrads;

  /** `batchNormTraining`'s output formula with the given statistics (moving averages, at inference). */
  batchNormInference(x: Float32Array, mean: Float32Array, variance: Float32Array, gamma: Float32Array | null, beta: Float32Array | null, args: BatchNormArgs): Float32Array;

  /** One SGD step (rule on `SGDUpdateArgs`), in place on `variable` and `momentum` (null without momentum). */
  sgdUpdate(variable: Float32Array, grad: Float32Array, momentum: Float32Array | null, args: SGDUpdateArgs): void;

  /** One RMSprop step (rule on `RMSpropUpdateArgs`), in place on the variable and its slots. */
  rmspropUpdate(
    variable: Float32Array, grad: Float32Array, velocity: Float32Array, momentum: Float32Array | null, averageGradient: Float32Array | null, args: RMSpropUpdateArgs,
  ): void;

  /** One Adam step (rule on `AdamUpdateArgs`), in place on the variable and its slots; `velocityHat` is the amsgrad slot or null. */
  adamUpdate(
    variable: Float32Array, grad: Float32Array, momentum: Float32Array, velocity: Float32Array, velocityHat: Float32Array | null, args: AdamUpdateArgs,
  ): void;
}

export const FUSED_KERNEL_NAMES = [
  "linearForward", "linearBackward", "softmaxCrossEntropy", "softmaxCrossEntropyBackward", "countArgmaxMatches", "normalize",
  "sgdUpdate", "rmspropUpdate", "adamUpdate",
  "convForward", "convBackward", "maxPoolForward", "maxPoolBackward", "avgPoolForward", "avgPoolBackward",
  "batchNormTraining", "batchNormTrainingBackward", "batchNormInference",
  ...SEQUENCE_KERNEL_NAMES,
] as const satisfies readonly (keyof FusedKernels)[];
