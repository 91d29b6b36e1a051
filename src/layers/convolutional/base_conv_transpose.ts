import type { Tensor } from "../../backend/tensor.js";
import type { Variable } from "../../backend/variable.js";
import { formatSymbolicShape, type SymbolicShape } from "../../backend/keras_tensor.js";
import * as ops from "../../ops/index.js";
import { computeConvTransposeOutputShape } from "../../ops/operation_utils.js";
import * as activations from "../../activations/index.js";
import * as initializers from "../../initializers/index.js";
import * as regularizers from "../../regularizers/index.js";
import * as constraints from "../../constraints/index.js";
import { standardizeTuple, type Padding } from "../../utils/argument_validation.js";
import { standardizeDataFormat, standardizePadding, type DataFormat } from "../../ops/operation_utils.js";
import { Layer, type LayerArgs, type LayerShape } from "../layer.js";
import { checkStridesAndDilation, inputChannels } from "./base_conv.js";

export interface ConvTransposeArgs extends LayerArgs {
  filters?: number;
  kernelSize?: number | readonly number[];
  strides?: number | readonly number[];
  /** "valid" (output (in - 1) * stride + max(kernel, stride)) or "same" (output in * stride). */
  padding?: Padding;
  /** Extra output size along each axis, each below its stride; null (default) infers it. */
  outputPadding?: number | readonly number[] | null;
  dataFormat?: DataFormat;
  dilationRate?: number | readonly number[];
  activation?: activations.ActivationIdentifier;
  useBias?: boolean;
  kernelInitializer?: initializers.InitializerIdentifier;
  biasInitializer?: initializers.InitializerIdentifier;
  kernelRegularizer?: regularizers.RegularizerIdentifier;
  biasRegularizer?: regularizers.RegularizerIdentifier;
  kernelConstraint?: constraints.ConstraintIdentifier;
  biasConstraint?: constraints.ConstraintIdentifier;
}

export function convTransposeArgsOf(first: number | ConvTransposeArgs, kernelSize: number | readonly number[] | undefined, rest: ConvTransposeArgs): ConvTransposeArgs {
  return typeof first === "number" ? { ...rest, filters: first, kernelSize } : first;
}

/**
 * Conv1DTranspose/2D/3D ("deconvolution"): the gradient of a conv with respect to its input, run
 * forward, which upsamples by the strides. The kernel is `[...kernelSize, filters, inputChannels]`,
 * as Keras stores it. Keras's BaseConvTranspose.
 */
export abstract class BaseConvTranspose extends Layer {
  readonly rank: number;
  readonly filters: number;
  readonly kernelSize: number[];
  readonly strides: number[];
  readonly padding: Padding;
  readonly outputPadding: number[] | null;
  readonly dataFormat: DataFormat;
  readonly dilationRate: number[];
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

  protected constructor(rank: number, args: ConvTransposeArgs) {
    super(args);
    const owner = this.owner();
    this.rank = rank;
    const filters = args.filters;
    if (typeof filters !== "number" || !Number.isInteger(filters) || filters <= 0) {
      throw new RangeError(`${owner}: invalid value for argument \`filters\`. Expected a strictly positive integer. Received filters=${JSON.stringify(filters)}.`);
    }
    this.filters = filters;
    this.kernelSize = standardizeTuple(args.kernelSize, rank, "kernel_size", owner);
    this.strides = standardizeTuple(args.strides ?? 1, rank, "strides", owner);
    this.dilationRate = standardizeTuple(args.dilationRate ?? 1, rank, "dilation_rate", owner);
    this.padding = standardizePadding(args.padding ?? "valid", owner) as Padding;
    const outputPadding = args.outputPadding ?? null;
    this.outputPadding = outputPadding === null ? null : standardizeTuple(outputPadding, rank, "output_padding", owner, true);
    this.outputPadding?.forEach((p, i) => {
      if (p >= this.strides[i]) {
        throw new Error(`${owner}: \`output_padding\` must be strictly less than \`strides\` for all dimensions. At dimension ${i}, \`output_padding\` is ${p} but \`strides\` is ${this.strides[i]}.`);
      }
    });
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
    this.inputSpec = { minNdim: this.rank + 2, axes: { [this.dataFormat === "channels_last" ? -1 : 1]: channels } };
    this.computeOutputShape(shape);
    this.kernel = this.addWeight({
      name: "kernel", shape: [...this.kernelSize, this.filters, channels], initializer: this.kernelInitializer,
      regularizer: this.kernelRegularizer, constraint: this.kernelConstraint,
    });
    if (this.useBias) {
      this.bias = this.addWeight({ name: "bias", shape: [this.filters], initializer: this.biasInitializer, regularizer: this.biasRegularizer, constraint: this.biasConstraint });
    }
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
    if (shape.length !== this.rank + 2) {
      throw new Error(`${this.owner()}: expected inputs of rank ${this.rank + 2} (batch, ${this.rank} spatial axes, channels), got shape ${formatSymbolicShape(shape)}`);
    }
    return computeConvTransposeOutputShape(shape, this.kernelSize, this.filters, this.strides, this.padding, this.outputPadding, this.dataFormat, this.dilationRate);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernel_size: [...this.kernelSize],
      strides: [...this.strides],
      padding: this.padding,
      output_padding: this.outputPadding === null ? null : [...this.outputPadding],
      data_format: this.dataFormat,
      dilation_rate: [...this.dilationRate],
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
