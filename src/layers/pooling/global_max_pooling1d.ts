import { BaseGlobalMaxPooling, type GlobalPoolingArgs } from "./base_global_pooling.js";

/**
 * The maximum of each channel over all positions of [batch, steps, features] inputs (channels_last).
 * Keras: `keras.layers.GlobalMaxPooling1D(data_format=None, keepdims=False)`.
 */
export class GlobalMaxPooling1D extends BaseGlobalMaxPooling {
  static override className = "GlobalMaxPooling1D";

  constructor(args: GlobalPoolingArgs = {}) {
    super(1, args);
  }
}
