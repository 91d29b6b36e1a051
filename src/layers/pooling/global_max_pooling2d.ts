import { BaseGlobalMaxPooling, type GlobalPoolingArgs } from "./base_global_pooling.js";

/**
 * The maximum of each channel over all positions of [batch, height, width, channels] inputs (channels_last).
 * Keras: `keras.layers.GlobalMaxPooling2D(data_format=None, keepdims=False)`.
 */
export class GlobalMaxPooling2D extends BaseGlobalMaxPooling {
  static override className = "GlobalMaxPooling2D";

  constructor(args: GlobalPoolingArgs = {}) {
    super(2, args);
  }
}
