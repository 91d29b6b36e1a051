import type { Tensor } from "../../backend/tensor.js";
import type { Variable } from "../../backend/variable.js";
import { formatSymbolicShape, type SymbolicShape } from "../../backend/keras_tensor.js";
import * as ops from "../../ops/index.js";
import { convBiasActivation } from "../../ops/conv.js";
import { computeConvOutputShape } from "../../ops/operation_utils.js";
import * as activations from "../../activations/index.js";
import * as initializers from "../../initializers/index.js";
import * as regularizers from "../../regularizers/index.js";
import * as constraints from "../../constraints/index.js";
import { standardizeTuple, type Padding } from "../../utils/argument_validation.js";
import { standardizeDataFormat, standardizePadding, type DataFormat } from "../../ops/operation_utils.js";
import { Layer, type LayerArgs, type LayerShape } from "../layer.js";
import { inputChannels } from "./base_conv.js";

export interface SeparableConvArgs extends LayerArgs {
  filters?: number;
  kernelSize?: number | readonly number[];
  strides?: number | readonly number[];
  padding?: Padding;
  dataFormat?: DataFormat;
  dilationRate?: number | readonly number[];
  /** Depthwise output channels per input channel. Default 1. */
  depthMultiplier?: number;
  activation?: activations.ActivationIdentifier;
  useBias?: boolean;
  depthwiseInitializer?: initializers.InitializerIdentifier;
  pointwiseInitializer?: initializers.InitializerIdentifier;
  biasInitializer?: initializers.InitializerIdentifier;
  depthwiseRegularizer?: regularizers.RegularizerIdentifier;
  pointwiseRegularizer?: regularizers.RegularizerIdentifier;
  biasRegularizer?: regularizers.RegularizerIdentifier;
  depthwiseConstraint?: constraints.ConstraintIdentifier;
  pointwiseConstraint?: constraints.ConstraintIdentifier;
  biasConstraint?: constraints.ConstraintIdentifier;
}

export function separableArgsOf(first: number | SeparableConvArgs, kernelSize: number | readonly number[] | undefined, rest: SeparableConvArgs): SeparableConvArgs {
  return typeof first === "number" ? { ...rest, filters: first, kernelSize } : first;
}

/**
 * SeparableConv1D/2D: a depthwise conv (each channel on its own, `depthMultiplier` filters each)
 * then a pointwise (1x1) conv mixing the channels into `filters`, with the bias and activation
 * fused into the second. Kernels as Keras stores them: depthwise `[...kernelSize, inputChannels,
 * depthMultiplier]`, pointwise `[...ones, inputChannels * depthMultiplier, filters]`.
 * Keras's BaseSeparableConv.
 */
export abstract class BaseSeparableConv extends Layer {
  readonly rank: number;
  readonly depthMultiplier: number;
  readonly filters: number;
  readonly kernelSize: number[];
  readonly strides: number[];
  readonly padding: Padding;
  readonly dataFormat: DataFormat;
  readonly dilationRate: number[];
  readonly activation: activations.ActivationFn;
  readonly useBias: boolean;
  readonly depthwiseInitializer: initializers.Initializer;
  readonly pointwiseInitializer: initializers.Initializer;
  readonly biasInitializer: initializers.Initializer;
  readonly depthwiseRegularizer: regularizers.Regularizer | null;
  readonly pointwiseRegularizer: regularizers.Regularizer | null;
  readonly biasRegularizer: regularizers.Regularizer | null;
  readonly depthwiseConstraint: constraints.Constraint | null;
  readonly pointwiseConstraint: constraints.Constraint | null;
  readonly biasConstraint: constraints.Constraint | null;
  depthwiseKernel?: Variable;
  pointwiseKernel?: Variable;
  bias?: Variable;

