import type { Tensor } from "../../backend/tensor.js";
import * as ops from "../../ops/index.js";
import { Layer, type LayerArgs, type LayerShape } from "../layer.js";

export interface ELUArgs extends LayerArgs {
  /** Scale of the negative part. Default 1. */
  alpha?: number;
}

/** `x` for x >= 0, `alpha * (exp(x) - 1)` otherwise. Keras: `keras.layers.ELU(alpha=1.0)`. */
export class ELU extends Layer {
  static override className = "ELU";
  override supportsMasking = true;
  readonly alpha: number;

  constructor(args: ELUArgs = {}) {
    super(args);
    const alpha = args.alpha ?? 1;
    if (typeof alpha !== "number" || !Number.isFinite(alpha)) throw new TypeError(`ELU layer '${this.name}': alpha must be a finite number, got ${String(alpha)}`);
    this.alpha = alpha;
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return ops.elu(inputs as Tensor, this.alpha);
  }

  override computeOutputShape(inputShape: LayerShape): LayerShape {
    return inputShape;
  }

  override getConfig(): Record<string, unknown> {
    // Keras 3's ELU writes no `alpha` (so a reload gets 1.0); writing it keeps custom values,
    // and Keras accepts the key when loading.
    return { ...super.getConfig(), alpha: this.alpha };
  }
}
