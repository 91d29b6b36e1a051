import type { Tensor } from "../../backend/tensor.js";
import type { Variable } from "../../backend/variable.js";
import { formatSymbolicShape, type SymbolicShape } from "../../backend/keras_tensor.js";
import * as ops from "../../ops/index.js";
import { normalizeByMoments } from "../../ops/batch_normalization.js";
import { normalizeAxis } from "../../ops/helpers.js";
import type * as initializers from "../../initializers/index.js";
import type * as regularizers from "../../regularizers/index.js";
import type * as constraints from "../../constraints/index.js";
import { Layer, type LayerArgs, type LayerShape } from "../layer.js";
import { WeightOptions, weightOptionsConfig } from "../weight_options.js";

/** The arguments of the normalization layers' learned scale (gamma) and offset (beta). */
export interface ScaleCenterArgs extends LayerArgs {
  /** Added to the variance. Default 1e-3. */
  epsilon?: number;
  /** Add the learned offset beta. Default true. */
  center?: boolean;
  /** Multiply by the learned scale gamma. Default true. */
  scale?: boolean;
  betaInitializer?: initializers.InitializerIdentifier;
  gammaInitializer?: initializers.InitializerIdentifier;
  betaRegularizer?: regularizers.RegularizerIdentifier;
  gammaRegularizer?: regularizers.RegularizerIdentifier;
  betaConstraint?: constraints.ConstraintIdentifier;
  gammaConstraint?: constraints.ConstraintIdentifier;
}

export interface LayerNormalizationArgs extends ScaleCenterArgs {
  /** The axis or axes normalized over (and which gamma/beta have). Default -1. */
  axis?: number | readonly number[];
  /** Divide by sqrt(variance + epsilon) and scale, without centring (Keras 3.8's RMS option). Default false. */
  rmsScaling?: boolean;
}

/**
 * Normalizes each sample over `axis` to mean 0 and variance 1, then scales by gamma and shifts
 * by beta: `(x - mean) / sqrt(variance + epsilon) * gamma + beta`.
 * Keras: `keras.layers.LayerNormalization(axis=-1, epsilon=0.001, center=True, scale=True, ...)`.
 */
export class LayerNormalization extends Layer {
  static override className = "LayerNormalization";
  override supportsMasking = true;
  /** An integer until built, then a list (as Keras keeps it). */
  axis: number | number[];
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly rmsScaling: boolean;
  readonly betaOptions: WeightOptions;
  readonly gammaOptions: WeightOptions;
  gamma?: Variable;
  beta?: Variable;

  constructor(args: LayerNormalizationArgs = {}) {
    super(args);
    const axis = args.axis ?? -1;
    if (!(Number.isInteger(axis) || (Array.isArray(axis) && axis.every((a) => Number.isInteger(a))))) {
      throw new TypeError(`LayerNormalization layer '${this.name}': expected an int or a list/tuple of ints for the argument 'axis', but received: ${JSON.stringify(axis)}`);
    }
    this.axis = typeof axis === "number" ? axis : [...axis];
    this.epsilon = args.epsilon ?? 1e-3;
    if (typeof this.epsilon !== "number" || !(this.epsilon >= 0)) throw new RangeError(`LayerNormalization layer '${this.name}': epsilon must be a number >= 0, got ${JSON.stringify(args.epsilon)}`);
    this.center = args.center ?? true;
    this.scale = args.scale ?? true;
    this.rmsScaling = args.rmsScaling ?? false;
    this.betaOptions = new WeightOptions(args.betaInitializer, "zeros", args.betaRegularizer, args.betaConstraint);
    this.gammaOptions = new WeightOptions(args.gammaInitializer, "ones", args.gammaRegularizer, args.gammaConstraint);
  }

  private axes(rank: number): number[] {
    const list = typeof this.axis === "number" ? [this.axis] : this.axis;
    return list.map((a) => normalizeAxis(a, rank, `LayerNormalization layer '${this.name}'`));
  }

  override build(inputShape: LayerShape): void {
    const shape = inputShape as SymbolicShape;
    const axes = this.axes(shape.length);
    const paramShape = axes.map((a) => shape[a]);
    if (paramShape.some((d) => d === null)) {
      throw new Error(`LayerNormalization layer '${this.name}': the normalized axes must have known sizes, got input shape ${formatSymbolicShape(shape)}`);
    }
    if (this.scale || this.rmsScaling) {
      this.gamma = this.gammaOptions.addTo(this, "gamma", paramShape as number[]);
    }
    if (this.center && !this.rmsScaling) {
      this.beta = this.betaOptions.addTo(this, "beta", paramShape as number[]);
    }
    if (typeof this.axis === "number") this.axis = [this.axis];
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = ops.cast(inputs as Tensor, "float32");
    const axes = this.axes(x.rank);
    const broadcastShape = x.shape.map((d, i) => (axes.includes(i) ? d : 1));
    const broadcast = (v: Variable | undefined): Tensor | null => (v === undefined ? null : ops.reshape(v.value, broadcastShape));
    if (this.rmsScaling) {
      // Keras's (deprecated) rms_scaling: x scaled by rsqrt(variance + epsilon), not centred.
      const [, variance] = ops.moments(x, axes, true);
      return ops.multiply(ops.divide(x, ops.sqrt(ops.add(variance, this.epsilon))), broadcast(this.gamma)!);
    }
    return normalizeByMoments(x, axes, this.epsilon, broadcast(this.gamma), broadcast(this.beta));
  }

  override computeOutputShape(inputShape: LayerShape): SymbolicShape {
    this.axes((inputShape as SymbolicShape).length);
    return inputShape as SymbolicShape;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      axis: typeof this.axis === "number" ? this.axis : [...this.axis],
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      rms_scaling: this.rmsScaling,
      ...weightOptionsConfig({ beta: this.betaOptions, gamma: this.gammaOptions }),
    };
  }
}
