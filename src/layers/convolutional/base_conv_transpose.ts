import type { Tensor } from "../../backend/tensor.js";
import type { Variable } from "../../backend/variable.js";
import type { SymbolicShape } from "../../backend/keras_tensor.js";
import * as ops from "../../ops/index.js";
import { computeConvTransposeOutputShape } from "../../ops/operation_utils.js";
import type * as initializers from "../../initializers/index.js";
import type * as regularizers from "../../regularizers/index.js";
import type * as constraints from "../../constraints/index.js";
import { standardizeTuple, type Padding } from "../../utils/argument_validation.js";
import type { LayerShape } from "../layer.js";
import { WeightOptions } from "../weight_options.js";
import { ConvLayerBase, type ConvLayerArgs } from "./conv_layer_base.js";

export interface ConvTransposeArgs extends ConvLayerArgs {
  filters?: number;
  /** "valid" (output (in - 1) * stride + max(kernel, stride)) or "same" (output in * stride). */
  padding?: Padding;
  /** Extra output size along each axis, each below its stride; null (default) infers it. */
  outputPadding?: number | readonly number[] | null;
  kernelInitializer?: initializers.InitializerIdentifier;
  kernelRegularizer?: regularizers.RegularizerIdentifier;
  kernelConstraint?: constraints.ConstraintIdentifier;
}

/**
 * Conv1DTranspose/2D/3D ("deconvolution"): the gradient of a conv with respect to its input, run
 * forward, which upsamples by the strides. The kernel is `[...kernelSize, filters, inputChannels]`,
 * as Keras stores it. Keras's BaseConvTranspose.
 */
export abstract class BaseConvTranspose extends ConvLayerBase {
  declare readonly padding: Padding;
  readonly filters: number;
  readonly outputPadding: number[] | null;
  readonly kernelOptions: WeightOptions;
  kernel?: Variable;

  protected constructor(rank: number, args: ConvTransposeArgs) {
    super(rank, args);
    const owner = this.owner();
    this.filters = this.positiveCount("filters", args.filters);
    const outputPadding = args.outputPadding ?? null;
    this.outputPadding = outputPadding === null ? null : standardizeTuple(outputPadding, rank, "output_padding", owner, true);
    this.outputPadding?.forEach((p, i) => {
      if (p >= this.strides[i]) {
        throw new Error(`${owner}: \`output_padding\` must be strictly less than \`strides\` for all dimensions. At dimension ${i}, \`output_padding\` is ${p} but \`strides\` is ${this.strides[i]}.`);
      }
    });
    this.checkStridesAndDilation();
    this.kernelOptions = new WeightOptions(args.kernelInitializer, "glorot_uniform", args.kernelRegularizer, args.kernelConstraint);
  }

  override build(inputShape: LayerShape): void {
    const channels = this.buildInput(inputShape as SymbolicShape);
    this.kernel = this.kernelOptions.addTo(this, "kernel", [...this.kernelSize, this.filters, channels]);
    this.addBias(this.filters);
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    let out = ops.convTranspose(inputs as Tensor, this.kernel!.value, this.strides, this.padding, this.outputPadding, this.dataFormat, this.dilationRate);
    if (this.bias !== undefined) {
      const along = out.shape.map((d, i) => (i === (this.dataFormat === "channels_last" ? out.rank - 1 : 1) ? d : 1));
      out = ops.add(out, ops.reshape(this.bias.value, along));
    }
    return this.activation(out);
  }

  override computeOutputShape(inputShape: LayerShape): SymbolicShape {
    const shape = inputShape as SymbolicShape;
    this.checkRank(shape);
    return computeConvTransposeOutputShape(shape, this.kernelSize, this.filters, this.strides, this.padding, this.outputPadding, this.dataFormat, this.dilationRate);
  }

  override getConfig(): Record<string, unknown> {
    const outputPadding = this.outputPadding === null ? null : [...this.outputPadding];
    return { ...super.getConfig(), filters: this.filters, ...this.windowConfig({ output_padding: outputPadding }), ...this.weightsConfig({ kernel: this.kernelOptions }) };
  }
}
