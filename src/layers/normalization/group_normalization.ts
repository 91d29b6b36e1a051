import type { Tensor } from "../../backend/tensor.js";
import type { Variable } from "../../backend/variable.js";
import { formatSymbolicShape, type SymbolicShape } from "../../backend/keras_tensor.js";
import * as ops from "../../ops/index.js";
import * as initializers from "../../initializers/index.js";
import * as regularizers from "../../regularizers/index.js";
import * as constraints from "../../constraints/index.js";
import { Layer, type LayerArgs, type LayerShape } from "../layer.js";

export interface GroupNormalizationArgs extends LayerArgs {
  /** Number of channel groups; -1 makes one group per channel (instance normalization). Default 32. */
  groups?: number;
  /** The channel axis. Default -1. */
  axis?: number;
  /** Added to the variance. Default 1e-3. */
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
  betaInitializer?: initializers.InitializerIdentifier;
  gammaInitializer?: initializers.InitializerIdentifier;
  betaRegularizer?: regularizers.RegularizerIdentifier;
  gammaRegularizer?: regularizers.RegularizerIdentifier;
  betaConstraint?: constraints.ConstraintIdentifier;
  gammaConstraint?: constraints.ConstraintIdentifier;
}

/**
 * Splits the channels into `groups` groups and normalizes each sample's group (over its channels
 * and all positions) to mean 0 and variance 1, then scales and shifts per channel. One group is
 * LayerNormalization over all but the batch axis; one group per channel is instance normalization.
 * Keras: `keras.layers.GroupNormalization(groups=32, axis=-1, epsilon=0.001, ...)`.
 */
export class GroupNormalization extends Layer {
  static override className = "GroupNormalization";
  override supportsMasking = true;
  /** -1 becomes the channel count when built (as Keras does). */
  groups: number;
  readonly axis: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly betaInitializer: initializers.Initializer;
  readonly gammaInitializer: initializers.Initializer;
  readonly betaRegularizer: regularizers.Regularizer | null;
  readonly gammaRegularizer: regularizers.Regularizer | null;
  readonly betaConstraint: constraints.Constraint | null;
  readonly gammaConstraint: constraints.Constraint | null;
  gamma?: Variable;
  beta?: Variable;

  constructor(args: GroupNormalizationArgs = {}) {
    super(args);
    const groups = args.groups ?? 32;
    if (!Number.isInteger(groups) || (groups <= 0 && groups !== -1)) {
      throw new RangeError(`GroupNormalization layer '${this.name}': received an invalid value for argument \`groups\`, expected a positive integer (or -1 for instance normalization). Received: groups=${JSON.stringify(args.groups)}`);
    }
    this.groups = groups;
    const axis = args.axis ?? -1;
    if (!Number.isInteger(axis)) throw new TypeError(`GroupNormalization layer '${this.name}': axis must be an integer, got ${JSON.stringify(args.axis)}`);
    this.axis = axis;
    this.epsilon = args.epsilon ?? 1e-3;
    this.center = args.center ?? true;
    this.scale = args.scale ?? true;
    this.betaInitializer = initializers.get(args.betaInitializer ?? "zeros");
    this.gammaInitializer = initializers.get(args.gammaInitializer ?? "ones");
    this.betaRegularizer = regularizers.get(args.betaRegularizer);
    this.gammaRegularizer = regularizers.get(args.gammaRegularizer);
    this.betaConstraint = constraints.get(args.betaConstraint);
    this.gammaConstraint = constraints.get(args.gammaConstraint);
  }

  private channelAxis(rank: number): number {
    if (this.axis >= rank || this.axis < -rank) {
      throw new RangeError(`GroupNormalization layer '${this.name}': axis ${this.axis} is out of bounds for inputs of rank ${rank}`);
    }
    return this.axis < 0 ? this.axis + rank : this.axis;
  }

  override build(inputShape: LayerShape): void {
    const shape = inputShape as SymbolicShape;
    const dim = shape[this.channelAxis(shape.length)];
    if (dim === null) {
      throw new Error(`GroupNormalization layer '${this.name}': axis ${this.axis} of the input should have a defined dimension, but the layer received an input with shape ${formatSymbolicShape(shape)}`);
    }
    if (this.groups === -1) this.groups = dim;
    if (dim < this.groups) throw new Error(`GroupNormalization layer '${this.name}': number of groups (${this.groups}) cannot be more than the number of channels (${dim})`);
    if (dim % this.groups !== 0) throw new Error(`GroupNormalization layer '${this.name}': the number of channels (${dim}) must be a multiple of the number of groups (${this.groups})`);
    this.inputSpec = { ndim: shape.length, axes: { [this.axis]: dim } };
    if (this.scale) this.gamma = this.addWeight({ name: "gamma", shape: [dim], initializer: this.gammaInitializer, regularizer: this.gammaRegularizer, constraint: this.gammaConstraint });
    if (this.center) this.beta = this.addWeight({ name: "beta", shape: [dim], initializer: this.betaInitializer, regularizer: this.betaRegularizer, constraint: this.betaConstraint });
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = ops.cast(inputs as Tensor, "float32");
    const axis = this.channelAxis(x.rank);
    const perGroup = x.shape[axis] / this.groups;
    // [..., channels, ...] -> [..., groups, channels / groups, ...]; statistics over all but batch and group.
    const grouped = ops.reshape(x, [...x.shape.slice(0, axis), this.groups, perGroup, ...x.shape.slice(axis + 1)]);
    const reductionAxes = Array.from({ length: grouped.rank }, (_, i) => i).filter((i) => i !== 0 && i !== axis);
    const [mean, variance] = ops.moments(grouped, reductionAxes, true);
    const paramShape = grouped.shape.map((d, i) => (i === axis || i === axis + 1 ? d : 1));
    let inv = ops.divide(1, ops.sqrt(ops.add(variance, this.epsilon)));
    if (this.gamma !== undefined) inv = ops.multiply(inv, ops.reshape(this.gamma.value, paramShape));
    let offset = ops.negative(ops.multiply(mean, inv));
    if (this.beta !== undefined) offset = ops.add(offset, ops.reshape(this.beta.value, paramShape));
    return ops.reshape(ops.add(ops.multiply(grouped, inv), offset), x.shape);
  }

  override computeOutputShape(inputShape: LayerShape): SymbolicShape {
    this.channelAxis((inputShape as SymbolicShape).length);
    return inputShape as SymbolicShape;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      groups: this.groups,
      axis: this.axis,
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      beta_initializer: initializers.serialize(this.betaInitializer),
      gamma_initializer: initializers.serialize(this.gammaInitializer),
      beta_regularizer: regularizers.serialize(this.betaRegularizer),
      gamma_regularizer: regularizers.serialize(this.gammaRegularizer),
      beta_constraint: constraints.serialize(this.betaConstraint),
      gamma_constraint: constraints.serialize(this.gammaConstraint),
    };
  }
}
