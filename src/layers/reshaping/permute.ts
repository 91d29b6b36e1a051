import type { Tensor } from "../../backend/tensor.js";
import type { DType } from "../../backend/dtypes.js";
import type { SymbolicShape } from "../../backend/keras_tensor.js";
import * as ops from "../../ops/index.js";
import { Layer, type LayerArgs, type LayerShape } from "../layer.js";

export interface PermuteArgs extends LayerArgs {
  /** The permutation of the non-batch axes, 1-based: `[2, 1]` swaps the two axes after the batch. */
  dims?: readonly number[];
}

/**
 * Permutes the axes after the batch axis by `dims` (1-based, as in Keras):
 * `new Permute([2, 1])` turns `[batch, 10, 64]` into `[batch, 64, 10]`.
 * Keras: `keras.layers.Permute(dims)`.
 */
export class Permute extends Layer {
  static override className = "Permute";
  readonly dims: readonly number[];

  constructor(dims: readonly number[], args?: LayerArgs);
  constructor(args: PermuteArgs & { dims: readonly number[] });
  constructor(dimsOrArgs: readonly number[] | PermuteArgs, maybeArgs: LayerArgs = {}) {
    const args: PermuteArgs = Array.isArray(dimsOrArgs) ? { ...maybeArgs, dims: dimsOrArgs } : (dimsOrArgs as PermuteArgs);
    super(args);
    const dims = args.dims;
    const sorted = Array.isArray(dims) ? [...dims].sort((a, b) => a - b) : [];
    if (!Array.isArray(dims) || dims.length === 0 || !sorted.every((d, i) => d === i + 1)) {
      throw new Error(`Invalid permutation argument \`dims\` for Permute layer '${this.name}'. The set of indices in \`dims\` must be consecutive and start from 1. Received dims=${JSON.stringify(dims)}`);
    }
    this.dims = Object.freeze([...dims]);
    this.inputSpec = { ndim: dims.length + 1 };
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return ops.transpose(inputs as Tensor, [0, ...this.dims]);
  }

  override computeOutputShape(inputShape: LayerShape): SymbolicShape {
    const shape = inputShape as SymbolicShape;
    return [shape[0], ...this.dims.map((d) => shape[d])];
  }

  protected override outputDType(inputDType: DType): DType {
    return inputDType;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), dims: [...this.dims] };
  }
}
