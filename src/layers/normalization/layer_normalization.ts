import type { Tensor } from "../../backend/tensor.js";
import type { Variable } from "../../backend/variable.js";
import { formatSymbolicShape, type SymbolicShape } from "../../backend/keras_tensor.js";
import * as ops from "../../ops/index.js";
import * as initializers from "../../initializers/index.js";
import * as regularizers from "../../regularizers/index.js";
import * as constraints from "../../constraints/index.js";
import { Layer, type LayerArgs, type LayerShape } from "../layer.js";

export interface LayerNormalizationArgs extends LayerArgs {
  /** The axis or axes normalized over (and which gamma/beta have). Default -1. */
  axis?: number | readonly number[];
  /** Added to the variance. Default 1e-3. */
  epsilon?: number;
  /** Add the learned offset beta. Default true. */
  center?: boolean;
  /** Multiply by the learned scale gamma. Default true. */
  scale?: boolean;
  /** Divide by sqrt(variance + epsilon) and scale, without centring (Keras 3.8's RMS option). Default false. */
  rmsScaling?: boolean;
  betaInitializer?: initializers.InitializerIdentifier;
  gammaInitializer?: initializers.InitializerIdentifier;
  betaRegularizer?: regularizers.RegularizerIdentifier;
  gammaRegularizer?: regularizers.RegularizerIdentifier;
  betaConstraint?: constraints.ConstraintIdentifier;
  gammaConstraint?: constraints.ConstraintIdentifier;
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
  readonly betaInitializer: initializers.Initializer;
  readonly gammaInitializer: initializers.Initializer;
  readonly betaRegularizer: regularizers.Regularizer | null;
  readonly gammaRegularizer: regularizers.Regularizer | null;
  readonly betaConstraint: constraints.Constraint | null;
  readonly gammaConstraint: constraints.Constraint | null;
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
    this.betaInitializer = initializers.get(args.betaInitializer ?? "zeros");
    this.gammaInitializer = initializers.get(args.gammaInitializer ?? "ones");
    this.betaRegularizer = regularizers.get(args.betaRegularizer);
    this.gammaRegularizer = regularizers.get(args.gammaRegularizer);
    this.betaConstraint = constraints.get(args.betaConstraint);
    this.gammaConstraint = constraints.get(args.gammaConstraint);
  }

  private axes(rank: number): number[] {
    const list = typeof this.axis === "number" ? [this.axis] : this.axis;
    return list.map((a) => {
      if (a >= rank || a < -rank) throw new RangeError(`LayerNormalization layer '${this.name}': axis ${a} is out of bounds for inputs of rank ${rank}. Received: axis=${JSON.stringify(this.axis)}`);
      return a < 0 ? a + rank : a;
    });
  }

  override build(inputShape: LayerShape): void {
    const shape = inputShape as SymbolicShape;
    const axes = this.axes(shape.length);
    const paramShape = axes.map((a) => shape[a]);
    if (paramShape.some((d) => d === null)) {
      throw new Error(`LayerNormalization layer '${this.name}': the normalized axes must have known sizes, got input shape ${formatSymbolicShape(shape)}`);
    }
    if (this.scale || this.rmsScaling) {
      this.gamma = this.addWeight({ name: "gamma", shape: paramShape as number[], initializer: this.gammaInitializer, regularizer: this.gammaRegularizer, constraint: this.gammaConstraint });
    }
    if (this.center && !this.rmsScaling) {
      this.beta = this.addWeight({ name: "beta", shape: paramShape as number[], initializer: this.betaInitializer, regularizer: this.betaRegularizer, constraint: this.betaConstraint });
    }
    if (typeof this.axis === "number") this.axis = [this.axis];
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = ops.cast(inputs as Tensor, "float32");
    const axes = this.axes(x.rank);
    const broadcastShape = x.shape.map((d, i) => (axes.includes(i) ? d : 1));
    const broadcast = (v: Variable | undefined): Tensor | undefined => (v === undefined ? undefined : ops.reshape(v.value, broadcastShape));
    const gamma = broadcast(this.gamma);
    const beta = broadcast(this.beta);
    if (this.rmsScaling) {
      const [, variance] = ops.moments(x, axes, true);
      const inv = ops.divide(1, ops.sqrt(ops.add(variance, this.epsilon)));
      return ops.multiply(ops.multiply(x, inv), gamma!);
    }
    const [mean, variance] = ops.moments(x, axes, true);
    let inv = ops.divide(1, ops.sqrt(ops.add(variance, this.epsilon)));
    if (gamma !== undefined) inv = ops.multiply(inv, gamma);
    let offset = ops.negative(ops.multiply(mean, inv));
    if (beta !== undefined) offset = ops.add(offset, beta);
    return ops.add(ops.multiply(x, inv), offset);
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
      beta_initializer: initializers.serialize(this.betaInitializer),
      gamma_initializer: initializers.serialize(this.gammaInitializer),
      beta_regularizer: regularizers.serialize(this.betaRegularizer),
      gamma_regularizer: regularizers.serialize(this.gammaRegularizer),
      beta_constraint: constraints.serialize(this.betaConstraint),
      gamma_constraint: constraints.serialize(this.gammaConstraint),
    };
  }
}
