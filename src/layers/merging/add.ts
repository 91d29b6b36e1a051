import type { Tensor } from "../../backend/tensor.js";
import type { KerasTensor } from "../../backend/keras_tensor.js";
import * as ops from "../../ops/index.js";
import type { LayerArgs } from "../layer.js";
import { Merge } from "./base_merge.js";

/**
 * Sums a list of inputs element-wise. The inputs' shapes must broadcast together.
 * Keras: `keras.layers.Add()`.
 */
export class Add extends Merge {
  static override className = "Add";

  protected mergeFunction(inputs: Tensor[]): Tensor {
    let output = inputs[0];
    for (const x of inputs.slice(1)) output = ops.add(output, x);
    return output;
  }
}

/** Functional form, Keras's `keras.layers.add(inputs)`: `new Add(args).apply(inputs)`. */
export function add(inputs: Tensor[], args?: LayerArgs): Tensor;
export function add(inputs: KerasTensor[], args?: LayerArgs): KerasTensor;
export function add(inputs: Tensor[] | KerasTensor[], args: LayerArgs = {}): Tensor | KerasTensor {
  return new Add(args).apply(inputs);
}
