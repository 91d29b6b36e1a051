import type { Tensor } from "../../backend/tensor.js";
import { maskedMean } from "../../ops/masked_mean.js";
import type { CallOptions, LayerMask } from "../layer.js";
import { BaseGlobalAveragePooling, type GlobalPoolingArgs } from "./base_global_pooling.js";

/**
 * The mean of each feature over the steps of `[batch, steps, features]` inputs (channels_last).
 * With a mask (from Embedding's maskZero or Masking), only the unmasked steps count.
 * Keras: `keras.layers.GlobalAveragePooling1D(data_format=None, keepdims=False)`.
 */
export class GlobalAveragePooling1D extends BaseGlobalAveragePooling {
  static override className = "GlobalAveragePooling1D";
  override supportsMasking = true;

  constructor(args: GlobalPoolingArgs = {}) {
    super(1, args);
  }

  protected override pool(x: Tensor, axes: number[], options: CallOptions = {}): Tensor {
    const mask = options.mask;
    if (mask === undefined || mask === null || Array.isArray(mask)) return super.pool(x, axes);
    return maskedMean(x, mask, this.dataFormat === "channels_first" ? 2 : 1, this.keepdims);
  }

  /** The steps axis is gone: no mask goes on. */
  override computeMask(): LayerMask {
    return null;
  }
}
