import type { Tensor } from "../../backend/tensor.js";
import type { Variable } from "../../backend/variable.js";
import { formatSymbolicShape, type SymbolicShape } from "../../backend/keras_tensor.js";
import * as ops from "../../ops/index.js";
import { normalizeByMoments } from "../../ops/batch_normalization.js";
import { normalizeAxis } from "../../ops/helpers.js";
import { Layer, type LayerShape } from "../layer.js";
import { WeightOptions, weightOptionsConfig } from "../weight_options.js";
import type { ScaleCenterArgs } from "./layer_normalization.js";

export interface GroupNormalizationArgs extends ScaleCenterArgs {
  /** Number of channel groups; -1 makes one group per channel (instance normalization). Default 32. */
  groups?: number;
  /** The channel axis. Default -1. */
  axis?: number;
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
  readonly betaOptions: WeightOptions;
  readonly gammaOptions: WeightOptions;
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
    this.betaOptions = new WeightOptions(args.betaInitializer, "zeros", args.betaRegularizer, args.betaConstraint);
    this.gammaOptions = new WeightOptions(args.gammaInitializer, "ones", args.gammaRegularizer, args.gammaConstraint);
  }

  private channelAxis(rank: number): number {
    return normalizeAxis(this.axis, rank, `GroupNormalization layer '${this.name}'`);
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
    if (this.scale) this.gamma = this.gammaOptions.addTo(this, "gamma", [dim]);
    if (this.center) this.beta = this.betaOptions.addTo(this, "beta", [dim]);
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = ops.cast(inputs as Tensor, "float32");
    const axis = this.channelAxis(x.rank);
    const perGroup = x.shape[axis] / this.groups;
    // [..., channels, ...] -> [..., groups, channels / groups, ...]; statistics over all but batch and group.
    const grouped = ops.reshape(x, [...x.shape.slice(0, axis), this.groups, perGroup, ...x.shape.slice(axis + 1)]);
    const reductionAxes = Array.from({ length: grouped.rank }, (_, i) => i).filter((i) => i !== 0 && i !== axis);
    const paramShape = grouped.shape.map((d, i) => (i === axis || i === axis + 1 ? d : 1));
    const perChannel = (v: Variable | undefined) => (v === undefined ? null : ops.reshape(v.value, paramShape));
    return ops.reshape(normalizeByMoments(grouped, reductionAxes, this.epsilon, perChannel(this.gamma), perChannel(this.beta)), x.shape);
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
      ...weightOptionsConfig({ beta: this.betaOptions, gamma: this.gammaOptions }),
    };
  }
}
