import { BaseGlobalAveragePooling, type GlobalPoolingArgs } from "./base_global_pooling.js";

/**
 * The mean of each channel over all positions of [batch, height, width, channels] inputs (channels_last).
 * Keras: `keras.layers.GlobalAveragePooling2D(data_format=None, keepdims=False)`.
 */
export class GlobalAveragePooling2D extends BaseGlobalAveragePooling {
  static override className = "GlobalAveragePooling2D";

  constructor(args: GlobalPoolingArgs = {}) {
    super(2, args);
  }
}
