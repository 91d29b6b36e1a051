import type { Tensor } from "../../backend/tensor.js";
import { setKerasMask } from "../../backend/masking.js";
import * as ops from "../../ops/index.js";
import { Layer, type LayerArgs, type LayerMask, type LayerShape } from "../layer.js";

export interface MaskingArgs extends LayerArgs {
  /** Timesteps whose features all equal this value are masked. Default 0. */
  maskValue?: number;
}

/**
 * Masks timesteps of a sequence [batch, timesteps, features] whose features all equal
 * `maskValue`: their outputs are zeros, and the mask attached to the output makes downstream
 * layers that support masking (RNNs, attention, ...) skip them.
 * Keras: `keras.layers.Masking(mask_value=0.0)`.
 */
export class Masking extends Layer {
  static override className = "Masking";
  override supportsMasking = true;
  readonly maskValue: number;

  constructor(maskValue?: number, args?: LayerArgs);
  constructor(args?: MaskingArgs);
  constructor(valueOrArgs: number | MaskingArgs = {}, maybeArgs: LayerArgs = {}) {
    const args: MaskingArgs = typeof valueOrArgs === "number" ? { ...maybeArgs, maskValue: valueOrArgs } : valueOrArgs;
    super(args);
    const value = args.maskValue ?? 0;
    if (typeof value !== "number") throw new TypeError(`Masking layer '${this.name}': maskValue must be a number, got ${JSON.stringify(value)}`);
    this.maskValue = value;
    this.built = true;
  }

  override computeMask(inputs: Tensor | Tensor[]): LayerMask {
    return ops.any(ops.notEqual(inputs as Tensor, this.maskValue), -1);
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = inputs as Tensor;
    const keep = ops.any(ops.notEqual(x, this.maskValue), -1, true);
    const outputs = ops.where(keep, x, 0);
    setKerasMask(outputs, ops.squeeze(keep, -1));
    return outputs;
  }

  override computeOutputShape(inputShape: LayerShape): LayerShape {
    return inputShape;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), mask_value: this.maskValue };
  }
}
