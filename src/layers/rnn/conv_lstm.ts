import type { SymbolicShape } from "../../backend/keras_tensor.js";
import type { Tensor } from "../../backend/tensor.js";
import type { Variable } from "../../backend/variable.js";
import * as ops from "../../ops/index.js";
import * as activations from "../../activations/index.js";
import * as regularizers from "../../regularizers/index.js";
import { camelizeConfig, type CallOptions, type Layer, type LayerShape } from "../layer.js";
import { DropoutRNNCell } from "./rnn_cell.js";
import { RNN, type RNNArgs } from "./rnn.js";
import { UnitForgetBias } from "./lstm.js";
import { CellWeightsOptions, splitRNNArgs, type SimpleRNNCellArgs } from "./simple_rnn.js";
import { standardizeTuple } from "../../utils/argument_validation.js";
import { standardizeDataFormat, standardizePadding, windowOutputSize, type DataFormat } from "../../ops/operation_utils.js";

export interface ConvLSTMCellArgs extends SimpleRNNCellArgs {
  strides?: number | readonly number[];
  /** "valid" (default) or "same": the input convolution's padding (the recurrent one is always "same"). */
  padding?: "valid" | "same";
  dataFormat?: DataFormat | null;
  dilationRate?: number | readonly number[];
  recurrentActivation?: activations.ActivationIdentifier;
  unitForgetBias?: boolean;
}

/**
 * Keras's `ConvLSTMCell`: an LSTM cell whose matrix products are convolutions, over inputs
 * [batch, ...spatial, channels] (channels last) with states [batch, ...outSpatial, filters]:
 * i, f, c, o = gates of conv(x, kernel) + bias + conv(h, recurrent_kernel, "same").
 */
export class ConvLSTMCell extends DropoutRNNCell {
  static override className = "ConvLSTMCell";
  readonly rank: number;
  readonly filters: number;
  readonly kernelSize: number[];
  readonly strides: number[];
  readonly padding: "valid" | "same";
  readonly dataFormat: DataFormat;
  readonly dilationRate: number[];
  readonly options: CellWeightsOptions;
  readonly recurrentActivation: activations.ActivationFn;
  readonly unitForgetBias: boolean;
  readonly stateSize: number[];
  spatialDims: number[] = [];
  inputDim = 0;
  kernel?: Variable;
  recurrentKernel?: Variable;
  bias?: Variable;

  constructor(rank: number, filters: number, kernelSize: number | readonly number[], args: ConvLSTMCellArgs = {}) {
    super(args);
    if (!Number.isInteger(rank) || rank < 1 || rank > 3) throw new Error(`Rank ${rank} convolutions are not currently implemented. Received: rank=${rank}`);
    const owner = `ConvLSTMCell '${this.name}'`;
    if (!Number.isInteger(filters) || filters <= 0) throw new RangeError(`${owner}: filters must be a positive integer, got ${filters}`);
    this.rank = rank;
    this.filters = filters;
    this.kernelSize = standardizeTuple(kernelSize, rank, "kernel_size", owner);
    this.strides = standardizeTuple(args.strides ?? 1, rank, "strides", owner);
    this.dilationRate = standardizeTuple(args.dilationRate ?? 1, rank, "dilation_rate", owner);
    this.padding = standardizePadding(args.padding ?? "valid", owner) as "valid" | "same";
    this.dataFormat = standardizeDataFormat(args.dataFormat, owner);
    this.options = new CellWeightsOptions(args);
    this.recurrentActivation = activations.get(args.recurrentActivation === undefined ? "sigmoid" : args.recurrentActivation);
    this.unitForgetBias = args.unitForgetBias ?? true;
    this.stateSize = [filters, filters];
  }

  private channelsLast(): boolean {
    return this.dataFormat === "channels_last";
  }

  override build(inputShape: LayerShape): void {
    const shape = inputShape as SymbolicShape;
    const spatial = this.channelsLast() ? shape.slice(1, -1) : shape.slice(2);
    const channels = this.channelsLast() ? shape[shape.length - 1] : shape[1];
    if (spatial.some((d) => d === null)) {
      throw new Error(`ConvLSTM layers only support static input shapes for the spatial dimension. Received invalid input shape: input_shape=${JSON.stringify(shape)}`);
    }
    if (channels === null) throw new Error(`The channel dimension of the inputs should be defined. Found None. Full input shape received: input_shape=${JSON.stringify(shape)}`);
    this.spatialDims = spatial as number[];
    this.inputDim = channels;
    const f = this.filters;
    [this.kernel, this.recurrentKernel] = this.options.addKernels(this, [...this.kernelSize, channels, 4 * f], [...this.kernelSize, f, 4 * f]);
    if (this.options.useBias) {
      const bias = this.options.bias;
      this.bias = bias.addTo(this, "bias", [4 * f], this.unitForgetBias ? new UnitForgetBias(bias.initializer, f) : bias.initializer);
    }
    this.built = true;
  }

  /** [batch, ...outSpatial, filters] (channels last) for an input step of this batch size. */
  stateShape(batch: number): number[] {
    const out = this.spatialDims.map((d, i) => windowOutputSize(this.padding, d, this.kernelSize[i], this.strides[i], this.dilationRate[i]) as number);
    return this.channelsLast() ? [batch, ...out, this.filters] : [batch, this.filters, ...out];
  }

  getInitialState(batchSize: number): Tensor[] {
    const shape = this.stateShape(batchSize);
    return [ops.zeros(shape), ops.zeros(shape)];
  }

