import { fusedKernels, type BatchNormArgs } from "../backend/backend.js";
import { formatShape } from "../backend/shape.js";
import { makeTensor, type Tensor } from "../backend/tensor.js";
import { isRecording, isTracked, record } from "../autodiff/tape.js";
import { cast, toTensor, type TensorLike } from "./core.js";
import { unaryOp } from "./dispatch.js";
import { add, divide, multiply, negative, sqrt, square, subtract } from "./elementwise.js";
import { normalizeAxes, normalizeAxis } from "./helpers.js";
import { mean as meanOf, sum } from "./reduction.js";
import { reshape, squeeze } from "./shape.js";

/*
 * Batch normalization: Keras's `ops.batch_normalization` (normalize with given statistics) and
 * `ops.moments`, and `batchNormalizationTraining`, the op the BatchNormalization layer calls in
 * training: batch statistics, normalization, scale and offset in one kernel, and one backward
 * kernel through all of it (statistics included), writing gamma's and beta's gradients into the
 * buffers autodiff offers.
 */

/** Keras's default `epsilon` of `ops.batch_normalization`. */
const DEFAULT_EPSILON = 1e-3;

function floatTensor(x: TensorLike, op: string): Tensor {
  const t = toTensor(x, op);
  return t.dtype === "float32" ? t : cast(t, "float32");
}

function layoutOf(x: Tensor, axis: number, epsilon: number, op: string): BatchNormArgs & { axis: number } {
  if (x.rank === 0) throw new Error(`${op}: x must have at least one axis, got a scalar`);
  const a = normalizeAxis(axis, x.rank, op);
  if (typeof epsilon !== "number" || !(epsilon >= 0) || epsilon === Infinity) throw new RangeError(`${op}: epsilon must be a finite number >= 0, got ${String(epsilon)}`);
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < a; i++) outer *= x.shape[i];
  for (let i = a + 1; i < x.rank; i++) inner *= x.shape[i];
  return { outer, channels: x.shape[a], inner, epsilon, axis: a };
}

function channelVector(value: TensorLike | null | undefined, name: string, channels: number, op: string): Tensor | null {
  if (value === null || value === undefined) return null;
  const t = floatTensor(value, op);
  if (t.rank !== 1 || t.shape[0] !== channels) {
    throw new Error(`${op}: Arguments \`${name}\` must be a vector of length \`x.shape[axis]\`. Expected: \`(${channels},)\`. Received: \`${formatShape(t.shape)}\`.`);
  }
  return t;
}

/**
 * Keras's `ops.batch_normalization`: `x` normalized along `axis` by `mean` and `variance` (vectors of
 * x.shape[axis] elements), then scaled by `scale` and shifted by `offset` when given:
 * x * inv + (offset - mean * inv), inv = rsqrt(variance + epsilon) * scale.
 *
 *   ops.batchNormalization(x, [0.4, 0.5, 0.6], [0.67, 0.67, 0.67], -1)
 */
export function batchNormalization(
  x: TensorLike, mean: TensorLike, variance: TensorLike, axis: number, offset: TensorLike | null = null, scale: TensorLike | null = null,
  epsilon: number = DEFAULT_EPSILON,
): Tensor {
  const op = "batchNormalization";
  const t = floatTensor(x, op);
  const layout = layoutOf(t, axis, epsilon, op);
  const m = channelVector(mean, "mean", layout.channels, op)!;
  const v = channelVector(variance, "variance", layout.channels, op)!;
  const beta = channelVector(offset, "offset", layout.channels, op);
  const gamma = channelVector(scale, "scale", layout.channels, op);
  const storage = fusedKernels().batchNormInference(
    t.storage as Float32Array, m.storage as Float32Array, v.storage as Float32Array,
    gamma === null ? null : (gamma.storage as Float32Array), beta === null ? null : (beta.storage as Float32Array), layout,
  );
  const out = makeTensor(storage, t.shape, "float32");
  if (isRecording()) {
    const inputs = [t, m, v, beta, gamma].filter((i): i is Tensor => i !== null);
    // Moving statistics at inference (a frozen layer being fine-tuned) need no gradient of their own.
    const need = inputs.map((i) => isTracked(i));
    if (need.some((n) => n)) {
      record(inputs, out, (g) => {
        // Per-channel vectors broadcast against x: [channels] placed at `axis`.
        const along = t.shape.map((d, i) => (i === layout.axis ? d : 1));
        const reduceAxes = t.shape.map((_, i) => i).filter((i) => i !== layout.axis);
        const perChannel = (a: Tensor) => reshape(sum(a, reduceAxes), [layout.channels]);
        const rstd = unaryOp("rsqrt", add(v, epsilon));
        const inv = gamma === null ? rstd : multiply(rstd, gamma);
        const [needX, needMean, needVariance] = need;
        const needBeta = beta !== null && need[3];
        const needGamma = gamma !== null && need[beta === null ? 3 : 4];
        const dInv = needVariance || needGamma ? perChannel(multiply(g, subtract(t, reshape(m, along)))) : null;
        // d inv / d variance = scale * -0.5 * rstd³
        const rstd3 = needVariance ? multiply(multiply(rstd, rstd), rstd) : null;
        const grads: (Tensor | null)[] = [
          needX ? multiply(g, reshape(inv, along)) : null,
          needMean ? negative(perChannel(multiply(g, reshape(inv, along)))) : null,
          needVariance ? multiply(multiply(dInv!, gamma === null ? rstd3! : multiply(rstd3!, gamma)), -0.5) : null,
        ];
        if (beta !== null) grads.push(needBeta ? perChannel(g) : null);
        if (gamma !== null) grads.push(needGamma ? multiply(dInv!, rstd) : null);
        return grads;
      });
    }
  }
  return out;
}

