import type { Tensor } from "../../backend/tensor.js";
import type { DType } from "../../backend/dtypes.js";
import { Layer, type LayerArgs, type LayerShape } from "../layer.js";

/** Returns its inputs unchanged: a placeholder where no operation is wanted. Keras: `keras.layers.Identity()`. */
export class Identity extends Layer {
  static override className = "Identity";
  override supportsMasking = true;

  constructor(args: LayerArgs = {}) {
    super(args);
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[]): Tensor | Tensor[] {
    return inputs;
  }

  override computeOutputShape(inputShape: LayerShape): LayerShape {
    return inputShape;
  }

  protected override outputDType(inputDType: DType): DType {
    return inputDType;
  }
}
