import { BaseConv, type ConvArgs } from "./base_conv.js";
import { filtersArgsOf } from "./conv_layer_base.js";

/**
 * 2D convolution over [batch, height, width, channels] inputs (channels_last): `new Conv2D(32, [3, 3], { activation: "relu" })`.
 * Keras: `keras.layers.Conv2D(filters, kernel_size, strides=(1, 1), padding="valid", data_format=None, dilation_rate=(1, 1), groups=1, activation=None, use_bias=True, ...)`.
 */
export class Conv2D extends BaseConv {
  static override className = "Conv2D";

  constructor(filters: number, kernelSize: number | readonly number[], args?: Omit<ConvArgs, "filters" | "kernelSize">);
  constructor(args: ConvArgs & { filters: number; kernelSize: number | readonly number[] });
  constructor(first: number | ConvArgs, kernelSize?: number | readonly number[], rest: ConvArgs = {}) {
    super(2, filtersArgsOf(first, kernelSize, rest));
  }
}