/**
 * Keras's `ops.moments`: the mean and (biased) variance of `x` over `axes`, as `[mean, variance]`;
 * `keepdims` keeps the reduced axes as 1s. `synchronized` is accepted for Keras's signature and
 * ignored (there is one device).
 *
 *   ops.moments([0, 1, 2, 3, 100], [0])   // [21.2, 1553.36]
 */
export function moments(x: TensorLike, axes: number | readonly number[], keepdims = false, synchronized = false): [Tensor, Tensor] {
  void synchronized;
  const t = floatTensor(x, "moments");
  const resolved = normalizeAxes(axes, t.rank, "moments");
  const mean = meanOf(t, resolved, true);
  const variance = meanOf(square(subtract(t, mean)), resolved, true);
  if (keepdims) return [mean, variance];
  return [squeeze(mean, resolved), squeeze(variance, resolved)];
}

/**
 * x normalized by its own moments over `axes`, then scaled and shifted:
 * `x * inv + (beta - mean * inv)`, `inv = gamma / sqrt(variance + epsilon)`, with `gamma` and `beta`
 * (either may be null) already shaped to broadcast against x. What LayerNormalization and
 * GroupNormalization compute (Keras's `_layer_normalization`, and GroupNormalization's on its grouped
 * view); not an op of `keras.ops`.
 */
export function normalizeByMoments(x: Tensor, axes: readonly number[], epsilon: number, gamma: Tensor | null, beta: Tensor | null): Tensor {
  const [mean, variance] = moments(x, axes, true);
  let inv = divide(1, sqrt(add(variance, epsilon)));
  if (gamma !== null) inv = multiply(inv, gamma);
  let offset = negative(multiply(mean, inv));
  if (beta !== null) offset = add(offset, beta);
  return add(multiply(x, inv), offset);
}

/** What `batchNormalizationTraining` returns. */
export interface BatchNormalizationTrainingResult {
  output: Tensor;
  /** The batch statistics the output was normalized with ([channels]; no gradient flows through them). */
  mean: Tensor;
  variance: Tensor;
}

/**
 * Batch normalization with the batch's own statistics over every axis but `axis`: what Keras's
 * BatchNormalization layer computes in training (`moments`, then `batch_normalization` with
 * `gamma` as scale and `beta` as offset), in one forward and one backward kernel. The returned
 * statistics are for the moving averages.
 */
export function batchNormalizationTraining(x: Tensor, axis: number, gamma: Tensor | null, beta: Tensor | null, epsilon: number = DEFAULT_EPSILON): BatchNormalizationTrainingResult {
  const op = "batchNormalizationTraining";
  const t = floatTensor(x, op);
  const layout = layoutOf(t, axis, epsilon, op);
  const g = channelVector(gamma, "gamma", layout.channels, op);
  const b = channelVector(beta, "beta", layout.channels, op);
  const r = fusedKernels().batchNormTraining(t.storage as Float32Array, g === null ? null : (g.storage as Float32Array), b === null ? null : (b.storage as Float32Array), layout);
  const output = makeTensor(r.out, t.shape, "float32");
  const mean = makeTensor(r.mean, [layout.channels], "float32");
  const variance = makeTensor(r.variance, [layout.channels], "float32");
  if (isRecording()) {
    const needX = isTracked(t);
    const needGamma = g !== null && isTracked(g);
    const needBeta = b !== null && isTracked(b);
    if (needX || needGamma || needBeta) {
      const inputs = [t, g, b].filter((i): i is Tensor => i !== null);
      record(inputs, output, (dOut, context) => {
        const gammaIndex = 1;
        const betaIndex = g === null ? 1 : 2;
        const grads = fusedKernels().batchNormTrainingBackward(
          dOut.storage as Float32Array, t.storage as Float32Array, r.mean, r.variance, g === null ? null : (g.storage as Float32Array), layout,
          needX, needGamma && (context.gradientBuffer(gammaIndex) ?? true), needBeta && (context.gradientBuffer(betaIndex) ?? true),
        );
        const result: (Tensor | null)[] = [grads.dX === null ? null : makeTensor(grads.dX, t.shape, "float32")];
        if (g !== null) result.push(grads.dGamma === null ? null : makeTensor(grads.dGamma, g.shape, "float32"));
        if (b !== null) result.push(grads.dBeta === null ? null : makeTensor(grads.dBeta, b.shape, "float32"));
        return result;
      });
    }
  }
  return { output, mean, variance };
}