  protected constructor(rank: number, args: SeparableConvArgs) {
    super(args);
    const owner = this.owner();
    this.rank = rank;
    const multiplier = args.depthMultiplier ?? 1;
    if (!Number.isInteger(multiplier) || multiplier <= 0) {
      throw new RangeError(`${owner}: invalid value for argument \`depth_multiplier\`. Expected a strictly positive value. Received depth_multiplier=${JSON.stringify(multiplier)}.`);
    }
    this.depthMultiplier = multiplier;
    const filters = args.filters;
    if (typeof filters !== "number" || !Number.isInteger(filters) || filters <= 0) {
      throw new RangeError(`${owner}: invalid value for argument \`filters\`. Expected a strictly positive integer. Received filters=${JSON.stringify(filters)}.`);
    }
    this.filters = filters;
    this.kernelSize = standardizeTuple(args.kernelSize, rank, "kernel_size", owner);
    this.strides = standardizeTuple(args.strides ?? 1, rank, "strides", owner);
    this.dilationRate = standardizeTuple(args.dilationRate ?? 1, rank, "dilation_rate", owner);
    this.padding = standardizePadding(args.padding ?? "valid", owner) as Padding;
    this.dataFormat = standardizeDataFormat(args.dataFormat, owner);
    this.activation = activations.get(args.activation);
    this.useBias = args.useBias ?? true;
    this.depthwiseInitializer = initializers.get(args.depthwiseInitializer ?? "glorot_uniform");
    this.pointwiseInitializer = initializers.get(args.pointwiseInitializer ?? "glorot_uniform");
    this.biasInitializer = initializers.get(args.biasInitializer ?? "zeros");
    this.depthwiseRegularizer = regularizers.get(args.depthwiseRegularizer);
    this.pointwiseRegularizer = regularizers.get(args.pointwiseRegularizer);
    this.biasRegularizer = regularizers.get(args.biasRegularizer);
    this.depthwiseConstraint = constraints.get(args.depthwiseConstraint);
    this.pointwiseConstraint = constraints.get(args.pointwiseConstraint);
    this.biasConstraint = constraints.get(args.biasConstraint);
    this.inputSpec = { minNdim: rank + 2 };
  }

  protected owner(): string {
    return `${this.className()} layer '${this.name}'`;
  }

  override build(inputShape: LayerShape): void {
    const shape = inputShape as SymbolicShape;
    const channels = inputChannels(this.owner(), shape, this.dataFormat);
    this.inputSpec = { minNdim: this.rank + 2, axes: { [this.dataFormat === "channels_last" ? -1 : 1]: channels } };
    this.computeOutputShape(shape);
    this.depthwiseKernel = this.addWeight({
      name: "depthwise_kernel", shape: [...this.kernelSize, channels, this.depthMultiplier], initializer: this.depthwiseInitializer,
      regularizer: this.depthwiseRegularizer, constraint: this.depthwiseConstraint,
    });
    this.pointwiseKernel = this.addWeight({
      name: "pointwise_kernel", shape: [...new Array<number>(this.rank).fill(1), channels * this.depthMultiplier, this.filters], initializer: this.pointwiseInitializer,
      regularizer: this.pointwiseRegularizer, constraint: this.pointwiseConstraint,
    });
    if (this.useBias) {
      this.bias = this.addWeight({ name: "bias", shape: [this.filters], initializer: this.biasInitializer, regularizer: this.biasRegularizer, constraint: this.biasConstraint });
    }
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    const depthwise = this.depthwiseKernel!.value;
    const channels = depthwise.shape[this.rank];
    const grouped = ops.reshape(depthwise, [...this.kernelSize, 1, channels * this.depthMultiplier]);
    const spatial = convBiasActivation(inputs as Tensor, grouped, null, null, {
      strides: this.strides, padding: this.padding, dilationRate: this.dilationRate, groups: channels, dataFormat: this.dataFormat,
    });
    return convBiasActivation(spatial, this.pointwiseKernel!.value, this.bias?.value ?? null, this.activation, { dataFormat: this.dataFormat });
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
      depth_multiplier: this.depthMultiplier,
      filters: this.filters,
      kernel_size: [...this.kernelSize],
      strides: [...this.strides],
      padding: this.padding,
      data_format: this.dataFormat,
      dilation_rate: [...this.dilationRate],
      activation: activations.serialize(this.activation),
      use_bias: this.useBias,
      depthwise_initializer: initializers.serialize(this.depthwiseInitializer),
      pointwise_initializer: initializers.serialize(this.pointwiseInitializer),
      bias_initializer: initializers.serialize(this.biasInitializer),
      depthwise_regularizer: regularizers.serialize(this.depthwiseRegularizer),
      pointwise_regularizer: regularizers.serialize(this.pointwiseRegularizer),
      bias_regularizer: regularizers.serialize(this.biasRegularizer),
      activity_regularizer: regularizers.serialize(this.activityRegularizer),
      depthwise_constraint: constraints.serialize(this.depthwiseConstraint),
      pointwise_constraint: constraints.serialize(this.pointwiseConstraint),
      bias_constraint: constraints.serialize(this.biasConstraint),
    };
  }
}
