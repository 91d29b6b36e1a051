import { BasePooling, poolingArgsOf, type PoolingArgs } from "./base_pooling.js";

/**
 * The mean of each window over [batch, height, width, channels] inputs (channels_last); with "same" padding, of the
 * window's entries inside the input. `new AveragePooling2D(2)`.
 * Keras: `keras.layers.AveragePooling2D(pool_size, strides=None, padding="valid", data_format=None)`.
 */
export class AveragePooling2D extends BasePooling {
  static override className = "AveragePooling2D";

  constructor(poolSize: number | readonly number[], args?: Omit<PoolingArgs, "poolSize">);
  constructor(args: PoolingArgs & { poolSize: number | readonly number[] });
  constructor(first: number | readonly number[] | PoolingArgs, rest: Omit<PoolingArgs, "poolSize"> = {}) {
    super(2, "average", undefined, poolingArgsOf(first, rest));
  }
}
