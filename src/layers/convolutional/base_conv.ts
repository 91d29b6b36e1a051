import type { Tensor } from "../../backend/tensor.js";
import type { Variable } from "../../backend/variable.js";
import { formatSymbolicShape, type SymbolicShape } from "../../backend/keras_tensor.js";
import { convBiasActivation } from "../../ops/conv.js";
import { computeConvOutputShape } from "../../ops/operation_utils.js";
import * as activations from "../../activations/index.js";
import * as initializers from "../../initializers/index.js";
import * as regularizers from "../../regularizers/index.js";
import * as constraints from "../../constraints/index.js";
import { standardizeTuple, type ConvPadding } from "../../utils/argument_validation.js";
import { standardizeDataFormat, standardizePadding, type DataFormat } from "../../ops/operation_utils.js";
import { Layer, type LayerArgs, type LayerShape } from "../layer.js";

export interface ConvArgs extends LayerArgs {
  /** Number of output channels. */
  filters?: number;
  /** The window: one integer for every spatial axis, or one per axis. */
  kernelSize?: number | readonly number[];
  /** Default 1. */
  strides?: number | readonly number[];
  /** "valid" (default), "same" (output size ceil(input / stride)), or "causal" (Conv1D only). */
  padding?: ConvPadding;
  dataFormat?: DataFormat;
  /** Default 1; dilation > 1 with strides > 1 is not supported (as in Keras). */
  dilationRate?: number | readonly number[];
  /** Channel groups, each convolved with filters / groups filters. Default 1. */
  groups?: number;
  activation?: activations.ActivationIdentifier;
  useBias?: boolean;
  kernelInitializer?: initializers.InitializerIdentifier;
  biasInitializer?: initializers.InitializerIdentifier;
  kernelRegularizer?: regularizers.RegularizerIdentifier;
  biasRegularizer?: regularizers.RegularizerIdentifier;
  kernelConstraint?: constraints.ConstraintIdentifier;
  biasConstraint?: constraints.ConstraintIdentifier;
}

/** `new Conv2D(32, 3, options)` or `new Conv2D({ filters: 32, kernelSize: 3, ... })`. */
export function convArgsOf(first: number | ConvArgs, kernelSize: number | readonly number[] | undefined, rest: ConvArgs): ConvArgs {
  return typeof first === "number" ? { ...rest, filters: first, kernelSize } : first;
}

/** Keras refuses strides and dilation both above 1 in one conv layer. */
export function checkStridesAndDilation(owner: string, strides: number[], dilationRate: number[]): void {
  if (Math.max(...strides) > 1 && Math.max(...dilationRate) > 1) {
    throw new Error(`${owner}: \`strides > 1\` not supported in conjunction with \`dilation_rate > 1\`. Received: strides=[${strides.join(", ")}] and dilation_rate=[${dilationRate.join(", ")}]`);
  }
}

/** The channel count of a (symbolic) input shape, which must be known. */
export function inputChannels(owner: string, shape: SymbolicShape, dataFormat: DataFormat): number {
  const channels = dataFormat === "channels_last" ? shape[shape.length - 1] : shape[1];
  if (channels === null || channels === undefined) {
    throw new Error(`${owner}: the channel dimension of the inputs should be defined, got input shape ${formatSymbolicShape(shape)}`);
  }
  return channels;
}

/**
 * Conv1D/2D/3D: `activation(conv(inputs, kernel) + bias)`, one op (`convBiasActivation`) per
 * call. The kernel is `[...kernelSize, inputChannels / groups, filters]`, as Keras stores it, so
 * weights interoperate with Keras files. Keras's BaseConv.
 */
export abstract class BaseConv extends Layer {
  readonly rank: number;
  readonly filters: number;
  readonly kernelSize: number[];
  readonly strides: number[];
  readonly padding: ConvPadding;
  readonly dataFormat: DataFormat;
  readonly dilationRate: number[];
  readonly groups: number;
  readonly activation: activations.ActivationFn;
  readonly useBias: boolean;
  readonly kernelInitializer: initializers.Initializer;
  readonly biasInitializer: initializers.Initializer;
  readonly kernelRegularizer: regularizers.Regularizer | null;
  readonly biasRegularizer: regularizers.Regularizer | null;
  readonly kernelConstraint: constraints.Constraint | null;
  readonly biasConstraint: constraints.Constraint | null;
  kernel?: Variable;
  bias?: Variable;

