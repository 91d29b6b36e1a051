import type { DType } from "../backend/dtypes.js";
import type { Tensor } from "../backend/tensor.js";
import * as ops from "../ops/index.js";
import * as random from "../random/index.js";
import { isKerasObjectConfig, lookupClass, register, serializeKerasObject, type KerasObjectConfig } from "../saving/serialization.js";
import { snakeToCamel } from "../utils/naming.js";

/** An initializer makes a weight's first value from its shape. */
export abstract class Initializer {
  abstract call(shape: readonly number[], dtype?: DType): Tensor;

  getConfig(): Record<string, unknown> {
    return {};
  }

  className(): string {
    return (this.constructor as typeof Initializer & { className?: string }).className ?? this.constructor.name;
  }
}

export class Zeros extends Initializer {
  static readonly className: string = "Zeros";
  call(shape: readonly number[], dtype: DType = "float32"): Tensor {
    return ops.zeros(shape, dtype);
  }
}

export class Ones extends Initializer {
  static readonly className: string = "Ones";
  call(shape: readonly number[], dtype: DType = "float32"): Tensor {
    return ops.ones(shape, dtype);
  }
}

export class Constant extends Initializer {
  static readonly className: string = "Constant";
  readonly value: number;
  constructor(args: { value?: number } | number = {}) {
    super();
    this.value = typeof args === "number" ? args : args.value ?? 0;
  }
  call(shape: readonly number[], dtype: DType = "float32"): Tensor {
    return ops.full(shape, this.value, dtype);
  }
  override getConfig(): Record<string, unknown> {
    return { value: this.value };
  }
}

interface SeedArgs {
  seed?: number | null;
}

export class RandomNormal extends Initializer {
  static readonly className: string = "RandomNormal";
  readonly mean: number;
  readonly stddev: number;
  readonly seed: number | null;
  constructor(args: { mean?: number; stddev?: number } & SeedArgs = {}) {
    super();
    this.mean = args.mean ?? 0;
    this.stddev = args.stddev ?? 0.05;
    this.seed = args.seed ?? null;
  }
  call(shape: readonly number[], dtype: DType = "float32"): Tensor {
    return random.normal(shape, { mean: this.mean, stddev: this.stddev, dtype, seed: this.seed ?? undefined });
  }
  override getConfig(): Record<string, unknown> {
    return { mean: this.mean, stddev: this.stddev, seed: this.seed };
  }
}

export class RandomUniform extends Initializer {
  static readonly className: string = "RandomUniform";
  readonly minval: number;
  readonly maxval: number;
  readonly seed: number | null;
  constructor(args: { minval?: number; maxval?: number } & SeedArgs = {}) {
    super();
    this.minval = args.minval ?? -0.05;
    this.maxval = args.maxval ?? 0.05;
    this.seed = args.seed ?? null;
  }
  call(shape: readonly number[], dtype: DType = "float32"): Tensor {
    return random.uniform(shape, { minval: this.minval, maxval: this.maxval, dtype, seed: this.seed ?? undefined });
  }
  override getConfig(): Record<string, unknown> {
    return { minval: this.minval, maxval: this.maxval, seed: this.seed };
  }
}

/** RandomNormal's options and defaults, drawing again any value beyond 2 standard deviations. */
export class TruncatedNormal extends RandomNormal {
  static override readonly className: string = "TruncatedNormal";
  override call(shape: readonly number[], dtype: DType = "float32"): Tensor {
    return random.truncatedNormal(shape, { mean: this.mean, stddev: this.stddev, dtype, seed: this.seed ?? undefined });
  }
}

/** Keras's fan computation: dense [in, out]; conv kernels [...spatial, in, out] scale by the receptive field. */
export function computeFans(shape: readonly number[]): [number, number] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [shape[0], shape[0]];
  if (shape.length === 2) return [shape[0], shape[1]];
  let receptive = 1;
  for (const d of shape.slice(0, -2)) receptive *= d;
  return [shape[shape.length - 2] * receptive, shape[shape.length - 1] * receptive];
}

export type FanMode = "fan_in" | "fan_out" | "fan_avg";
export type Distribution = "truncated_normal" | "untruncated_normal" | "uniform";

