import { BaseDepthwiseConv, depthwiseArgsOf, type DepthwiseConvArgs } from "./base_depthwise_conv.js";

/**
 * Depthwise 2D convolution over [batch, height, width, channels] inputs (channels_last): every channel filtered on
 * its own, `new DepthwiseConv2D(3, { depthMultiplier: 2 })`.
 * Keras: `keras.layers.DepthwiseConv2D(kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1, data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True, ...)`.
 */
export class DepthwiseConv2D extends BaseDepthwiseConv {
  static override className = "DepthwiseConv2D";

  constructor(kernelSize: number | readonly number[], args?: Omit<DepthwiseConvArgs, "kernelSize">);
  constructor(args: DepthwiseConvArgs & { kernelSize: number | readonly number[] });
  constructor(first: number | readonly number[] | DepthwiseConvArgs, rest: DepthwiseConvArgs = {}) {
    super(2, depthwiseArgsOf(first, rest));
  }
}
