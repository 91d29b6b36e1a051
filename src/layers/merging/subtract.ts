import type { Tensor } from "../../backend/tensor.js";
import type { KerasTensor, SymbolicShape } from "../../backend/keras_tensor.js";
import * as ops from "../../ops/index.js";
import type { LayerArgs } from "../layer.js";
import { Merge, formatShapeList } from "./base_merge.js";

/**
 * `inputs[0] - inputs[1]`, element-wise, for exactly two inputs whose shapes broadcast together.
 * Keras: `keras.layers.Subtract()`.
 */
export class Subtract extends Merge {
  static override className = "Subtract";

  protected override checkInputCount(shapes: readonly SymbolicShape[]): void {
    if (shapes.length !== 2) throw this.error(`a Subtract layer should be called on exactly 2 inputs. Received ${shapes.length} inputs with shapes ${formatShapeList(shapes)}`);
  }

  protected mergeFunction(inputs: Tensor[]): Tensor {
    return ops.subtract(inputs[0], inputs[1]);
  }
}

/** Functional form, Keras's `keras.layers.subtract(inputs)`. */
export function subtract(inputs: Tensor[], args?: LayerArgs): Tensor;
export function subtract(inputs: KerasTensor[], args?: LayerArgs): KerasTensor;
export function subtract(inputs: Tensor[] | KerasTensor[], args: LayerArgs = {}): Tensor | KerasTensor {
  return new Subtract(args).apply(inputs);
}
