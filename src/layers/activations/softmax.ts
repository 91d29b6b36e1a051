import type { Tensor } from "../../backend/tensor.js";
import * as ops from "../../ops/index.js";
import { Layer, type LayerArgs, type LayerShape } from "../layer.js";

export interface SoftmaxArgs extends LayerArgs {
  /** Axis (or axes) to normalize over. Default -1. */
  axis?: number | readonly number[];
}

/** `exp(x) / sum(exp(x))` over `axis`. Keras: `keras.layers.Softmax(axis=-1)`. */
export class Softmax extends Layer {
  static override className = "Softmax";
  override supportsMasking = true;
  readonly axis: number | readonly number[];

  constructor(args: SoftmaxArgs = {}) {
    super(args);
    const axis = args.axis ?? -1;
    const valid = Number.isInteger(axis) || (Array.isArray(axis) && axis.length > 0 && axis.every((a) => Number.isInteger(a)));
    if (!valid) throw new TypeError(`Softmax layer '${this.name}': axis must be an integer or a non-empty array of integers, got ${JSON.stringify(axis)}`);
    this.axis = Array.isArray(axis) ? Object.freeze([...axis]) : axis;
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return ops.softmax(inputs as Tensor, this.axis);
  }

  override computeOutputShape(inputShape: LayerShape): LayerShape {
    return inputShape;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: Array.isArray(this.axis) ? [...this.axis] : this.axis };
  }
}
