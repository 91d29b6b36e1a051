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

export interface DepthwiseConvArgs extends LayerArgs {
  kernelSize?: number | readonly number[];
  strides?: number | readonly number[];
  padding?: Padding;
  /** Output channels per input channel. Default 1. */
  depthMultiplier?: number;
  dataFormat?: DataFormat;
  dilationRate?: number | readonly number[];
  activation?: activations.ActivationIdentifier;
  useBias?: boolean;
  depthwiseInitializer?: initializers.InitializerIdentifier;
  biasInitializer?: initializers.InitializerIdentifier;
  depthwiseRegularizer?: regularizers.RegularizerIdentifier;
  biasRegularizer?: regularizers.RegularizerIdentifier;
  depthwiseConstraint?: constraints.ConstraintIdentifier;
  biasConstraint?: constraints.ConstraintIdentifier;
}

export function depthwiseArgsOf(first: number | readonly number[] | DepthwiseConvArgs, rest: DepthwiseConvArgs): DepthwiseConvArgs {
  return typeof first === "number" || Array.isArray(first) ? { ...rest, kernelSize: first as number | readonly number[] } : (first as DepthwiseConvArgs);
}

/**
 * DepthwiseConv1D/2D: each input channel convolved with its own `depthMultiplier` filters, output
 * channel `c * depthMultiplier + m` from input channel c. The kernel is
 * `[...kernelSize, inputChannels, depthMultiplier]`, as Keras stores it. It runs as the conv op
 * with one group per channel, with the bias and activation fused. Keras's BaseDepthwiseConv.
 */
export abstract class BaseDepthwiseConv extends Layer {
  readonly rank: number;
  readonly depthMultiplier: number;
  readonly kernelSize: number[];
  readonly strides: number[];
  readonly padding: Padding;
  readonly dataFormat: DataFormat;
  readonly dilationRate: number[];
  readonly activation: activations.ActivationFn;
  readonly useBias: boolean;
  readonly depthwiseInitializer: initializers.Initializer;
  readonly biasInitializer: initializers.Initializer;
  readonly depthwiseRegularizer: regularizers.Regularizer | null;
  readonly biasRegularizer: regularizers.Regularizer | null;
  readonly depthwiseConstraint: constraints.Constraint | null;
  readonly biasConstraint: constraints.Constraint | null;
  kernel?: Variable;
  bias?: Variable;

  protected constructor(rank: number, args: DepthwiseConvArgs) {
    super(args);
    const owner = this.owner();
    this.rank = rank;
    const multiplier = args.depthMultiplier ?? 1;
    if (!Number.isInteger(multiplier) || multiplier <= 0) {
      throw new RangeError(`${owner}: invalid value for argument \`depth_multiplier\`. Expected a strictly positive value. Received depth_multiplier=${JSON.stringify(multiplier)}.`);
    }
    this.depthMultiplier = multiplier;
    this.kernelSize = standardizeTuple(args.kernelSize, rank, "kernel_size", owner);
    this.strides = standardizeTuple(args.strides ?? 1, rank, "strides", owner);
    this.dilationRate = standardizeTuple(args.dilationRate ?? 1, rank, "dilation_rate", owner);
    this.padding = standardizePadding(args.padding ?? "valid", owner) as Padding;
    this.dataFormat = standardizeDataFormat(args.dataFormat, owner);
    this.activation = activations.get(args.activation);
    this.useBias = args.useBias ?? true;
    this.depthwiseInitializer = initializers.get(args.depthwiseInitializer ?? "glorot_uniform");
    this.biasInitializer = initializers.get(args.biasInitializer ?? "zeros");
    this.depthwiseRegularizer = regularizers.get(args.depthwiseRegularizer);
    this.biasRegularizer = regularizers.get(args.biasRegularizer);
    this.depthwiseConstraint = constraints.get(args.depthwiseConstraint);
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
    this.kernel = this.addWeight({
      name: "kernel", shape: [...this.kernelSize, channels, this.depthMultiplier], initializer: this.depthwiseInitializer,
      regularizer: this.depthwiseRegularizer, constraint: this.depthwiseConstraint,
    });
    if (this.useBias) {
      this.bias = this.addWeight({
        name: "bias", shape: [channels * this.depthMultiplier], initializer: this.biasInitializer, regularizer: this.biasRegularizer, constraint: this.biasConstraint,
      });
    }
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    const kernel = this.kernel!.value;
    const channels = kernel.shape[this.rank];
    // [..., channels, multiplier] -> [..., 1, channels * multiplier]: a conv with one group per channel.
    const grouped = ops.reshape(kernel, [...this.kernelSize, 1, channels * this.depthMultiplier]);
    return convBiasActivation(inputs as Tensor, grouped, this.bias?.value ?? null, this.activation, {
      strides: this.strides, padding: this.padding, dilationRate: this.dilationRate, groups: channels, dataFormat: this.dataFormat,
    });
  }

  override computeOutputShape(inputShape: LayerShape): SymbolicShape {
    const shape = inputShape as SymbolicShape;
    if (shape.length !== this.rank + 2) {
      throw new Error(`${this.owner()}: expected inputs of rank ${this.rank + 2} (batch, ${this.rank} spatial axes, channels), got shape ${formatSymbolicShape(shape)}`);
    }
    const channels = inputChannels(this.owner(), shape, this.dataFormat);
    return computeConvOutputShape(shape, channels * this.depthMultiplier, this.kernelSize, this.strides, this.padding, this.dataFormat, this.dilationRate);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      depth_multiplier: this.depthMultiplier,
      kernel_size: [...this.kernelSize],
      strides: [...this.strides],
      padding: this.padding,
      data_format: this.dataFormat,
      dilation_rate: [...this.dilationRate],
      activation: activations.serialize(this.activation),
      use_bias: this.useBias,
      depthwise_initializer: initializers.serialize(this.depthwiseInitializer),
      bias_initializer: initializers.serialize(this.biasInitializer),
      depthwise_regularizer: regularizers.serialize(this.depthwiseRegularizer),
      bias_regularizer: regularizers.serialize(this.biasRegularizer),
      activity_regularizer: regularizers.serialize(this.activityRegularizer),
      depthwise_constraint: constraints.serialize(this.depthwiseConstraint),
      bias_constraint: constraints.serialize(this.biasConstraint),
    };
  }
}
