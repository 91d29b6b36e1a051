import { formatShape } from "../backend/shape.js";
import type { SymbolicShape } from "../backend/keras_tensor.js";
import { standardizeTuple } from "../utils/argument_validation.js";

/*
 * Output shapes and padding of the windowed ops (conv, conv transpose, pooling), as Keras's
 * operation_utils and backend_utils compute them: what the ops use, and what layers use to
 * compute their output shapes from symbolic ones (unknown extents as null).
 */

export type DataFormat = "channels_last" | "channels_first";

/** Keras's `standardize_data_format`: null / undefined give "channels_last" (Keras's image_data_format default). */
export function standardizeDataFormat(value: unknown, where: string): DataFormat {
  if (value === undefined || value === null) return "channels_last";
  const v = typeof value === "string" ? value.toLowerCase() : value;
  if (v !== "channels_last" && v !== "channels_first") {
    throw new Error(`${where}: the \`data_format\` argument must be one of {'channels_first', 'channels_last'}. Received: data_format=${JSON.stringify(value)}`);
  }
  return v;
}

export function standardizePadding(value: unknown, where: string, allowed: readonly string[] = ["valid", "same"]): string {
  const v = typeof value === "string" ? value.toLowerCase() : value;
  if (typeof v !== "string" || !allowed.includes(v)) {
    throw new Error(`${where}: \`padding\` must be one of ${allowed.map((a) => `'${a}'`).join(", ")}. Received: padding=${JSON.stringify(value)}`);
  }
  return v;
}

/** The spatial extents of a shape in `dataFormat`. */
export function spatialOf<T>(shape: readonly T[], dataFormat: DataFormat): T[] {
  return dataFormat === "channels_last" ? shape.slice(1, -1) : shape.slice(2);
}

/** A shape from its batch, spatial extents and channels, in `dataFormat`. */
export function withSpatial<T>(batch: T, spatial: readonly T[], channels: T, dataFormat: DataFormat): T[] {
  return dataFormat === "channels_last" ? [batch, ...spatial, channels] : [batch, channels, ...spatial];
}

/**
 * Padding before each axis of a window op (XLA's "SAME": output ceil(in / stride), the total
 * padding split with the smaller half first), 0 for "valid", the whole effective window minus one
 * for "causal".
 */
export function paddingBefore(padding: string, input: number, window: number, stride: number, dilation: number): number {
  const effective = (window - 1) * dilation + 1;
  if (padding === "causal") return effective - 1;
  if (padding !== "same") return 0;
  const output = Math.ceil(input / stride);
  const total = Math.max((output - 1) * stride + effective - input, 0);
  return Math.floor(total / 2);
}

/** Output extent of a window op along one axis (null for an unknown input extent). */
export function windowOutputSize(padding: string, input: number | null, window: number, stride: number, dilation: number): number | null {
  if (input === null) return null;
  if (padding === "valid") return Math.floor((input - (window - 1) * dilation - 1) / stride) + 1;
  return Math.floor((input - 1) / stride) + 1;
}

/**
 * Keras's `compute_conv_output_shape`: the output shape of a conv with `filters` output channels
 * and `kernelSize` window ("valid", "same" or "causal" padding), unknown extents staying null.
 * A known output extent of 0 or less is an error, as in Keras.
 */
export function computeConvOutputShape(
  inputShape: SymbolicShape, filters: number, kernelSize: readonly number[], strides: number | readonly number[] = 1, padding = "valid",
  dataFormat: DataFormat = "channels_last", dilationRate: number | readonly number[] = 1,
): (number | null)[] {
  const where = "computeConvOutputShape";
  const spatial = spatialOf(inputShape, dataFormat);
  if (kernelSize.length !== spatial.length) {
    throw new Error(`Kernel shape must have the same length as input, but received kernel of shape ${formatShape([...kernelSize, dataFormat === "channels_last" ? inputShape[inputShape.length - 1] as number : inputShape[1] as number, filters])} and input of shape ${formatShape(inputShape.map((d) => d ?? -1))}.`);
  }
  const s = standardizeTuple(strides, spatial.length, "strides", where);
  const d = standardizeTuple(dilationRate, spatial.length, "dilation_rate", where);
  const pad = standardizePadding(padding, where, ["valid", "same", "causal"]);
  const out = spatial.map((n, i) => windowOutputSize(pad, n, kernelSize[i], s[i], d[i]));
  if (out.some((v) => v !== null && v <= 0)) {
    throw new Error(
      `Computed output size would be zero or negative. Received \`inputs shape=(${inputShape.map((v) => v ?? "None").join(", ")})\`, \`kernel_size=(${kernelSize.join(", ")})\`, \`dilation_rate=(${d.join(", ")})\`, \`strides=(${s.join(", ")})\`, \`padding=${pad}\`.`,
    );
  }
  return withSpatial(inputShape[0], out, filters, dataFormat);
}

