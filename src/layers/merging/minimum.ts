import type { Tensor } from "../../backend/tensor.js";
import type { KerasTensor } from "../../backend/keras_tensor.js";
import * as ops from "../../ops/index.js";
import type { LayerArgs } from "../layer.js";
import { Merge } from "./base_merge.js";

/**
 * The element-wise minimum of a list of inputs. The inputs' shapes must broadcast together.
 * Keras: `keras.layers.Minimum()`.
 */
export class Minimum extends Merge {
  static override className = "Minimum";

  protected mergeFunction(inputs: Tensor[]): Tensor {
    let output = inputs[0];
    for (const x of inputs.slice(1)) output = ops.minimum(output, x);
    return output;
  }
}

/** Functional form, Keras's `keras.layers.minimum(inputs)`: `new Minimum(args).apply(inputs)`. */
export function minimum(inputs: Tensor[], args?: LayerArgs): Tensor;
export function minimum(inputs: KerasTensor[], args?: LayerArgs): KerasTensor;
export function minimum(inputs: Tensor[] | KerasTensor[], args: LayerArgs = {}): Tensor | KerasTensor {
  return new Minimum(args).apply(inputs);
}
