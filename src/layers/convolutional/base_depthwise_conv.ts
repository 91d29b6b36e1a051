import type { Tensor } from "../../backend/tensor.js";
import type { Variable } from "../../backend/variable.js";
import type { SymbolicShape } from "../../backend/keras_tensor.js";
import * as ops from "../../ops/index.js";
import { convBiasActivation } from "../../ops/conv.js";
import { computeConvOutputShape } from "../../ops/operation_utils.js";
import type * as initializers from "../../initializers/index.js";
import type * as regularizers from "../../regularizers/index.js";
import type * as constraints from "../../constraints/index.js";
import type { Padding } from "../../utils/argument_validation.js";
import type { LayerShape } from "../layer.js";
import { WeightOptions } from "../weight_options.js";
import { ConvLayerBase, type ConvLayerArgs } from "./conv_layer_base.js";

export interface DepthwiseConvArgs extends ConvLayerArgs {
  padding?: Padding;
  /** Output channels per input channel. Default 1. */
  depthMultiplier?: number;
  depthwiseInitializer?: initializers.InitializerIdentifier;
  depthwiseRegularizer?: regularizers.RegularizerIdentifier;
  depthwiseConstraint?: constraints.ConstraintIdentifier;
}

export function depthwiseArgsOf(first: number | readonly number[] | DepthwiseConvArgs, rest: DepthwiseConvArgs): DepthwiseConvArgs {
  return typeof first === "number" || Array.isArray(first) ? { ...rest, kernelSize: first as number | readonly number[] } : (first as DepthwiseConvArgs);
}

/**
 * The depthwise kernel `[...kernelSize, channels, multiplier]` as the kernel of a conv with one
 * group per channel, `[...kernelSize, 1, channels * multiplier]` (output channel
 * `c * multiplier + m` from input channel c): how DepthwiseConv and SeparableConv run.
 */
export function depthwiseAsGrouped(kernel: Tensor, rank: number): { grouped: Tensor; groups: number } {
  const channels = kernel.shape[rank];
  return { grouped: ops.reshape(kernel, [...kernel.shape.slice(0, rank), 1, channels * kernel.shape[rank + 1]]), groups: channels };
}

/**
 * DepthwiseConv1D/2D: each input channel convolved with its own `depthMultiplier` filters, output
 * channel `c * depthMultiplier + m` from input channel c. The kernel is
 * `[...kernelSize, inputChannels, depthMultiplier]`, as Keras stores it. It runs as the conv op
 * with one group per channel, with the bias and activation fused. Keras's BaseDepthwiseConv.
 */
export abstract class BaseDepthwiseConv extends ConvLayerBase {
  declare readonly padding: Padding;
  readonly depthMultiplier: number;
  readonly depthwiseOptions: WeightOptions;
  kernel?: Variable;

  protected constructor(rank: number, args: DepthwiseConvArgs) {
    super(rank, args);
    this.depthMultiplier = this.positiveCount("depth_multiplier", args.depthMultiplier ?? 1);
    this.depthwiseOptions = new WeightOptions(args.depthwiseInitializer, "glorot_uniform", args.depthwiseRegularizer, args.depthwiseConstraint);
  }

  override build(inputShape: LayerShape): void {
    const channels = this.buildInput(inputShape as SymbolicShape);
    this.kernel = this.depthwiseOptions.addTo(this, "kernel", [...this.kernelSize, channels, this.depthMultiplier]);
    this.addBias(channels * this.depthMultiplier);
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    const { grouped, groups } = depthwiseAsGrouped(this.kernel!.value, this.rank);
    return convBiasActivation(inputs as Tensor, grouped, this.bias?.value ?? null, this.activation, {
      strides: this.strides, padding: this.padding, dilationRate: this.dilationRate, groups, dataFormat: this.dataFormat,
    });
  }

  override computeOutputShape(inputShape: LayerShape): SymbolicShape {
    const shape = inputShape as SymbolicShape;
    this.checkRank(shape);
    return computeConvOutputShape(shape, this.inputChannels(shape) * this.depthMultiplier, this.kernelSize, this.strides, this.padding, this.dataFormat, this.dilationRate);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), depth_multiplier: this.depthMultiplier, ...this.windowConfig(), ...this.weightsConfig({ depthwise: this.depthwiseOptions }) };
  }
}
