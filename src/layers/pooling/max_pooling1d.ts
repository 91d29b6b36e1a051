import { BasePooling, poolingArgsOf, type PoolingArgs } from "./base_pooling.js";

/**
 * The maximum of each window over [batch, steps, channels] inputs (channels_last):
 * `new MaxPooling1D()` halves each spatial size.
 * Keras: `keras.layers.MaxPooling1D(pool_size=2, strides=None, padding="valid", data_format=None)`.
 */
export class MaxPooling1D extends BasePooling {
  static override className = "MaxPooling1D";

  constructor(poolSize?: number | readonly number[], args?: Omit<PoolingArgs, "poolSize">);
  constructor(args: PoolingArgs);
  constructor(first?: number | readonly number[] | PoolingArgs, rest: Omit<PoolingArgs, "poolSize"> = {}) {
    super(1, "max", 2, poolingArgsOf(first, rest));
  }
}
