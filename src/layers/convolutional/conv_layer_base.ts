import type { Variable } from "../../backend/variable.js";
import { formatSymbolicShape, type SymbolicShape } from "../../backend/keras_tensor.js";
import * as activations from "../../activations/index.js";
import type * as initializers from "../../initializers/index.js";
import type * as regularizers from "../../regularizers/index.js";
import type * as constraints from "../../constraints/index.js";
import { standardizeTuple, type ConvPadding } from "../../utils/argument_validation.js";
import { standardizeDataFormat, standardizePadding, type DataFormat } from "../../ops/operation_utils.js";
import { Layer, type LayerArgs } from "../layer.js";
import { WeightOptions, weightOptionsConfig } from "../weight_options.js";

/** The arguments every convolution layer takes (Keras's BaseConv, BaseConvTranspose, BaseDepthwiseConv, BaseSeparableConv). */
export interface ConvLayerArgs extends LayerArgs {
  /** The window: one integer for every spatial axis, or one per axis. */
  kernelSize?: number | readonly number[];
  /** Default 1. */
  strides?: number | readonly number[];
  padding?: ConvPadding;
  dataFormat?: DataFormat;
  /** Default 1. */
  dilationRate?: number | readonly number[];
  activation?: activations.ActivationIdentifier;
  useBias?: boolean;
  biasInitializer?: initializers.InitializerIdentifier;
  biasRegularizer?: regularizers.RegularizerIdentifier;
  biasConstraint?: constraints.ConstraintIdentifier;
}

/** `new Conv2D(32, 3, options)` or `new Conv2D({ filters: 32, kernelSize: 3, ... })`. */
export function filtersArgsOf<A extends { filters?: number; kernelSize?: number | readonly number[] }>(first: number | A, kernelSize: number | readonly number[] | undefined, rest: A): A {
  return typeof first === "number" ? { ...rest, filters: first, kernelSize } : first;
}

/**
 * What the convolution layers share: the window arguments, the activation and the bias, their
 * checks, and their config keys in Keras's order. The kernels (and their options) are each
 * layer's own.
 */
export abstract class ConvLayerBase extends Layer {
  readonly rank: number;
  readonly kernelSize: number[];
  readonly strides: number[];
  readonly padding: ConvPadding;
  readonly dataFormat: DataFormat;
  readonly dilationRate: number[];
  readonly activation: activations.ActivationFn;
  readonly useBias: boolean;
  readonly biasOptions: WeightOptions;
  bias?: Variable;

  protected constructor(rank: number, args: ConvLayerArgs, paddings: readonly ConvPadding[] = ["valid", "same"]) {
    super(args);
    const owner = this.owner();
    this.rank = rank;
    this.kernelSize = standardizeTuple(args.kernelSize, rank, "kernel_size", owner);
    this.strides = standardizeTuple(args.strides ?? 1, rank, "strides", owner);
    this.dilationRate = standardizeTuple(args.dilationRate ?? 1, rank, "dilation_rate", owner);
    this.padding = standardizePadding(args.padding ?? "valid", owner, paddings) as ConvPadding;
    this.dataFormat = standardizeDataFormat(args.dataFormat, owner);
    this.activation = activations.get(args.activation);
    this.useBias = args.useBias ?? true;
    this.biasOptions = new WeightOptions(args.biasInitializer, "zeros", args.biasRegularizer, args.biasConstraint);
    this.inputSpec = { minNdim: rank + 2 };
  }

  protected owner(): string {
    return `${this.className()} layer '${this.name}'`;
  }

  /** A count argument (`filters`, `depth_multiplier`), which must be a positive integer. */
  protected positiveCount(name: string, value: unknown): number {
    if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) {
      throw new RangeError(`${this.owner()}: invalid value for argument \`${name}\`. Expected a strictly positive integer. Received ${name}=${JSON.stringify(value)}.`);
    }
    return value;
  }

  /** Keras refuses strides and dilation both above 1 in one conv layer. */
  protected checkStridesAndDilation(): void {
    if (Math.max(...this.strides) > 1 && Math.max(...this.dilationRate) > 1) {
      throw new Error(`${this.owner()}: \`strides > 1\` not supported in conjunction with \`dilation_rate > 1\`. Received: strides=[${this.strides.join(", ")}] and dilation_rate=[${this.dilationRate.join(", ")}]`);
    }
  }

  /** The input's channel count, which must be known. */
  protected inputChannels(shape: SymbolicShape): number {
    const channels = this.dataFormat === "channels_last" ? shape[shape.length - 1] : shape[1];
    if (channels === null || channels === undefined) {
      throw new Error(`${this.owner()}: the channel dimension of the inputs should be defined, got input shape ${formatSymbolicShape(shape)}`);
    }
    return channels;
  }

  /** The first step of `build`: the input's channels, which the input spec then fixes. */
  protected buildInput(shape: SymbolicShape): number {
    const channels = this.inputChannels(shape);
    this.inputSpec = { minNdim: this.rank + 2, axes: { [this.dataFormat === "channels_last" ? -1 : 1]: channels } };
    this.computeOutputShape(shape);
    return channels;
  }

  protected addBias(size: number): void {
    if (this.useBias) this.bias = this.biasOptions.addTo(this, "bias", [size]);
  }

  protected checkRank(shape: SymbolicShape): void {
    if (shape.length !== this.rank + 2) {
      throw new Error(`${this.owner()}: expected inputs of rank ${this.rank + 2} (batch, ${this.rank} spatial axes, channels), got shape ${formatSymbolicShape(shape)}`);
    }
  }

  /** `kernel_size` to `dilation_rate` in Keras's order (`afterPadding`: ConvTranspose's `output_padding`). */
  protected windowConfig(afterPadding: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      kernel_size: [...this.kernelSize],
      strides: [...this.strides],
      padding: this.padding,
      ...afterPadding,
      data_format: this.dataFormat,
      dilation_rate: [...this.dilationRate],
    };
  }

  /** `activation`, `use_bias` and the options of the kernels given, then of the bias, in Keras's order. */
  protected weightsConfig(kernels: Record<string, WeightOptions>): Record<string, unknown> {
    return {
      activation: activations.serialize(this.activation),
      use_bias: this.useBias,
      ...weightOptionsConfig({ ...kernels, bias: this.biasOptions }, this.activityRegularizer),
    };
  }
}
