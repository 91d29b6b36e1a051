import { BaseSeparableConv, type SeparableConvArgs } from "./base_separable_conv.js";
import { filtersArgsOf } from "./conv_layer_base.js";

/**
 * Depthwise-separable 1D convolution over [batch, steps, channels] inputs (channels_last): far fewer weights
 * than a Conv1D of the same window, `new SeparableConv1D(64, 3, { activation: "relu" })`.
 * Keras: `keras.layers.SeparableConv1D(filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1, depth_multiplier=1, ...)`.
 */
export class SeparableConv1D extends BaseSeparableConv {
  static override className = "SeparableConv1D";

  constructor(filters: number, kernelSize: number | readonly number[], args?: Omit<SeparableConvArgs, "filters" | "kernelSize">);
  constructor(args: SeparableConvArgs & { filters: number; kernelSize: number | readonly number[] });
  constructor(first: number | SeparableConvArgs, kernelSize?: number | readonly number[], rest: SeparableConvArgs = {}) {
    super(1, filtersArgsOf(first, kernelSize, rest));
  }
}
