import { BaseConv, type ConvArgs } from "./base_conv.js";
import { filtersArgsOf } from "./conv_layer_base.js";

/**
 * 3D convolution over [batch, dim1, dim2, dim3, channels] inputs (channels_last): `new Conv3D(8, 3, { padding: "same" })`.
 * Keras: `keras.layers.Conv3D(filters, kernel_size, strides=(1, 1, 1), padding="valid", data_format=None, dilation_rate=(1, 1, 1), groups=1, activation=None, use_bias=True, ...)`.
 */
export class Conv3D extends BaseConv {
  static override className = "Conv3D";

  constructor(filters: number, kernelSize: number | readonly number[], args?: Omit<ConvArgs, "filters" | "kernelSize">);
  constructor(args: ConvArgs & { filters: number; kernelSize: number | readonly number[] });
  constructor(first: number | ConvArgs, kernelSize?: number | readonly number[], rest: ConvArgs = {}) {
    super(3, filtersArgsOf(first, kernelSize, rest));
  }
}
