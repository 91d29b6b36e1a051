import type { SymbolicShape } from "../../backend/keras_tensor.js";
import type { Tensor } from "../../backend/tensor.js";
import type { Variable } from "../../backend/variable.js";
import * as ops from "../../ops/index.js";
import * as activations from "../../activations/index.js";
import type * as initializers from "../../initializers/index.js";
import * as regularizers from "../../regularizers/index.js";
import type * as constraints from "../../constraints/index.js";
import { camelizeConfig, type CallOptions, type Layer, type LayerShape } from "../layer.js";
import { WeightOptions, weightOptionsConfig } from "../weight_options.js";
import { DropoutRNNCell, type DropoutRNNCellArgs } from "./rnn_cell.js";
import type { RnnResult } from "../../ops/rnn.js";
import { RNN, resetDropoutMasks, type RNNArgs } from "./rnn.js";

export interface SimpleRNNCellArgs extends DropoutRNNCellArgs {
  activation?: activations.ActivationIdentifier;
  useBias?: boolean;
  kernelInitializer?: initializers.InitializerIdentifier;
  recurrentInitializer?: initializers.InitializerIdentifier;
  biasInitializer?: initializers.InitializerIdentifier;
  kernelRegularizer?: regularizers.RegularizerIdentifier;
  recurrentRegularizer?: regularizers.RegularizerIdentifier;
  biasRegularizer?: regularizers.RegularizerIdentifier;
  kernelConstraint?: constraints.ConstraintIdentifier;
  recurrentConstraint?: constraints.ConstraintIdentifier;
  biasConstraint?: constraints.ConstraintIdentifier;
}

export function checkUnits(units: unknown, what: string): number {
  if (typeof units !== "number" || !Number.isInteger(units) || units <= 0) {
    throw new RangeError(`${what}: received an invalid value for argument \`units\`, expected a positive integer, got ${String(units)}.`);
  }
  return units;
}

/** The options every recurrent cell shares (activation, bias, and its weights' initializers, regularizers, constraints), resolved. */
export class CellWeightsOptions {
  readonly activation: activations.ActivationFn;
  readonly useBias: boolean;
  readonly kernel: WeightOptions;
  readonly recurrent: WeightOptions;
  readonly bias: WeightOptions;

  constructor(args: SimpleRNNCellArgs) {
    this.activation = activations.get(args.activation === undefined ? "tanh" : args.activation);
    this.useBias = args.useBias ?? true;
    this.kernel = new WeightOptions(args.kernelInitializer, "glorot_uniform", args.kernelRegularizer, args.kernelConstraint);
    this.recurrent = new WeightOptions(args.recurrentInitializer, "orthogonal", args.recurrentRegularizer, args.recurrentConstraint);
    this.bias = new WeightOptions(args.biasInitializer, "zeros", args.biasRegularizer, args.biasConstraint);
  }

  /** The kernel and the recurrent kernel, of these shapes. */
  addKernels(cell: Layer, kernelShape: number[], recurrentShape: number[]): [Variable, Variable] {
    return [this.kernel.addTo(cell, "kernel", kernelShape), this.recurrent.addTo(cell, "recurrent_kernel", recurrentShape)];
  }

  /** Keras's config keys for these options, in Keras's order around `extra` (written after use_bias). */
  config(extraAfterUseBias: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      activation: activations.serialize(this.activation),
      use_bias: this.useBias,
      ...extraAfterUseBias,
      ...weightOptionsConfig({ kernel: this.kernel, recurrent: this.recurrent, bias: this.bias }),
    };
  }
}

export function inputDimOf(inputShape: LayerShape, what: string): number {
  const shape = inputShape as SymbolicShape;
  const dim = shape[shape.length - 1];
  if (dim === null || dim === undefined) throw new Error(`${what}: the last axis of the input must be known, got shape (${shape.join(", ")})`);
  return dim;
}

/**
 * The cells of SimpleRNN, GRU and LSTM: `units` wide, with a kernel [inputDim, gates * units], a
 * recurrent kernel [units, gates * units] and a bias, and Keras's `units`-first constructor.
 */
export abstract class UnitsCell extends DropoutRNNCell {
  readonly units: number;
  readonly outputSize: number;
  readonly options: CellWeightsOptions;
  kernel?: Variable;
  recurrentKernel?: Variable;
  bias?: Variable;

  protected constructor(units: number, args: SimpleRNNCellArgs) {
    super(args);
    this.units = checkUnits(units, this.className());
    this.outputSize = this.units;
    this.options = new CellWeightsOptions(args);
  }

  get activation(): activations.ActivationFn {
    return this.options.activation;
  }

  /** The kernels for `gates` gates; the bias is each cell's own. */
  protected addKernels(inputShape: LayerShape, gates: number): void {
    const width = gates * this.units;
    [this.kernel, this.recurrentKernel] = this.options.addKernels(this, [inputDimOf(inputShape, `${this.className()} '${this.name}'`), width], [this.units, width]);
  }

  getInitialState(batchSize: number): Tensor[] {
    const sizes = typeof this.stateSize === "number" ? [this.stateSize] : this.stateSize;
    return sizes.map((size) => ops.zeros([batchSize, size]));
  }

  /** The config keys the cell shares with its layer, before the dropout keys. */
  abstract cellConfig(): Record<string, unknown>;

