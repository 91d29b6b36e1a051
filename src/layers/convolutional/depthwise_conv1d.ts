import { BaseDepthwiseConv, depthwiseArgsOf, type DepthwiseConvArgs } from "./base_depthwise_conv.js";

/**
 * Depthwise 1D convolution over [batch, steps, channels] inputs (channels_last): every channel filtered on
 * its own, `new DepthwiseConv1D(3, { depthMultiplier: 2 })`.
 * Keras: `keras.layers.DepthwiseConv1D(kernel_size, strides=1, padding="valid", depth_multiplier=1, data_format=None, dilation_rate=1, activation=None, use_bias=True, ...)`.
 */
export class DepthwiseConv1D extends BaseDepthwiseConv {
  static override className = "DepthwiseConv1D";

  constructor(kernelSize: number | readonly number[], args?: Omit<DepthwiseConvArgs, "kernelSize">);
  constructor(args: DepthwiseConvArgs & { kernelSize: number | readonly number[] });
  constructor(first: number | readonly number[] | DepthwiseConvArgs, rest: DepthwiseConvArgs = {}) {
    super(1, depthwiseArgsOf(first, rest));
  }
}