export class VarianceScaling extends Initializer {
  static readonly className: string = "VarianceScaling";
  readonly scale: number;
  readonly mode: FanMode;
  readonly distribution: Distribution;
  readonly seed: number | null;
  constructor(args: { scale?: number; mode?: FanMode; distribution?: Distribution } & SeedArgs = {}) {
    super();
    this.scale = args.scale ?? 1;
    this.mode = args.mode ?? "fan_in";
    this.distribution = args.distribution ?? "truncated_normal";
    this.seed = args.seed ?? null;
    if (!(this.scale > 0)) throw new RangeError(`VarianceScaling: scale must be positive, got ${this.scale}`);
    if (!["fan_in", "fan_out", "fan_avg"].includes(this.mode)) throw new Error(`VarianceScaling: invalid mode '${this.mode}'`);
    if (!["truncated_normal", "untruncated_normal", "uniform"].includes(this.distribution)) {
      throw new Error(`VarianceScaling: invalid distribution '${this.distribution}'`);
    }
  }
  call(shape: readonly number[], dtype: DType = "float32"): Tensor {
    const [fanIn, fanOut] = computeFans(shape);
    const fan = this.mode === "fan_in" ? fanIn : this.mode === "fan_out" ? fanOut : (fanIn + fanOut) / 2;
    const variance = this.scale / Math.max(1, fan);
    const seed = this.seed ?? undefined;
    if (this.distribution === "uniform") {
      const limit = Math.sqrt(3 * variance);
      return random.uniform(shape, { minval: -limit, maxval: limit, dtype, seed });
    }
    if (this.distribution === "truncated_normal") {
      // Divides by the stddev of a unit normal truncated to [-2, 2], so the variance comes out right.
      const stddev = Math.sqrt(variance) / 0.8796256610342398;
      return random.truncatedNormal(shape, { mean: 0, stddev, dtype, seed });
    }
    return random.normal(shape, { mean: 0, stddev: Math.sqrt(variance), dtype, seed });
  }
  override getConfig(): Record<string, unknown> {
    return { scale: this.scale, mode: this.mode, distribution: this.distribution, seed: this.seed };
  }
}

function preset(className: string, scale: number, mode: FanMode, distribution: Distribution) {
  return class extends VarianceScaling {
    static override readonly className: string = className;
    constructor(args: SeedArgs = {}) {
      super({ scale, mode, distribution, seed: args.seed ?? null });
    }
    override getConfig(): Record<string, unknown> {
      return { seed: this.seed };
    }
  };
}

export const GlorotUniform = preset("GlorotUniform", 1, "fan_avg", "uniform");
export const GlorotNormal = preset("GlorotNormal", 1, "fan_avg", "truncated_normal");
export const HeUniform = preset("HeUniform", 2, "fan_in", "uniform");
export const HeNormal = preset("HeNormal", 2, "fan_in", "truncated_normal");
export const LecunUniform = preset("LecunUniform", 1, "fan_in", "uniform");
export const LecunNormal = preset("LecunNormal", 1, "fan_in", "truncated_normal");

/** Identity matrix (2-d shapes only), scaled by `gain`. */
export class Identity extends Initializer {
  static readonly className: string = "Identity";
  readonly gain: number;
  constructor(args: { gain?: number } = {}) {
    super();
    this.gain = args.gain ?? 1;
  }
  call(shape: readonly number[], dtype: DType = "float32"): Tensor {
    if (shape.length !== 2) throw new Error(`Identity initializer: only 2-d shapes are supported, got [${shape.join(",")}]`);
    return ops.multiply(ops.eye(shape[0], shape[1], 0, dtype), this.gain);
  }
  override getConfig(): Record<string, unknown> {
    return { gain: this.gain };
  }
}

/**
 * Keras's `Orthogonal`: for a shape [..., n] with r = the product of the leading sizes, the Q of
 * the QR factorization of an r x n (or n x r, then transposed) matrix of standard normal samples,
 * signs fixed so R's diagonal is positive, times `gain`. Its rows (r <= n) or columns are
 * orthonormal: the default recurrent kernel of the RNN layers.
 */
