import { getBackend } from "../backend/backend.js";
import { allocate, checkDType, INT_RANGES, type DType } from "../backend/dtypes.js";
import { checkShape, formatShape, sizeOf } from "../backend/shape.js";
import { makeTensor, type Tensor } from "../backend/tensor.js";
import { isRecording, record } from "../autodiff/tape.js";
import { cast, toTensor, type TensorLike } from "../ops/core.js";
import { multiply } from "../ops/elementwise.js";
import type { ShapeLike } from "../ops/creation.js";
import { fillKeepMask, fillNormal, fillPermutation, fillRandint, fillTruncatedNormal, fillUniform } from "./prng.js";
import { rngFor, type Seed } from "./seed_generator.js";

/* `keras.random`: Keras 3's random ops. Each fills a typed array it allocates. */

function toShape(shape: ShapeLike, op: string): number[] {
  return checkShape(typeof shape === "number" ? [shape] : shape, op);
}

function finiteNumber(value: unknown, name: string, op: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) throw new TypeError(`${op}: ${name} must be a finite number, got ${String(value)}`);
  return value;
}

function floatDType(dtype: DType | undefined, op: string): "float32" {
  const d = checkDType(dtype ?? "float32", op);
  if (d !== "float32") throw new TypeError(`${op}: requires a floating-point dtype, got ${d}`);
  return d;
}

export interface NormalOptions {
  /** Default 0. */
  mean?: number;
  /** Default 1. */
  stddev?: number;
  /** Only float32 (the default). */
  dtype?: DType;
  /** An integer (the same numbers every call), a SeedGenerator, or none for the global generator. */
  seed?: Seed;
}

/** Samples from a normal (Gaussian) distribution. */
export function normal(shape: ShapeLike, options: NormalOptions = {}): Tensor {
  const s = toShape(shape, "normal");
  const mean = finiteNumber(options.mean ?? 0, "mean", "normal");
  const stddev = finiteNumber(options.stddev ?? 1, "stddev", "normal");
  const dtype = floatDType(options.dtype, "normal");
  const out = allocate(dtype, sizeOf(s)) as Float32Array;
  fillNormal(out, mean, stddev, rngFor(options.seed, "normal"));
  return makeTensor(out, s, dtype);
}

/**
 * Samples from a normal distribution, redrawing those more than two standard deviations from the
 * mean: every value lies in [mean - 2 stddev, mean + 2 stddev].
 */
export function truncatedNormal(shape: ShapeLike, options: NormalOptions = {}): Tensor {
  const s = toShape(shape, "truncatedNormal");
  const mean = finiteNumber(options.mean ?? 0, "mean", "truncatedNormal");
  const stddev = finiteNumber(options.stddev ?? 1, "stddev", "truncatedNormal");
  const dtype = floatDType(options.dtype, "truncatedNormal");
  const out = allocate(dtype, sizeOf(s)) as Float32Array;
  fillTruncatedNormal(out, mean, stddev, rngFor(options.seed, "truncatedNormal"));
  return makeTensor(out, s, dtype);
}

export interface UniformOptions {
  /** Inclusive lower bound, default 0. */
  minval?: number;
  /** Exclusive upper bound, default 1. */
  maxval?: number;
  /** Only float32 (the default). */
  dtype?: DType;
  seed?: Seed;
}

/** Samples from the uniform distribution on [minval, maxval). */
export function uniform(shape: ShapeLike, options: UniformOptions = {}): Tensor {
  const s = toShape(shape, "uniform");
  const minval = finiteNumber(options.minval ?? 0, "minval", "uniform");
  const maxval = finiteNumber(options.maxval ?? 1, "maxval", "uniform");
  if (minval > maxval) throw new RangeError(`uniform: minval (${minval}) must not exceed maxval (${maxval})`);
  const dtype = floatDType(options.dtype, "uniform");
  const out = allocate(dtype, sizeOf(s)) as Float32Array;
  fillUniform(out, minval, maxval, rngFor(options.seed, "uniform"));
  return makeTensor(out, s, dtype);
}

export interface RandintOptions {
  /** An integer dtype: int32 (the default) or uint8. */
  dtype?: DType;
  seed?: Seed;
}