/** Keras's `compute_pooling_output_shape` (strides default to the pool size). */
export function computePoolingOutputShape(
  inputShape: SymbolicShape, poolSize: readonly number[], strides: readonly number[] | null = null, padding = "valid", dataFormat: DataFormat = "channels_last",
): (number | null)[] {
  const where = "computePoolingOutputShape";
  const spatial = spatialOf(inputShape, dataFormat);
  const p = standardizeTuple(poolSize, spatial.length, "pool_size", where);
  const s = strides === null ? p : standardizeTuple(strides, spatial.length, "strides", where);
  const pad = standardizePadding(padding, where);
  const out = spatial.map((n, i) => windowOutputSize(pad, n, p[i], s[i], 1));
  if (out.some((v) => v !== null && v <= 0)) {
    throw new Error(
      `Computed output size would be zero or negative. Received: \`inputs.shape=(${inputShape.map((v) => v ?? "None").join(", ")})\`, \`pool_size=(${p.join(", ")})\`, \`strides=(${s.join(", ")})\`, \`padding=${pad}\`.`,
    );
  }
  const channels = dataFormat === "channels_last" ? inputShape[inputShape.length - 1] : inputShape[1];
  return withSpatial(inputShape[0], out, channels, dataFormat);
}

/**
 * Output extent of a transposed conv along one axis (Keras's `_get_output_shape_given_tf_padding`):
 * "valid": (in - 1) * stride + max(window, stride) (+ output padding in place of the max's excess);
 * "same": in * stride, or (in - 1) * stride + window % 2 + output padding.
 */
export function convTransposeOutputSize(input: number | null, window: number, stride: number, padding: string, outputPadding: number | null, dilation: number): number | null {
  if (input === null) return null;
  const effective = (window - 1) * dilation + 1;
  if (padding === "valid") return (input - 1) * stride + effective + (outputPadding ?? Math.max(effective, stride) - effective);
  return outputPadding === null ? input * stride : (input - 1) * stride + (effective % 2) + outputPadding;
}

/**
 * Keras's JAX padding of a transposed conv ([low, high] of its dilated-input form), as the
 * padding before the input of the conv it transposes: effective window - 1 - low.
 */
export function convTransposePaddingBefore(window: number, stride: number, padding: string, outputPadding: number | null, dilation: number): number {
  const effective = (window - 1) * dilation + 1;
  let low: number;
  if (padding === "valid") {
    low = effective - 1;
  } else {
    const total = outputPadding === null ? stride + effective - 2 : effective + (effective % 2) - 2 + outputPadding;
    low = Math.min(Math.floor(total / 2) + (total % 2), effective - 1);
  }
  return effective - 1 - low;
}

/** Keras's `compute_conv_transpose_output_shape`. */
export function computeConvTransposeOutputShape(
  inputShape: SymbolicShape, kernelSize: readonly number[], filters: number, strides: number | readonly number[], padding: string,
  outputPadding: number | readonly number[] | null = null, dataFormat: DataFormat = "channels_last", dilationRate: number | readonly number[] = 1,
): (number | null)[] {
  const where = "computeConvTransposeOutputShape";
  const spatial = spatialOf(inputShape, dataFormat);
  const n = spatial.length;
  const s = standardizeTuple(strides, n, "strides", where);
  const d = standardizeTuple(dilationRate, n, "dilation_rate", where);
  const op = outputPadding === null ? null : standardizeTuple(outputPadding, n, "output_padding", where, true);
  const pad = standardizePadding(padding, where);
  const out = spatial.map((v, i) => convTransposeOutputSize(v, kernelSize[i], s[i], pad, op === null ? null : op[i], d[i]));
  return withSpatial(inputShape[0], out, filters, dataFormat);
}
