import type { Tensor } from "../../backend/tensor.js";
import type { Variable } from "../../backend/variable.js";
import type { SymbolicShape } from "../../backend/keras_tensor.js";
import { convBiasActivation } from "../../ops/conv.js";
import { computeConvOutputShape } from "../../ops/operation_utils.js";
import type * as initializers from "../../initializers/index.js";
import type * as regularizers from "../../regularizers/index.js";
import type * as constraints from "../../constraints/index.js";
import type { Padding } from "../../utils/argument_validation.js";
import type { LayerShape } from "../layer.js";
import { WeightOptions } from "../weight_options.js";
import { depthwiseAsGrouped } from "./base_depthwise_conv.js";
import { ConvLayerBase, type ConvLayerArgs } from "./conv_layer_base.js";

export interface SeparableConvArgs extends ConvLayerArgs {
  filters?: number;
  padding?: Padding;
  /** Depthwise output channels per input channel. Default 1. */
  depthMultiplier?: number;
  depthwiseInitializer?: initializers.InitializerIdentifier;
  pointwiseInitializer?: initializers.InitializerIdentifier;
  depthwiseRegularizer?: regularizers.RegularizerIdentifier;
  pointwiseRegularizer?: regularizers.RegularizerIdentifier;
  depthwiseConstraint?: constraints.ConstraintIdentifier;
  pointwiseConstraint?: constraints.ConstraintIdentifier;
}

/**
 * SeparableConv1D/2D: a depthwise conv (each channel on its own, `depthMultiplier` filters each)
 * then a pointwise (1x1) conv mixing the channels into `filters`, with the bias and activation
 * fused into the second. Kernels as Keras stores them: depthwise `[...kernelSize, inputChannels,
 * depthMultiplier]`, pointwise `[...ones, inputChannels * depthMultiplier, filters]`.
 * Keras's BaseSeparableConv.
 */
export abstract class BaseSeparableConv extends ConvLayerBase {
  declare readonly padding: Padding;
  readonly depthMultiplier: number;
  readonly filters: number;
  readonly depthwiseOptions: WeightOptions;
  readonly pointwiseOptions: WeightOptions;
  depthwiseKernel?: Variable;
  pointwiseKernel?: Variable;

  protected constructor(rank: number, args: SeparableConvArgs) {
    super(rank, args);
    this.depthMultiplier = this.positiveCount("depth_multiplier", args.depthMultiplier ?? 1);
    this.filters = this.positiveCount("filters", args.filters);
    this.depthwiseOptions = new WeightOptions(args.depthwiseInitializer, "glorot_uniform", args.depthwiseRegularizer, args.depthwiseConstraint);
    this.pointwiseOptions = new WeightOptions(args.pointwiseInitializer, "glorot_uniform", args.pointwiseRegularizer, args.pointwiseConstraint);
  }

  override build(inputShape: LayerShape): void {
    const channels = this.buildInput(inputShape as SymbolicShape);
    this.depthwiseKernel = this.depthwiseOptions.addTo(this, "depthwise_kernel", [...this.kernelSize, channels, this.depthMultiplier]);
    this.pointwiseKernel = this.pointwiseOptions.addTo(this, "pointwise_kernel", [...new Array<number>(this.rank).fill(1), channels * this.depthMultiplier, this.filters]);
    this.addBias(this.filters);
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    const { grouped, groups } = depthwiseAsGrouped(this.depthwiseKernel!.value, this.rank);
    const spatial = convBiasActivation(inputs as Tensor, grouped, null, null, {
      strides: this.strides, padding: this.padding, dilationRate: this.dilationRate, groups, dataFormat: this.dataFormat,
    });
    return convBiasActivation(spatial, this.pointwiseKernel!.value, this.bias?.value ?? null, this.activation, { dataFormat: this.dataFormat });
  }

  override computeOutputShape(inputShape: LayerShape): SymbolicShape {
    const shape = inputShape as SymbolicShape;
    this.checkRank(shape);
    return computeConvOutputShape(shape, this.filters, this.kernelSize, this.strides, this.padding, this.dataFormat, this.dilationRate);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), depth_multiplier: this.depthMultiplier, filters: this.filters, ...this.windowConfig(),
      ...this.weightsConfig({ depthwise: this.depthwiseOptions, pointwise: this.pointwiseOptions }),
    };
  }
}
