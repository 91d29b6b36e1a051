import type { BatchNormArgs, BatchNormGrads, BatchNormResult, GradientTarget } from "../fused_kernels.js";
import { checkLength } from "../conv_geometry.js";

/*
 * Reference batch normalization (contracts on `FusedKernels.batchNormTraining` and its kin): x as
 * [outer, channels, inner], per-channel sums in float64, elementwise steps rounded to float32 as
 * Keras's op-by-op formula rounds them.
 */

const f = Math.fround;

function check(kernel: string, args: BatchNormArgs, arrays: Record<string, [ArrayLike<number> | null, number]>): void {
  for (const v of [args.outer, args.channels, args.inner]) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`${kernel} kernel: outer, channels and inner must be non-negative integers`);
  }
  if (!(args.epsilon >= 0)) throw new RangeError(`${kernel} kernel: epsilon must be >= 0, got ${args.epsilon}`);
  for (const [name, [array, size]] of Object.entries(arrays)) checkLength(kernel, name, array, size);
}

/** Calls `visit(index)` for every element of channel c. */
function forChannel(args: BatchNormArgs, c: number, visit: (i: number) => void): void {
  const { outer, channels, inner } = args;
  for (let o = 0; o < outer; o++) {
    const base = (o * channels + c) * inner;
    for (let j = 0; j < inner; j++) visit(base + j);
  }
}

/** Per channel: inv = rsqrt(variance + epsilon) * gamma and shift = beta - mean * inv, rounded as Keras's ops round. */
function affine(mean: Float32Array, variance: Float32Array, gamma: Float32Array | null, beta: Float32Array | null, epsilon: number): [Float32Array, Float32Array] {
  const channels = mean.length;
  const inv = new Float32Array(channels);
  const shift = new Float32Array(channels);
  const eps = f(epsilon);
  for (let c = 0; c < channels; c++) {
    let s = f(1 / Math.sqrt(f(variance[c] + eps)));
    if (gamma !== null) s = f(s * gamma[c]);
    inv[c] = s;
    const m = f(-mean[c] * s);
    shift[c] = beta === null ? m : f(m + beta[c]);
  }
  return [inv, shift];
}

function normalizeWith(x: Float32Array, inv: Float32Array, shift: Float32Array, args: BatchNormArgs): Float32Array {
  const out = new Float32Array(x.length);
  for (let c = 0; c < args.channels; c++) {
    const s = inv[c];
    const b = shift[c];
    forChannel(args, c, (i) => {
      out[i] = f(x[i] * s) + b;
    });
  }
  return out;
}

export function batchNormTraining(x: Float32Array, gamma: Float32Array | null, beta: Float32Array | null, args: BatchNormArgs): BatchNormResult {
  const { outer, channels, inner } = args;
  check("batchNormTraining", args, { x: [x, outer * channels * inner], gamma: [gamma, channels], beta: [beta, channels] });
  const m = outer * inner;
  const mean = new Float32Array(channels);
  const variance = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    let sum = 0;
    forChannel(args, c, (i) => (sum += x[i]));
    const mu = f(sum / m);
    let squares = 0;
    forChannel(args, c, (i) => {
      const d = x[i] - mu;
      squares += d * d;
    });
    mean[c] = mu;
    variance[c] = f(squares / m);
  }
  const [inv, shift] = affine(mean, variance, gamma, beta, args.epsilon);
  return { out: normalizeWith(x, inv, shift, args), mean, variance };
}

export function batchNormInference(
  x: Float32Array, mean: Float32Array, variance: Float32Array, gamma: Float32Array | null, beta: Float32Array | null, args: BatchNormArgs,
): Float32Array {
  const { outer, channels, inner } = args;
  check("batchNormInference", args, {
    x: [x, outer * channels * inner], mean: [mean, channels], variance: [variance, channels], gamma: [gamma, channels], beta: [beta, channels],
  });
  const [inv, shift] = affine(mean, variance, gamma, beta, args.epsilon);
  return normalizeWith(x, inv, shift, args);
}

function intoTarget(target: GradientTarget, values: Float32Array): Float32Array {
  if (typeof target === "boolean") return values;
  target.set(values);
  return target;
}

export function batchNormTrainingBackward(
  dOut: Float32Array, x: Float32Array, mean: Float32Array, variance: Float32Array, gamma: Float32Array | null, args: BatchNormArgs,
  needDX: boolean, needDGamma: GradientTarget, needDBeta: GradientTarget,
): BatchNormGrads {
  const { outer, channels, inner } = args;
  const kernel = "batchNormTrainingBackward";
  check(kernel, args, {
    dOut: [dOut, outer * channels * inner], x: [x, outer * channels * inner], mean: [mean, channels], variance: [variance, channels], gamma: [gamma, channels],
    "dGamma target": [needDGamma instanceof Float32Array ? needDGamma : null, channels], "dBeta target": [needDBeta instanceof Float32Array ? needDBeta : null, channels],
  });
  const m = outer * inner;
  const dGamma = new Float32Array(channels);
  const dBeta = new Float32Array(channels);
  const dX = needDX ? new Float32Array(x.length) : null;
  for (let c = 0; c < channels; c++) {
    const mu = mean[c];
    const rstd = 1 / Math.sqrt(variance[c] + f(args.epsilon));
    let sumDy = 0;
    let sumDyXhat = 0;
    forChannel(args, c, (i) => {
      sumDy += dOut[i];
      sumDyXhat += dOut[i] * (x[i] - mu) * rstd;
    });
    dBeta[c] = sumDy;
    dGamma[c] = sumDyXhat;
    if (dX !== null) {
      const scale = (gamma === null ? 1 : gamma[c]) * rstd;
      const meanDy = sumDy / m;
      const meanDyXhat = sumDyXhat / m;
      forChannel(args, c, (i) => {
        dX[i] = scale * (dOut[i] - meanDy - (x[i] - mu) * rstd * meanDyXhat);
      });
    }
  }
  return {
    dX,
    dGamma: needDGamma === false ? null : intoTarget(needDGamma, dGamma),
    dBeta: needDBeta === false ? null : intoTarget(needDBeta, dBeta),
  };
}