/** Uniform random integers in [minval, maxval). */
export function randint(shape: ShapeLike, minval: number, maxval: number, options: RandintOptions = {}): Tensor {
  const s = toShape(shape, "randint");
  const dtype = checkDType(options.dtype ?? "int32", "randint");
  if (dtype !== "int32" && dtype !== "uint8") throw new TypeError(`randint: requires an integer dtype (int32 or uint8), got ${dtype}`);
  if (!Number.isInteger(minval) || !Number.isInteger(maxval)) throw new TypeError(`randint: minval and maxval must be integers, got ${minval} and ${maxval}`);
  if (minval >= maxval) throw new RangeError(`randint: minval (${minval}) must be less than maxval (${maxval})`);
  const [lo, hi] = INT_RANGES[dtype];
  if (minval < lo || maxval - 1 > hi) throw new RangeError(`randint: [${minval}, ${maxval}) does not fit in ${dtype}`);
  const out = allocate(dtype, sizeOf(s)) as Int32Array | Uint8Array;
  fillRandint(out, minval, maxval, rngFor(options.seed, "randint"));
  return makeTensor(out, s, dtype);
}

/** Shuffles `x` along `axis` (default 0) by a uniformly random permutation; differentiable. */
export function shuffle(x: TensorLike, options: { axis?: number; seed?: Seed } = {}): Tensor {
  const t = toTensor(x, "shuffle");
  if (t.rank === 0) throw new RangeError("shuffle: cannot shuffle a rank-0 tensor");
  const axisArg = options.axis ?? 0;
  if (!Number.isInteger(axisArg) || axisArg < -t.rank || axisArg >= t.rank) {
    throw new RangeError(`shuffle: axis ${axisArg} is out of bounds for a tensor of rank ${t.rank}`);
  }
  const axis = axisArg < 0 ? axisArg + t.rank : axisArg;
  const perm = new Int32Array(t.shape[axis]);
  fillPermutation(perm, rngFor(options.seed, "shuffle"));
  const backend = getBackend();
  const out = makeTensor(backend.gather(t.storage, t.shape, perm, axis), t.shape, t.dtype);
  if (isRecording() && t.dtype === "float32") {
    const inverse = new Int32Array(perm.length);
    for (let i = 0; i < perm.length; i++) inverse[perm[i]] = i;
    record([t], out, (g) => [makeTensor(backend.gather(g.storage, g.shape, inverse, axis), g.shape, g.dtype)]);
  }
  return out;
}

export interface DropoutOptions {
  /**
   * Shape of the keep/drop mask, broadcast over `x`: same rank as `x`, each entry `x`'s size or 1
   * (null means `x`'s size). `[batch, 1, features]` drops whole features for every timestep.
   */
  noiseShape?: readonly (number | null)[];
  seed?: Seed;
}

/**
 * Keras's `keras.random.dropout`: each element (or mask entry) is zeroed with probability `rate`
 * and survivors are scaled by `1 / (1 - rate)`, so the expected value is unchanged. The result is
 * float32 and differentiable: the gradient is the same mask times the same scale.
 */
export function dropout(x: TensorLike, rate: number, options: DropoutOptions = {}): Tensor {
  const t = toTensor(x, "dropout");
  if (typeof rate !== "number" || !(rate >= 0 && rate <= 1)) throw new RangeError(`dropout: rate must be a number in [0, 1], got ${String(rate)}`);
  let noiseShape: number[] = [...t.shape];
  if (options.noiseShape !== undefined && options.noiseShape !== null) {
    const given = options.noiseShape;
    const valid =
      Array.isArray(given) &&
      given.length === t.rank &&
      given.every((d, i) => d === null || d === 1 || d === t.shape[i]);
    if (!valid) {
      throw new Error(`dropout: noiseShape ${JSON.stringify(given)} does not fit inputs of shape ${formatShape(t.shape)}: it needs the same rank, each entry the input's size, 1 or null`);
    }
    noiseShape = given.map((d, i) => (d === null ? t.shape[i] : d));
  }
  // The seed is drawn even when nothing is dropped, so a generator's stream does not depend on rate.
  const rng = rngFor(options.seed, "dropout");
  const xf = t.dtype === "float32" ? t : cast(t, "float32");
  if (rate === 0) return xf;
  const keep = 1 - rate;
  const mask = allocate("float32", sizeOf(noiseShape)) as Float32Array;
  fillKeepMask(mask, keep, keep > 0 ? 1 / keep : 0, rng);
  return multiply(xf, makeTensor(mask, noiseShape, "float32"));
}
