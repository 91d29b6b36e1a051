import { BaseConvTranspose, type ConvTransposeArgs } from "./base_conv_transpose.js";
import { filtersArgsOf } from "./conv_layer_base.js";

/**
 * Transposed 3D convolution over [batch, dim1, dim2, dim3, channels] inputs (channels_last):
 * `new Conv3DTranspose(16, 3, { strides: 2, padding: "same" })` doubles each spatial size.
 * Keras: `keras.layers.Conv3DTranspose(filters, kernel_size, strides=1, padding="valid", output_padding=None, data_format=None, dilation_rate=1, ...)`.
 */
export class Conv3DTranspose extends BaseConvTranspose {
  static override className = "Conv3DTranspose";

  constructor(filters: number, kernelSize: number | readonly number[], args?: Omit<ConvTransposeArgs, "filters" | "kernelSize">);
  constructor(args: ConvTransposeArgs & { filters: number; kernelSize: number | readonly number[] });
  constructor(first: number | ConvTransposeArgs, kernelSize?: number | readonly number[], rest: ConvTransposeArgs = {}) {
    super(3, filtersArgsOf(first, kernelSize, rest));
  }
}
