import type { SymbolicShape } from "../../backend/keras_tensor.js";
import type { DType } from "../../backend/dtypes.js";
import type { Tensor } from "../../backend/tensor.js";
import * as ops from "../../ops/index.js";
import { Layer, camelizeConfig, type CallOptions, type LayerArgs, type LayerShape } from "../layer.js";
import { encodeCategorical, type CategoricalOutputMode } from "./categorical_inputs.js";

export interface CategoryEncodingArgs extends LayerArgs {
  /** The number of categories: inputs are integers in [0, numTokens). */
  numTokens?: number | null;
  /** "multi_hot" (default; "binary" is its old name), "one_hot" or "count". */
  outputMode?: CategoricalOutputMode | "binary";
  /** Accepted for Keras compatibility; only dense outputs exist here (true is an error). */
  sparse?: boolean;
}

export interface CategoryEncodingCallOptions extends CallOptions {
  /** With outputMode "count": a weight per input value, summed instead of 1s. */
  countWeights?: Tensor | null;
}

/**
 * Keras's `CategoryEncoding`: integer category indices to one-hot, multi-hot or count vectors of
 * size `numTokens`. A rank-2 input [batch, n] gives [batch, numTokens] (one_hot: [batch, n,
 * numTokens], or [batch, numTokens] for n = 1).
 */
export class CategoryEncoding extends Layer {
  static override className = "CategoryEncoding";
  readonly numTokens: number;
  readonly outputMode: CategoricalOutputMode;
  readonly sparse: boolean;

  constructor(args: CategoryEncodingArgs = {}) {
    super(args);
    const mode = args.outputMode === "binary" ? "multi_hot" : (args.outputMode ?? "multi_hot");
    if (mode !== "count" && mode !== "one_hot" && mode !== "multi_hot") throw new Error(`Unknown arg for output_mode: ${String(args.outputMode)}`);
    const numTokens = args.numTokens;
    if (numTokens === null || numTokens === undefined) {
      throw new Error("num_tokens must be set to use this layer. If the number of tokens is not known beforehand, use the IntegerLookup layer instead.");
    }
    if (!Number.isInteger(numTokens) || numTokens < 1) throw new RangeError(`\`num_tokens\` must be >= 1. Received: num_tokens=${numTokens}.`);
    if (args.sparse) throw new Error(`CategoryEncoding layer '${this.name}': sparse outputs are not supported by keras-ts (sparse=True needs Keras's TensorFlow backend)`);
    this.numTokens = numTokens;
    this.outputMode = mode;
    this.sparse = false;
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[], options: CategoryEncodingCallOptions = {}): Tensor {
    const x = inputs as Tensor;
    if (options.countWeights !== undefined && options.countWeights !== null && this.outputMode !== "count") {
      throw new Error(`\`count_weights\` is not used when \`output_mode\` is not \`'count'\`. Received \`count_weights=${String(options.countWeights)}\`.`);
    }
    const values = x.dataSync();
    for (const v of values) {
      if (!(v >= 0 && v < this.numTokens)) {
        throw new Error(`CategoryEncoding layer '${this.name}': input values must be in the range 0 <= values < num_tokens with num_tokens=${this.numTokens}; got ${v}`);
      }
    }
    return encodeCategorical(ops.cast(x, "int32"), this.outputMode, this.numTokens, options.countWeights);
  }

  override computeOutputShape(inputShape: LayerShape): SymbolicShape {
    const shape = inputShape as SymbolicShape;
    if (shape.length === 0) return [this.numTokens];
    if (this.outputMode === "one_hot" && (shape[shape.length - 1] !== 1 || shape.length === 1)) return [...shape, this.numTokens];
    return [...shape.slice(0, -1), this.numTokens];
  }

  protected override outputDType(inputDType: DType): DType {
    void inputDType;
    return this.dtype;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), num_tokens: this.numTokens, output_mode: this.outputMode, sparse: this.sparse };
  }

  static override fromConfig<T extends Layer>(this: new (...args: any[]) => T, config: Record<string, unknown>): T {
    return new this(camelizeConfig(config));
  }
}