  protected constructor(rank: number, args: ConvArgs) {
    super(args);
    const owner = this.owner();
    this.rank = rank;
    const filters = args.filters;
    if (typeof filters !== "number" || !Number.isInteger(filters) || filters <= 0) {
      throw new RangeError(`${owner}: invalid value for argument \`filters\`. Expected a strictly positive integer. Received filters=${JSON.stringify(filters)}.`);
    }
    this.filters = filters;
    const groups = args.groups ?? 1;
    if (!Number.isInteger(groups) || groups <= 0) throw new RangeError(`${owner}: the number of groups must be a positive integer. Received: groups=${JSON.stringify(groups)}.`);
    if (filters % groups !== 0) throw new Error(`${owner}: the number of filters must be evenly divisible by the number of groups. Received: groups=${groups}, filters=${filters}.`);
    this.groups = groups;
    this.kernelSize = standardizeTuple(args.kernelSize, rank, "kernel_size", owner);
    this.strides = standardizeTuple(args.strides ?? 1, rank, "strides", owner);
    this.dilationRate = standardizeTuple(args.dilationRate ?? 1, rank, "dilation_rate", owner);
    this.padding = standardizePadding(args.padding ?? "valid", owner, rank === 1 ? ["valid", "same", "causal"] : ["valid", "same"]) as ConvPadding;
    this.dataFormat = standardizeDataFormat(args.dataFormat, owner);
    checkStridesAndDilation(owner, this.strides, this.dilationRate);
    this.activation = activations.get(args.activation);
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = initializers.get(args.kernelInitializer ?? "glorot_uniform");
    this.biasInitializer = initializers.get(args.biasInitializer ?? "zeros");
    this.kernelRegularizer = regularizers.get(args.kernelRegularizer);
    this.biasRegularizer = regularizers.get(args.biasRegularizer);
    this.kernelConstraint = constraints.get(args.kernelConstraint);
    this.biasConstraint = constraints.get(args.biasConstraint);
    this.inputSpec = { minNdim: rank + 2 };
  }

  protected owner(): string {
    return `${this.className()} layer '${this.name}'`;
  }

  override build(inputShape: LayerShape): void {
    const shape = inputShape as SymbolicShape;
    const channels = inputChannels(this.owner(), shape, this.dataFormat);
    if (channels % this.groups !== 0) {
      throw new Error(
        `${this.owner()}: the number of input channels must be evenly divisible by the number of groups. Received groups=${this.groups}, but the input has ${channels} channels (full input shape is ${formatSymbolicShape(shape)}).`,
      );
    }
    this.inputSpec = { minNdim: this.rank + 2, axes: { [this.dataFormat === "channels_last" ? -1 : 1]: channels } };
    this.computeOutputShape(shape);
    this.kernel = this.addWeight({
      name: "kernel", shape: [...this.kernelSize, channels / this.groups, this.filters], initializer: this.kernelInitializer,
      regularizer: this.kernelRegularizer, constraint: this.kernelConstraint,
    });
    if (this.useBias) {
      this.bias = this.addWeight({ name: "bias", shape: [this.filters], initializer: this.biasInitializer, regularizer: this.biasRegularizer, constraint: this.biasConstraint });
    }
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return convBiasActivation(inputs as Tensor, this.kernel!.value, this.bias?.value ?? null, this.activation, {
      strides: this.strides, padding: this.padding, dilationRate: this.dilationRate, groups: this.groups, dataFormat: this.dataFormat,
    });
  }

  override computeOutputShape(inputShape: LayerShape): SymbolicShape {
    const shape = inputShape as SymbolicShape;
    if (shape.length !== this.rank + 2) {
      throw new Error(`${this.owner()}: expected inputs of rank ${this.rank + 2} (batch, ${this.rank} spatial axes, channels), got shape ${formatSymbolicShape(shape)}`);
    }
    return computeConvOutputShape(shape, this.filters, this.kernelSize, this.strides, this.padding, this.dataFormat, this.dilationRate);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernel_size: [...this.kernelSize],
      strides: [...this.strides],
      padding: this.padding,
      data_format: this.dataFormat,
      dilation_rate: [...this.dilationRate],
      groups: this.groups,
      activation: activations.serialize(this.activation),
      use_bias: this.useBias,
      kernel_initializer: initializers.serialize(this.kernelInitializer),
      bias_initializer: initializers.serialize(this.biasInitializer),
      kernel_regularizer: regularizers.serialize(this.kernelRegularizer),
      bias_regularizer: regularizers.serialize(this.biasRegularizer),
      activity_regularizer: regularizers.serialize(this.activityRegularizer),
      kernel_constraint: constraints.serialize(this.kernelConstraint),
      bias_constraint: constraints.serialize(this.biasConstraint),
    };
  }
}
