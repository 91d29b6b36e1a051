import type { Tensor } from "../../backend/tensor.js";
import type { Variable } from "../../backend/variable.js";
import { formatSymbolicShape, type SymbolicShape } from "../../backend/keras_tensor.js";
import { convBiasActivation } from "../../ops/conv.js";
import { computeConvOutputShape } from "../../ops/operation_utils.js";
import type * as initializers from "../../initializers/index.js";
import type * as regularizers from "../../regularizers/index.js";
import type * as constraints from "../../constraints/index.js";
import type { LayerShape } from "../layer.js";
import { WeightOptions } from "../weight_options.js";
import { ConvLayerBase, type ConvLayerArgs } from "./conv_layer_base.js";

export interface ConvArgs extends ConvLayerArgs {
  /** Number of output channels. */
  filters?: number;
  /** "valid" (default), "same" (output size ceil(input / stride)), or "causal" (Conv1D only). */
  padding?: ConvLayerArgs["padding"];
  /** Default 1; dilation > 1 with strides > 1 is not supported (as in Keras). */
  dilationRate?: number | readonly number[];
  /** Channel groups, each convolved with filters / groups filters. Default 1. */
  groups?: number;
  kernelInitializer?: initializers.InitializerIdentifier;
  kernelRegularizer?: regularizers.RegularizerIdentifier;
  kernelConstraint?: constraints.ConstraintIdentifier;
}

/**
 * Conv1D/2D/3D: `activation(conv(inputs, kernel) + bias)`, one op (`convBiasActivation`) per
 * call. The kernel is `[...kernelSize, inputChannels / groups, filters]`, as Keras stores it, so
 * weights interoperate with Keras files. Keras's BaseConv.
 */
export abstract class BaseConv extends ConvLayerBase {
  readonly filters: number;
  readonly groups: number;
  readonly kernelOptions: WeightOptions;
  kernel?: Variable;

  protected constructor(rank: number, args: ConvArgs) {
    super(rank, args, rank === 1 ? ["valid", "same", "causal"] : ["valid", "same"]);
    const owner = this.owner();
    this.filters = this.positiveCount("filters", args.filters);
    const groups = args.groups ?? 1;
    if (!Number.isInteger(groups) || groups <= 0) throw new RangeError(`${owner}: the number of groups must be a positive integer. Received: groups=${JSON.stringify(groups)}.`);
    if (this.filters % groups !== 0) throw new Error(`${owner}: the number of filters must be evenly divisible by the number of groups. Received: groups=${groups}, filters=${this.filters}.`);
    this.groups = groups;
    this.checkStridesAndDilation();
    this.kernelOptions = new WeightOptions(args.kernelInitializer, "glorot_uniform", args.kernelRegularizer, args.kernelConstraint);
  }

  override build(inputShape: LayerShape): void {
    const shape = inputShape as SymbolicShape;
    const channels = this.inputChannels(shape);
    if (channels % this.groups !== 0) {
      throw new Error(
        `${this.owner()}: the number of input channels must be evenly divisible by the number of groups. Received groups=${this.groups}, but the input has ${channels} channels (full input shape is ${formatSymbolicShape(shape)}).`,
      );
    }
    this.buildInput(shape);
    this.kernel = this.kernelOptions.addTo(this, "kernel", [...this.kernelSize, channels / this.groups, this.filters]);
    this.addBias(this.filters);
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return convBiasActivation(inputs as Tensor, this.kernel!.value, this.bias?.value ?? null, this.activation, {
      strides: this.strides, padding: this.padding, dilationRate: this.dilationRate, groups: this.groups, dataFormat: this.dataFormat,
    });
  }

  override computeOutputShape(inputShape: LayerShape): SymbolicShape {
    const shape = inputShape as SymbolicShape;
    this.checkRank(shape);
    return computeConvOutputShape(shape, this.filters, this.kernelSize, this.strides, this.padding, this.dataFormat, this.dilationRate);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), filters: this.filters, ...this.windowConfig(), groups: this.groups, ...this.weightsConfig({ kernel: this.kernelOptions }) };
  }
}
