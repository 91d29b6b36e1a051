import { BaseGlobalMaxPooling, type GlobalPoolingArgs } from "./base_global_pooling.js";

/**
 * The maximum of each channel over all positions of [batch, dim1, dim2, dim3, channels] inputs (channels_last).
 * Keras: `keras.layers.GlobalMaxPooling3D(data_format=None, keepdims=False)`.
 */
export class GlobalMaxPooling3D extends BaseGlobalMaxPooling {
  static override className = "GlobalMaxPooling3D";

  constructor(args: GlobalPoolingArgs = {}) {
    super(3, args);
  }
}