  override call(inputs: Tensor | Tensor[], options: CallOptions = {}): Tensor[] {
    const [x, h, c] = inputs as Tensor[];
    const training = options.training === true;
    const dp = training && this.dropout > 0 && this.dropout < 1 ? this.getDropoutMasks(x, 4) : null;
    const rdp = training && this.recurrentDropout > 0 && this.recurrentDropout < 1 ? this.getRecurrentDropoutMasks(h, 4) : null;
    const axis = this.rank + 1;
    const kernels = ops.split(this.kernel!.value, 4, axis);
    const recurrents = ops.split(this.recurrentKernel!.value, 4, axis);
    const biases = this.bias === undefined ? null : ops.split(this.bias.value, 4, 0);
    const biasShape = this.channelsLast() ? [...new Array<number>(this.rank + 1).fill(1), this.filters] : [1, this.filters, ...new Array<number>(this.rank).fill(1)];
    const gate = (g: number) => {
      let z = ops.conv(dp === null ? x : ops.multiply(x, dp[g]), kernels[g], this.strides, this.padding, this.dataFormat, this.dilationRate);
      if (biases !== null) z = ops.add(z, ops.reshape(biases[g], biasShape));
      return ops.add(z, ops.conv(rdp === null ? h : ops.multiply(h, rdp[g]), recurrents[g], 1, "same", this.dataFormat));
    };
    const sigma = this.recurrentActivation;
    const act = this.options.activation;
    const i = sigma(gate(0));
    const f = sigma(gate(1));
    const cNew = ops.add(ops.multiply(f, c), ops.multiply(i, act(gate(2))));
    const o = sigma(gate(3));
    const hNew = ops.multiply(o, act(cNew));
    return [hNew, hNew, cNew];
  }

  /** The options the ConvLSTM layers share with their cell's config. */
  convConfig(): Record<string, unknown> {
    return {
      filters: this.filters,
      kernel_size: this.kernelSize,
      strides: this.strides,
      padding: this.padding,
      data_format: this.dataFormat,
      dilation_rate: this.dilationRate,
      ...this.options.config({ unit_forget_bias: this.unitForgetBias }),
      recurrent_activation: activations.serialize(this.recurrentActivation),
    };
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), ...this.convConfig(), ...this.dropoutConfig() };
  }

  static override fromConfig<T extends Layer>(this: new (...args: any[]) => T, config: Record<string, unknown>): T {
    const { rank, filters, kernelSize, ...rest } = camelizeConfig(config);
    return new this(rank ?? (Array.isArray(kernelSize) ? kernelSize.length : 2), filters, kernelSize, rest);
  }
}

export interface ConvLSTMArgs extends ConvLSTMCellArgs, Omit<RNNArgs, "unroll" | "zeroOutputForMask"> {}

/**
 * Keras's `ConvLSTM`: a ConvLSTMCell run over [batch, time, ...spatial, channels] sequences by the
 * RNN loop (masks, going backwards, statefulness, initial states as in `RNN`).
 */
export abstract class ConvLSTM extends RNN {
  static override className = "ConvLSTM";
  declare readonly cell: ConvLSTMCell;

  constructor(rank: number, filters: number, kernelSize: number | readonly number[], args: ConvLSTMArgs = {}) {
    const { rnn, cell } = splitRNNArgs(args);
    super(new ConvLSTMCell(rank, filters, kernelSize, { ...cell, name: "conv_lstm_cell" }), rnn);
    this.inputSpec = { ndim: rank + 3 };
  }

  override computeOutputShape(inputShape: LayerShape): LayerShape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as SymbolicShape;
    const [batch, steps, ...rest] = shape;
    const cell = this.cell;
    const spatial = cell.dataFormat === "channels_last" ? rest.slice(0, -1) : rest.slice(1);
    const out = spatial.map((d, i) => windowOutputSize(cell.padding, d, cell.kernelSize[i], cell.strides[i], cell.dilationRate[i]));
    const state = cell.dataFormat === "channels_last" ? [...out, cell.filters] : [cell.filters, ...out];
    const output: SymbolicShape = this.returnSequences ? [batch, steps, ...state] : [batch, ...state];
    return this.returnState ? [output, [batch, ...state], [batch, ...state]] : output;
  }

  override getConfig(): Record<string, unknown> {
    const { unroll: _unroll, zero_output_for_mask: _zero, ...base } = this.rnnConfig();
    void _unroll;
    void _zero;
    return { ...base, ...this.cell.convConfig(), activity_regularizer: regularizers.serialize(this.activityRegularizer), ...this.cell.dropoutConfig() };
  }

  /** ConvLSTM1D/2D/3D's `(filters, kernelSize, options)`. */
  static override fromConfig<T extends Layer>(this: new (...args: any[]) => T, config: Record<string, unknown>): T {
    const { filters, kernelSize, ...rest } = camelizeConfig(config);
    return new this(filters, kernelSize, rest);
  }
}

/** Keras's `ConvLSTM1D`: inputs [batch, time, steps, channels]. */
export class ConvLSTM1D extends ConvLSTM {
  static override className = "ConvLSTM1D";
  constructor(filters: number, kernelSize: number | readonly number[], args: ConvLSTMArgs = {}) {
    super(1, filters, kernelSize, args);
  }
}

/** Keras's `ConvLSTM2D`: inputs [batch, time, rows, cols, channels] (channels last). */
export class ConvLSTM2D extends ConvLSTM {
  static override className = "ConvLSTM2D";
  constructor(filters: number, kernelSize: number | readonly number[], args: ConvLSTMArgs = {}) {
    super(2, filters, kernelSize, args);
  }
}

/** Keras's `ConvLSTM3D`: inputs [batch, time, d1, d2, d3, channels]. */
export class ConvLSTM3D extends ConvLSTM {
  static override className = "ConvLSTM3D";
  constructor(filters: number, kernelSize: number | readonly number[], args: ConvLSTMArgs = {}) {
    super(3, filters, kernelSize, args);
  }
}
