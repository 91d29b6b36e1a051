import type { Tensor } from "../../backend/tensor.js";
import type { KerasTensor } from "../../backend/keras_tensor.js";
import * as ops from "../../ops/index.js";
import type { LayerArgs } from "../layer.js";
import { Merge } from "./base_merge.js";

/**
 * The element-wise mean of a list of inputs whose shapes broadcast together.
 * Keras: `keras.layers.Average()`.
 */
export class Average extends Merge {
  static override className = "Average";

  protected mergeFunction(inputs: Tensor[]): Tensor {
    let output = inputs[0];
    for (const x of inputs.slice(1)) output = ops.add(output, x);
    return ops.divide(output, inputs.length);
  }
}

/** Functional form, Keras's `keras.layers.average(inputs)`. */
export function average(inputs: Tensor[], args?: LayerArgs): Tensor;
export function average(inputs: KerasTensor[], args?: LayerArgs): KerasTensor;
export function average(inputs: Tensor[] | KerasTensor[], args: LayerArgs = {}): Tensor | KerasTensor {
  return new Average(args).apply(inputs);
}
