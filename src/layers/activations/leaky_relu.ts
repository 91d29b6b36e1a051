import type { Tensor } from "../../backend/tensor.js";
import * as ops from "../../ops/index.js";
import { Layer, type LayerArgs, type LayerShape } from "../layer.js";

export interface LeakyReLUArgs extends LayerArgs {
  /** Slope for x < 0 (>= 0). Default 0.3 (the layer's default; `activations.leaky_relu` uses 0.2). */
  negativeSlope?: number;
  /** Deprecated Keras 2 name of `negativeSlope`, accepted when loading old configs. */
  alpha?: number;
}

/** `x` for x >= 0, `negativeSlope * x` otherwise. Keras: `keras.layers.LeakyReLU(negative_slope=0.3)`. */
export class LeakyReLU extends Layer {
  static override className = "LeakyReLU";
  override supportsMasking = true;
  readonly negativeSlope: number;

  constructor(args: LeakyReLUArgs = {}) {
    super(args);
    const slope = args.negativeSlope ?? args.alpha ?? 0.3;
    if (typeof slope !== "number" || !(slope >= 0)) {
      throw new RangeError(`LeakyReLU layer '${this.name}': the negative_slope value cannot be null or negative. Expected a float. Received: negative_slope=${String(slope)}`);
    }
    this.negativeSlope = slope;
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return ops.leakyRelu(inputs as Tensor, this.negativeSlope);
  }

  override computeOutputShape(inputShape: LayerShape): LayerShape {
    return inputShape;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), negative_slope: this.negativeSlope };
  }
}
