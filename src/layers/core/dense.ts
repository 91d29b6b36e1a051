import type { Tensor } from "../../backend/tensor.js";
import type { Variable } from "../../backend/variable.js";
import type { SymbolicShape } from "../../backend/keras_tensor.js";
import { linear } from "../../ops/linear.js";
import * as activations from "../../activations/index.js";
import * as initializers from "../../initializers/index.js";
import * as regularizers from "../../regularizers/index.js";
import * as constraints from "../../constraints/index.js";
import { Layer, type LayerArgs, type LayerShape } from "../layer.js";

export interface DenseArgs extends LayerArgs {
  activation?: activations.ActivationIdentifier;
  useBias?: boolean;
  kernelInitializer?: initializers.InitializerIdentifier;
  biasInitializer?: initializers.InitializerIdentifier;
  kernelRegularizer?: regularizers.RegularizerIdentifier;
  biasRegularizer?: regularizers.RegularizerIdentifier;
  kernelConstraint?: constraints.ConstraintIdentifier;
  biasConstraint?: constraints.ConstraintIdentifier;
}

/** `output = activation(inputs @ kernel + bias)` over the last axis. */
export class Dense extends Layer {
  static override className = "Dense";
  override supportsMasking = true;
  readonly units: number;
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

  constructor(units: number, args?: DenseArgs);
  constructor(args: DenseArgs & { units: number });
  constructor(unitsOrArgs: number | (DenseArgs & { units: number }), maybeArgs: DenseArgs = {}) {
    const args = typeof unitsOrArgs === "number" ? maybeArgs : unitsOrArgs;
    super(args);
    const units = typeof unitsOrArgs === "number" ? unitsOrArgs : unitsOrArgs.units;
    if (!Number.isInteger(units) || units <= 0) throw new RangeError(`Dense: units must be a positive integer, got ${units}`);
    this.units = units;
    this.activation = activations.get(args.activation);
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = initializers.get(args.kernelInitializer ?? "glorot_uniform");
    this.biasInitializer = initializers.get(args.biasInitializer ?? "zeros");
    this.kernelRegularizer = regularizers.get(args.kernelRegularizer);
    this.biasRegularizer = regularizers.get(args.biasRegularizer);
    this.kernelConstraint = constraints.get(args.kernelConstraint);
    this.biasConstraint = constraints.get(args.biasConstraint);
    this.inputSpec = { minNdim: 2 };
  }

  override build(inputShape: LayerShape): void {
    const shape = inputShape as SymbolicShape;
    const inputDim = shape[shape.length - 1];
    if (inputDim === null) throw new Error(`Dense layer '${this.name}': the last axis of the input must be known, got shape (${shape.join(", ")})`);
    this.kernel = this.addWeight({
      name: "kernel", shape: [inputDim, this.units], initializer: this.kernelInitializer,
      regularizer: this.kernelRegularizer, constraint: this.kernelConstraint,
    });
    if (this.useBias) {
      this.bias = this.addWeight({
        name: "bias", shape: [this.units], initializer: this.biasInitializer,
        regularizer: this.biasRegularizer, constraint: this.biasConstraint,
      });
    }
    this.inputSpec = { minNdim: 2, axes: { [-1]: inputDim } };
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return linear(inputs as Tensor, this.kernel!.value, this.bias?.value ?? null, this.activation);
  }

  override computeOutputShape(inputShape: LayerShape): SymbolicShape {
    return [...(inputShape as SymbolicShape).slice(0, -1), this.units];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: activations.serialize(this.activation),
      use_bias: this.useBias,
      kernel_initializer: initializers.serialize(this.kernelInitializer),
      bias_initializer: initializers.serialize(this.biasInitializer),
      kernel_regularizer: regularizers.serialize(this.kernelRegularizer),
      bias_regularizer: regularizers.serialize(this.biasRegularizer),
      kernel_constraint: constraints.serialize(this.kernelConstraint),
      bias_constraint: constraints.serialize(this.biasConstraint),
    };
  }
}
