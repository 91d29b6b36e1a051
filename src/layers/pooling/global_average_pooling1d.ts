import type { Tensor } from "../../backend/tensor.js";
import * as ops from "../../ops/index.js";
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
    const expanded = ops.expandDims(ops.cast(mask, "bool"), this.dataFormat === "channels_first" ? 1 : 2);
    const kept = ops.where(expanded, x, 0);
    const counts = ops.sum(ops.cast(expanded, x.dtype), axes, this.keepdims);
    return ops.divide(ops.sum(kept, axes, this.keepdims), counts);
  }

  /** The steps axis is gone: no mask goes on. */
  override computeMask(): LayerMask {
    return null;
  }
}
