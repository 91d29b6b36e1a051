import { BasePooling, poolingArgsOf, type PoolingArgs } from "./base_pooling.js";

/**
 * The maximum of each window over [batch, height, width, channels] inputs (channels_last):
 * `new MaxPooling2D()` halves each spatial size.
 * Keras: `keras.layers.MaxPooling2D(pool_size=(2, 2), strides=None, padding="valid", data_format=None)`.
 */
export class MaxPooling2D extends BasePooling {
  static override className = "MaxPooling2D";

  constructor(poolSize?: number | readonly number[], args?: Omit<PoolingArgs, "poolSize">);
  constructor(args: PoolingArgs);
  constructor(first?: number | readonly number[] | PoolingArgs, rest: Omit<PoolingArgs, "poolSize"> = {}) {
    super(2, "max", 2, poolingArgsOf(first, rest));
  }
}
