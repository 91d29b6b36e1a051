import { BasePooling, poolingArgsOf, type PoolingArgs } from "./base_pooling.js";

/**
 * The maximum of each window over [batch, dim1, dim2, dim3, channels] inputs (channels_last):
 * `new MaxPooling3D()` halves each spatial size.
 * Keras: `keras.layers.MaxPooling3D(pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None)`.
 */
export class MaxPooling3D extends BasePooling {
  static override className = "MaxPooling3D";

  constructor(poolSize?: number | readonly number[], args?: Omit<PoolingArgs, "poolSize">);
  constructor(args: PoolingArgs);
  constructor(first?: number | readonly number[] | PoolingArgs, rest: Omit<PoolingArgs, "poolSize"> = {}) {
    super(3, "max", 2, poolingArgsOf(first, rest));
  }
}
