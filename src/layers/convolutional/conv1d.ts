import { BaseConv, type ConvArgs } from "./base_conv.js";
import { filtersArgsOf } from "./conv_layer_base.js";

/**
 * 1D convolution over [batch, steps, channels] inputs (channels_last): `new Conv1D(32, 3, { padding: "causal", activation: "relu" })`. Padding "causal" pads the start only (output t sees inputs up to t).
 * Keras: `keras.layers.Conv1D(filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1, groups=1, activation=None, use_bias=True, ...)`.
 */
export class Conv1D extends BaseConv {
  static override className = "Conv1D";

  constructor(filters: number, kernelSize: number | readonly number[], args?: Omit<ConvArgs, "filters" | "kernelSize">);
  constructor(args: ConvArgs & { filters: number; kernelSize: number | readonly number[] });
  constructor(first: number | ConvArgs, kernelSize?: number | readonly number[], rest: ConvArgs = {}) {
    super(1, filtersArgsOf(first, kernelSize, rest));
  }
}