  /** Config keys after the dropout keys (GRU's `reset_after`). */
  configAfterDropout(): Record<string, unknown> {
    return {};
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), ...this.cellConfig(), ...this.dropoutConfig(), ...this.configAfterDropout() };
  }

  static override fromConfig<T extends Layer>(this: new (...args: any[]) => T, config: Record<string, unknown>): T {
    const { units, ...rest } = camelizeConfig(config);
    return new this(units, rest);
  }
}

/**
 * Keras's `SimpleRNNCell`: h' = activation(x @ kernel + bias + h @ recurrent_kernel), with dropout
 * on x and recurrent dropout on h during training.
 */
export class SimpleRNNCell extends UnitsCell {
  static override className = "SimpleRNNCell";
  readonly stateSize: number;

  constructor(units: number, args: SimpleRNNCellArgs = {}) {
    super(units, args);
    this.stateSize = this.units;
  }

  override build(inputShape: LayerShape): void {
    this.addKernels(inputShape, 1);
    if (this.options.useBias) this.bias = this.options.bias.addTo(this, "bias", [this.units]);
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[], options: CallOptions = {}): Tensor[] {
    let [x, h] = inputs as Tensor[];
    const dpMask = this.getDropoutMasks(x);
    const recMask = this.getRecurrentDropoutMasks(h);
    if (options.training === true && dpMask !== null) x = ops.multiply(x, dpMask[0]);
    let out = ops.matmul(x, this.kernel!.value);
    if (this.bias !== undefined) out = ops.add(out, this.bias.value);
    if (options.training === true && recMask !== null) h = ops.multiply(h, recMask[0]);
    out = this.options.activation(ops.add(out, ops.matmul(h, this.recurrentKernel!.value)));
    return [out, out];
  }

  cellConfig(): Record<string, unknown> {
    return { units: this.units, ...this.options.config() };
  }
}

/** Keras's `use_cudnn` ("auto", true, false), accepted for compatibility: the fused kernel runs whenever it applies. */
export function checkUseCudnn(useCudnn: unknown): void {
  if (useCudnn !== undefined && useCudnn !== "auto" && useCudnn !== true && useCudnn !== false) {
    throw new Error(`Invalid valid received for argument \`use_cudnn\`. Expected one of {'auto', True, False}. Received: use_cudnn=${String(useCudnn)}`);
  }
}

/** The RNN arguments out of a layer's options (the rest configure its cell). */
export function splitRNNArgs<A extends RNNArgs>(args: A): { rnn: RNNArgs; cell: Omit<A, keyof RNNArgs> & { dtype?: RNNArgs["dtype"]; trainable?: boolean } } {
  const {
    returnSequences, returnState, goBackwards, stateful, unroll, zeroOutputForMask,
    name, trainable, dtype, inputShape, batchSize, batchInputShape, inputDim, activityRegularizer, ...cell
  } = args;
  return {
    rnn: { returnSequences, returnState, goBackwards, stateful, unroll, zeroOutputForMask, name, trainable, dtype, inputShape, batchSize, batchInputShape, inputDim, activityRegularizer },
    cell: { ...cell, dtype, trainable },
  };
}

/**
 * SimpleRNN, GRU and LSTM: an RNN over one `UnitsCell` made from the layer's own arguments, whose
 * config holds the cell's options (not the cell).
 */
export abstract class UnitsRNN<C extends UnitsCell> extends RNN {
  declare readonly cell: C;

  protected constructor(cell: C, rnnArgs: RNNArgs) {
    super(cell, rnnArgs);
    this.inputSpec = { ndim: 3 };
  }

  get units(): number {
    return this.cell.units;
  }

  /**
   * Runs GRU's or LSTM's fused op (`fused`) on the sequences with the input dropout applied as one
   * mask over every timestep, as Keras applies it before its backends' fused kernels; the cell's
   * masks are reset around it.
   */
  protected runFused(sequences: Tensor, training: boolean, fused: (x: Tensor) => RnnResult): RnnResult {
    const cell = this.cell;
    resetDropoutMasks(cell);
    try {
      let x = sequences;
      if (training && cell.dropout > 0) {
        const dp = cell.getDropoutMasks(ops.zeros([sequences.shape[0], sequences.shape[2]]))!;
        x = ops.multiply(x, ops.expandDims(dp[0], 1));
      }
      return fused(x);
    } finally {
      resetDropoutMasks(cell);
    }
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...this.rnnConfig(), ...this.cell.cellConfig(), activity_regularizer: regularizers.serialize(this.activityRegularizer),
      ...this.cell.dropoutConfig(), ...this.cell.configAfterDropout(),
    };
  }

  static override fromConfig<T extends Layer>(this: new (...args: any[]) => T, config: Record<string, unknown>): T {
    const { units, ...rest } = camelizeConfig(config);
    return new this(units, rest);
  }
}

export interface SimpleRNNArgs extends SimpleRNNCellArgs, RNNArgs {}

/** Keras's `SimpleRNN`: a fully-connected RNN whose output is fed back as its state. */
export class SimpleRNN extends UnitsRNN<SimpleRNNCell> {
  static override className = "SimpleRNN";

  constructor(units: number, args: SimpleRNNArgs = {}) {
    const { rnn, cell } = splitRNNArgs(args);
    super(new SimpleRNNCell(units, { ...cell, name: "simple_rnn_cell" }), rnn);
  }
}
