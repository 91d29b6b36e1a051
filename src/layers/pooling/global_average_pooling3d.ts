import { BaseGlobalAveragePooling, type GlobalPoolingArgs } from "./base_global_pooling.js";

/**
 * The mean of each channel over all positions of [batch, dim1, dim2, dim3, channels] inputs (channels_last).
 * Keras: `keras.layers.GlobalAveragePooling3D(data_format=None, keepdims=False)`.
 */
export class GlobalAveragePooling3D extends BaseGlobalAveragePooling {
  static override className = "GlobalAveragePooling3D";

  constructor(args: GlobalPoolingArgs = {}) {
    super(3, args);
  }
}
