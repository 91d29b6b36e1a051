import { BasePooling, poolingArgsOf, type PoolingArgs } from "./base_pooling.js";

/**
 * The mean of each window over [batch, steps, channels] inputs (channels_last); with "same" padding, of the
 * window's entries inside the input. `new AveragePooling1D(2)`.
 * Keras: `keras.layers.AveragePooling1D(pool_size, strides=None, padding="valid", data_format=None)`.
 */
export class AveragePooling1D extends BasePooling {
  static override className = "AveragePooling1D";

  constructor(poolSize: number | readonly number[], args?: Omit<PoolingArgs, "poolSize">);
  constructor(args: PoolingArgs & { poolSize: number | readonly number[] });
  constructor(first: number | readonly number[] | PoolingArgs, rest: Omit<PoolingArgs, "poolSize"> = {}) {
    super(1, "average", undefined, poolingArgsOf(first, rest));
  }
}