export class Orthogonal extends Initializer {
  static readonly className: string = "Orthogonal";
  readonly gain: number;
  readonly seed: number | null;
  constructor(args: { gain?: number } & SeedArgs = {}) {
    super();
    this.gain = args.gain ?? 1;
    this.seed = args.seed ?? null;
  }
  call(shape: readonly number[], dtype: DType = "float32"): Tensor {
    if (shape.length < 2) throw new Error(`The tensor to initialize must be at least two-dimensional. Received: shape=(${shape.join(", ")}) of rank ${shape.length}.`);
    const rows = shape.slice(0, -1).reduce((a, d) => a * d, 1);
    const cols = shape[shape.length - 1];
    const [m, n] = [Math.max(rows, cols), Math.min(rows, cols)];
    const a = random.normal([m, n], { dtype, seed: this.seed ?? undefined });
    const q = orthonormalColumns(Float64Array.from(a.dataSync() as Float32Array), m, n);
    // Q is m x n; the result wants rows x cols, so Q's transpose when there are fewer rows.
    const out = new Float32Array(rows * cols);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) out[rows < cols ? j * cols + i : i * cols + j] = this.gain * q[i * n + j];
    }
    return ops.reshape(ops.convertToTensor(out), shape);
  }
  override getConfig(): Record<string, unknown> {
    return { seed: this.seed, gain: this.gain };
  }
}

/**
 * Q of the thin QR factorization of a [m, n] (m >= n) by modified Gram-Schmidt, twice (which
 * keeps the columns orthonormal to float64 rounding): R's diagonal comes out positive, the sign
 * convention Keras enforces after its QR.
 */
function orthonormalColumns(a: Float64Array, m: number, n: number): Float64Array {
  const q = a.slice();
  for (let j = 0; j < n; j++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < j; k++) {
        let dot = 0;
        for (let i = 0; i < m; i++) dot += q[i * n + k] * q[i * n + j];
        for (let i = 0; i < m; i++) q[i * n + j] -= dot * q[i * n + k];
      }
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += q[i * n + j] * q[i * n + j];
    norm = Math.sqrt(norm);
    // A zero column (probability 0 for normal samples) stays zero rather than dividing by zero.
    if (norm > 0) for (let i = 0; i < m; i++) q[i * n + j] /= norm;
  }
  return q;
}

type InitializerClass = new (args?: any) => Initializer;
const registry = new Map<string, InitializerClass>();
register(registry, "Zeros", Zeros, ["zeros", "zero"]);
register(registry, "Ones", Ones, ["ones", "one"]);
register(registry, "Constant", Constant, ["constant"]);
register(registry, "RandomNormal", RandomNormal, ["random_normal", "normal"]);
register(registry, "RandomUniform", RandomUniform, ["random_uniform", "uniform"]);
register(registry, "TruncatedNormal", TruncatedNormal, ["truncated_normal"]);
register(registry, "VarianceScaling", VarianceScaling, ["variance_scaling"]);
register(registry, "GlorotUniform", GlorotUniform, ["glorot_uniform"]);
register(registry, "GlorotNormal", GlorotNormal, ["glorot_normal"]);
register(registry, "HeUniform", HeUniform, ["he_uniform"]);
register(registry, "HeNormal", HeNormal, ["he_normal"]);
register(registry, "LecunUniform", LecunUniform, ["lecun_uniform"]);
register(registry, "LecunNormal", LecunNormal, ["lecun_normal"]);
register(registry, "Identity", Identity, ["identity"]);
register(registry, "Orthogonal", Orthogonal, ["orthogonal", "OrthogonalInitializer"]);

export type InitializerIdentifier = Initializer | string | KerasObjectConfig;

function camelizeKeys(config: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [snakeToCamel(k), v]));
}

/** `keras.initializers.get`: an instance, a name ("glorot_uniform"), or a serialized config. */
export function get(identifier: InitializerIdentifier): Initializer {
  if (identifier instanceof Initializer) return identifier;
  if (typeof identifier === "string") return new (lookupClass(registry, identifier, "initializer"))();
  if (isKerasObjectConfig(identifier)) return new (lookupClass(registry, identifier.class_name, "initializer"))(camelizeKeys(identifier.config));
  throw new TypeError(`Could not interpret initializer identifier: ${JSON.stringify(identifier)}`);
}

export function serialize(initializer: Initializer): KerasObjectConfig {
  return serializeKerasObject("keras.initializers", initializer.className(), initializer.getConfig());
}
