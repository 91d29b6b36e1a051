import type { Tensor } from "../../backend/tensor.js";
import type { KerasTensor } from "../../backend/keras_tensor.js";
import * as ops from "../../ops/index.js";
import type { LayerArgs } from "../layer.js";
import { Merge } from "./base_merge.js";

/**
 * The element-wise maximum of a list of inputs. The inputs' shapes must broadcast together.
 * Keras: `keras.layers.Maximum()`.
 */
export class Maximum extends Merge {
  static override className = "Maximum";

  protected mergeFunction(inputs: Tensor[]): Tensor {
    let output = inputs[0];
    for (const x of inputs.slice(1)) output = ops.maximum(output, x);
    return output;
  }
}

/** Functional form, Keras's `keras.layers.maximum(inputs)`: `new Maximum(args).apply(inputs)`. */
export function maximum(inputs: Tensor[], args?: LayerArgs): Tensor;
export function maximum(inputs: KerasTensor[], args?: LayerArgs): KerasTensor;
export function maximum(inputs: Tensor[] | KerasTensor[], args: LayerArgs = {}): Tensor | KerasTensor {
  return new Maximum(args).apply(inputs);
}
