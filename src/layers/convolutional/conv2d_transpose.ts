import { BaseConvTranspose, type ConvTransposeArgs } from "./base_conv_transpose.js";
import { filtersArgsOf } from "./conv_layer_base.js";

/**
 * Transposed 2D convolution over [batch, height, width, channels] inputs (channels_last):
 * `new Conv2DTranspose(16, 3, { strides: 2, padding: "same" })` doubles each spatial size.
 * Keras: `keras.layers.Conv2DTranspose(filters, kernel_size, strides=1, padding="valid", output_padding=None, data_format=None, dilation_rate=1, ...)`.
 */
export class Conv2DTranspose extends BaseConvTranspose {
  static override className = "Conv2DTranspose";

  constructor(filters: number, kernelSize: number | readonly number[], args?: Omit<ConvTransposeArgs, "filters" | "kernelSize">);
  constructor(args: ConvTransposeArgs & { filters: number; kernelSize: number | readonly number[] });
  constructor(first: number | ConvTransposeArgs, kernelSize?: number | readonly number[], rest: ConvTransposeArgs = {}) {
    super(2, filtersArgsOf(first, kernelSize, rest));
  }
}
