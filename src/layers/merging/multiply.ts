import type { Tensor } from "../../backend/tensor.js";
import type { KerasTensor } from "../../backend/keras_tensor.js";
import * as ops from "../../ops/index.js";
import type { LayerArgs } from "../layer.js";
import { Merge } from "./base_merge.js";

/**
 * Multiplies a list of inputs element-wise. The inputs' shapes must broadcast together.
 * Keras: `keras.layers.Multiply()`.
 */
export class Multiply extends Merge {
  static override className = "Multiply";

  protected mergeFunction(inputs: Tensor[]): Tensor {
    let output = inputs[0];
    for (const x of inputs.slice(1)) output = ops.multiply(output, x);
    return output;
  }
}

/** Functional form, Keras's `keras.layers.multiply(inputs)`: `new Multiply(args).apply(inputs)`. */
export function multiply(inputs: Tensor[], args?: LayerArgs): Tensor;
export function multiply(inputs: KerasTensor[], args?: LayerArgs): KerasTensor;
export function multiply(inputs: Tensor[] | KerasTensor[], args: LayerArgs = {}): Tensor | KerasTensor {
  return new Multiply(args).apply(inputs);
}
