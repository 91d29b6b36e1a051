import type { SymbolicShape } from "../../backend/keras_tensor.js";
import type { Tensor } from "../../backend/tensor.js";
import type { Variable } from "../../backend/variable.js";
import * as ops from "../../ops/index.js";
import * as activations from "../../activations/index.js";
import * as initializers from "../../initializers/index.js";
import * as regularizers from "../../regularizers/index.js";
import * as constraints from "../../constraints/index.js";
import { camelizeConfig, type CallOptions, type Layer, type LayerShape } from "../layer.js";
import { DropoutRNNCell, type DropoutRNNCellArgs } from "./rnn_cell.js";
import { RNN, type RNNArgs, type RNNCallOptions } from "./rnn.js";

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

/** The options every recurrent cell shares (initializers, regularizers, constraints), resolved. */
export class CellWeightsOptions {
  readonly activation: activations.ActivationFn;
  readonly useBias: boolean;
  readonly kernelInitializer: initializers.Initializer;
  readonly recurrentInitializer: initializers.Initializer;
  readonly biasInitializer: initializers.Initializer;
  readonly kernelRegularizer: regularizers.Regularizer | null;
  readonly recurrentRegularizer: regularizers.Regularizer | null;
  readonly biasRegularizer: regularizers.Regularizer | null;
  readonly kernelConstraint: constraints.Constraint | null;
  readonly recurrentConstraint: constraints.Constraint | null;
  readonly biasConstraint: constraints.Constraint | null;

  constructor(args: SimpleRNNCellArgs) {
    this.activation = activations.get(args.activation === undefined ? "tanh" : args.activation);
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = initializers.get(args.kernelInitializer ?? "glorot_uniform");
    this.recurrentInitializer = initializers.get(args.recurrentInitializer ?? "orthogonal");
    this.biasInitializer = initializers.get(args.biasInitializer ?? "zeros");
    this.kernelRegularizer = regularizers.get(args.kernelRegularizer);
    this.recurrentRegularizer = regularizers.get(args.recurrentRegularizer);
    this.biasRegularizer = regularizers.get(args.biasRegularizer);
    this.kernelConstraint = constraints.get(args.kernelConstraint);
    this.recurrentConstraint = constraints.get(args.recurrentConstraint);
    this.biasConstraint = constraints.get(args.biasConstraint);
  }

  /** kernel [inputDim, width] and recurrent kernel [units, width]. */
  addKernels(cell: Layer, inputDim: number, units: number, width: number): [Variable, Variable] {
    const kernel = cell.addWeight({
      name: "kernel", shape: [inputDim, width], initializer: this.kernelInitializer, regularizer: this.kernelRegularizer, constraint: this.kernelConstraint,
    });
    const recurrentKernel = cell.addWeight({
      name: "recurrent_kernel", shape: [units, width], initializer: this.recurrentInitializer,
      regularizer: this.recurrentRegularizer, constraint: this.recurrentConstraint,
    });
    return [kernel, recurrentKernel];
  }

  addBias(cell: Layer, shape: number[], initializer: initializers.Initializer = this.biasInitializer): Variable {
    return cell.addWeight({ name: "bias", shape, initializer, regularizer: this.biasRegularizer, constraint: this.biasConstraint });
  }

  /** Keras's config keys for these options, in Keras's order around `extra` (written after use_bias). */
  config(extraAfterUseBias: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      activation: activations.serialize(this.activation),
      use_bias: this.useBias,
      ...extraAfterUseBias,
      kernel_initializer: initializers.serialize(this.kernelInitializer),
      recurrent_initializer: initializers.serialize(this.recurrentInitializer),
      bias_initializer: initializers.serialize(this.biasInitializer),
      kernel_regularizer: regularizers.serialize(this.kernelRegularizer),
      recurrent_regularizer: regularizers.serialize(this.recurrentRegularizer),
      bias_regularizer: regularizers.serialize(this.biasRegularizer),
      kernel_constraint: constraints.serialize(this.kernelConstraint),
      recurrent_constraint: constraints.serialize(this.recurrentConstraint),
      bias_constraint: constraints.serialize(this.biasConstraint),
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
 * Keras's `SimpleRNNCell`: h' = activation(x @ kernel + bias + h @ recurrent_kernel), with dropout
 * on x and recurrent dropout on h during training.
 */
export class SimpleRNNCell extends DropoutRNNCell {
  static override className = "SimpleRNNCell";
  readonly units: number;
  readonly stateSize: number;
  readonly outputSize: number;
  readonly options: CellWeightsOptions;
  kernel?: Variable;
  recurrentKernel?: Variable;
  bias?: Variable;

  constructor(units: number, args: SimpleRNNCellArgs = {}) {
    super(args);
    this.units = checkUnits(units, "SimpleRNNCell");
    this.stateSize = units;
    this.outputSize = units;
    this.options = new CellWeightsOptions(args);
  }

  override build(inputShape: LayerShape): void {
    [this.kernel, this.recurrentKernel] = this.options.addKernels(this, inputDimOf(inputShape, `SimpleRNNCell '${this.name}'`), this.units, this.units);
    if (this.options.useBias) this.bias = this.options.addBias(this, [this.units]);
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

  getInitialState(batchSize: number): Tensor[] {
    return [ops.zeros([batchSize, this.units])];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), units: this.units, ...this.options.config(), ...this.dropoutConfig() };
  }

  static override fromConfig<T extends Layer>(this: new (...args: any[]) => T, config: Record<string, unknown>): T {
    const { units, ...rest } = camelizeConfig(config);
    return new this(units, rest);
  }
}

export interface SimpleRNNArgs extends SimpleRNNCellArgs, RNNArgs {}

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

/** Keras's `SimpleRNN`: a fully-connected RNN whose output is fed back as its state. */
export class SimpleRNN extends RNN {
  static override className = "SimpleRNN";
  declare readonly cell: SimpleRNNCell;

  constructor(units: number, args: SimpleRNNArgs = {}) {
    const { rnn, cell } = splitRNNArgs(args);
    super(new SimpleRNNCell(units, { ...cell, name: "simple_rnn_cell" }), rnn);
    this.inputSpec = { ndim: 3 };
  }

  get units(): number {
    return this.cell.units;
  }

  override call(inputs: Tensor | Tensor[], options: RNNCallOptions = {}): Tensor | Tensor[] {
    return super.call(inputs, options);
  }

  override getConfig(): Record<string, unknown> {
    return { ...this.rnnConfig(), units: this.cell.units, ...this.cell.options.config(), activity_regularizer: regularizers.serialize(this.activityRegularizer), ...this.cell.dropoutConfig() };
  }

  static override fromConfig<T extends Layer>(this: new (...args: any[]) => T, config: Record<string, unknown>): T {
    const { units, ...rest } = camelizeConfig(config);
    return new this(units, rest);
  }
}
