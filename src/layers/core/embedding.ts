import type { DType } from "../../backend/dtypes.js";
import type { SymbolicShape } from "../../backend/keras_tensor.js";
import { Tensor } from "../../backend/tensor.js";
import { Variable } from "../../backend/variable.js";
import * as ops from "../../ops/index.js";
import { convertToTensor, type TensorLike } from "../../ops/core.js";
import * as initializers from "../../initializers/index.js";
import * as regularizers from "../../regularizers/index.js";
import * as constraints from "../../constraints/index.js";
import { Layer, camelizeConfig, type LayerArgs, type LayerMask, type LayerShape } from "../layer.js";

export interface EmbeddingArgs extends LayerArgs {
  /** Default "uniform" (RandomUniform in [-0.05, 0.05]). */
  embeddingsInitializer?: initializers.InitializerIdentifier;
  embeddingsRegularizer?: regularizers.RegularizerIdentifier;
  embeddingsConstraint?: constraints.ConstraintIdentifier;
  /**
   * Index 0 is padding: the layer attaches a mask (false where the input is 0) that recurrent
   * layers and attention read, so padded timesteps are skipped. The vocabulary then starts at 1.
   */
  maskZero?: boolean;
  /** Initial embeddings [inputDim, outputDim] (builds the layer at once). */
  weights?: TensorLike | TensorLike[];
  /** Deprecated in Keras 3 (a warning); the input length comes from the input. */
  inputLength?: number | null;
}

/**
 * Turns non-negative integer indices [...] into dense vectors [..., outputDim] by looking up rows
 * of a trainable [inputDim, outputDim] matrix. Keras: `keras.layers.Embedding(input_dim, output_dim)`.
 */
export class Embedding extends Layer {
  static override className = "Embedding";
  readonly inputDim: number;
  readonly outputDim: number;
  readonly embeddingsInitializer: initializers.Initializer;
  readonly embeddingsRegularizer: regularizers.Regularizer | null;
  readonly embeddingsConstraint: constraints.Constraint | null;
  readonly maskZero: boolean;
  embeddings?: Variable;

  constructor(inputDim: number, outputDim: number, args: EmbeddingArgs = {}) {
    const { weights, inputLength, ...rest } = args;
    super(rest);
    for (const [name, value] of [["input_dim", inputDim], ["output_dim", outputDim]] as const) {
      if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) {
        throw new RangeError(`Embedding layer '${this.name}': \`${name}\` must be a positive integer. Received: ${name}=${String(value)} (of type ${typeof value}).`);
      }
    }
    if (inputLength !== undefined && inputLength !== null) console.warn("Argument `input_length` is deprecated. Just remove it.");
    this.inputDim = inputDim;
    this.outputDim = outputDim;
    this.embeddingsInitializer = initializers.get(args.embeddingsInitializer ?? "uniform");
    this.embeddingsRegularizer = regularizers.get(args.embeddingsRegularizer);
    this.embeddingsConstraint = constraints.get(args.embeddingsConstraint);
    this.maskZero = args.maskZero ?? false;
    this.supportsMasking = this.maskZero;
    if (weights !== undefined) {
      this.maybeBuild([null]);
      // Keras's rule: a list of one array is the weights list, anything else the matrix itself.
      const list = Array.isArray(weights) && weights.length === 1 && (weights[0] instanceof Tensor || weights[0] instanceof Variable);
      this.setWeights(list ? (weights as TensorLike[]) : [weights as TensorLike]);
    }
  }

  override build(inputShape: LayerShape): void {
    void inputShape;
    if (this.embeddings !== undefined) return;
    this.embeddings = this.addWeight({
      name: "embeddings", shape: [this.inputDim, this.outputDim], initializer: this.embeddingsInitializer,
      regularizer: this.embeddingsRegularizer, constraint: this.embeddingsConstraint,
    });
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    let indices = inputs as Tensor;
    if (indices.dtype !== "int32") indices = ops.cast(indices, "int32");
    return ops.take(this.embeddings!.value, indices, 0);
  }

  override computeMask(inputs: Tensor | Tensor[]): LayerMask {
    if (!this.maskZero) return null;
    return ops.notEqual(convertToTensor(inputs as Tensor), 0);
  }

  override computeOutputShape(inputShape: LayerShape): SymbolicShape {
    return [...(inputShape as SymbolicShape), this.outputDim];
  }

  protected override outputDType(inputDType: DType): DType {
    void inputDType;
    return this.dtype;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      input_dim: this.inputDim,
      output_dim: this.outputDim,
      embeddings_initializer: initializers.serialize(this.embeddingsInitializer),
      embeddings_regularizer: regularizers.serialize(this.embeddingsRegularizer),
      activity_regularizer: regularizers.serialize(this.activityRegularizer),
      embeddings_constraint: constraints.serialize(this.embeddingsConstraint),
      mask_zero: this.maskZero,
    };
  }

  static override fromConfig<T extends Layer>(this: new (...args: any[]) => T, config: Record<string, unknown>): T {
    const { inputDim, outputDim, ...rest } = camelizeConfig(config);
    return new this(inputDim, outputDim, rest);
  }
}
