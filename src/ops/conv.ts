import { fusedKernels, type ConvArgs } from "../backend/backend.js";
import { formatShape } from "../backend/shape.js";
import { makeTensor, type Tensor } from "../backend/tensor.js";
import { cast, toTensor, type TensorLike } from "./core.js";
import { epilogueOf, type EpilogueActivation } from "./epilogue.js";
import { reshape } from "./shape.js";
import { recordWeightedOp } from "./weighted_op_tape.js";
import {
  convTransposeOutputSize, convTransposePaddingBefore, paddingBefore, spatialOf, standardizeDataFormat, standardizePadding,
  windowOutputSize, withSpatial, type DataFormat,
} from "./operation_utils.js";
import { standardizeTuple } from "../utils/argument_validation.js";

/*
 * Convolutions: `keras.ops.conv`, `convTranspose`, `depthwiseConv` and `separableConv` with Keras 3's
 * arguments, and `convBiasActivation`, the one op a conv layer calls. Every one is a single tape
 * entry over the backend's conv kernels (`convForward`, `convBackward`): the forward kernel applies
 * the bias and an epilogue activation in the same pass, and the backward kernel computes the input,
 * kernel and bias gradients together, writing the weight gradients into the buffers autodiff
 * offers. A transposed conv is the conv kernels with their roles swapped (its forward pass is the
 * conv's input gradient).
 */

/** What `convBiasActivation` applies after the conv: an activation function, an epilogue name, or nothing. */
export type ConvActivation = ((x: Tensor) => Tensor) | string | null | undefined;

export interface ConvOptions {
  /** Default 1. */
  strides?: number | readonly number[];
  /** "valid" (default), "same", or "causal" (1 spatial axis: all the padding before). */
  padding?: string;
  /** Default 1. */
  dilationRate?: number | readonly number[];
  /** Feature groups; must equal input channels / the kernel's input channels (which it is checked against). */
  groups?: number;
  dataFormat?: DataFormat | null;
}

function floatTensor(x: TensorLike, op: string): Tensor {
  const t = toTensor(x, op);
  return t.dtype === "float32" ? t : cast(t, "float32");
}

/** The kernel geometry of `conv(x, kernel)`, or an error in Keras's words. */
function convArgs(
  op: string, x: Tensor, kernel: Tensor, stridesArg: unknown, paddingArg: unknown, dataFormatArg: unknown, dilationArg: unknown, groupsArg?: number,
): { args: ConvArgs; outShape: number[] } {
  const dataFormat = standardizeDataFormat(dataFormatArg, op);
  if (x.rank < 3 || x.rank > 5) throw new Error(`${op}: inputs must have rank 3, 4 or 5 (1 to 3 spatial axes plus batch and channels), got shape ${formatShape(x.shape)}`);
  if (kernel.rank !== x.rank) {
    throw new Error(`${op}: the kernel must have the inputs' rank ${x.rank} (spatial axes, input channels, output channels), got shape ${formatShape(kernel.shape)} for inputs of shape ${formatShape(x.shape)}`);
  }
  const n = x.rank - 2;
  const padding = standardizePadding(paddingArg, op, ["valid", "same", "causal"]);
  if (padding === "causal" && n !== 1) throw new Error(`${op}: causal padding is only supported for 1 spatial axis, got inputs of shape ${formatShape(x.shape)}`);
  const strides = standardizeTuple(stridesArg, n, "strides", op);
  const dilations = standardizeTuple(dilationArg, n, "dilation_rate", op);
  const channels = dataFormat === "channels_last" ? x.shape[x.rank - 1] : x.shape[1];
  const kernelIn = kernel.shape[n];
  const outChannels = kernel.shape[n + 1];
  if (kernelIn === 0 || channels % kernelIn !== 0) {
    throw new Error(`${op}: the number of input channels must be evenly divisible by kernel's in_channels. Received input channels ${channels} and kernel in_channels ${kernelIn}.`);
  }
  const groups = channels / kernelIn;
  if (groupsArg !== undefined && groupsArg !== groups) {
    throw new Error(`${op}: groups=${groupsArg} does not match inputs with ${channels} channels and a kernel with ${kernelIn} input channels (which make ${groups} groups)`);
  }
  if (outChannels % groups !== 0) {
    throw new Error(`${op}: the kernel's ${outChannels} output channels cannot be split into ${groups} groups (input channels ${channels} / kernel in_channels ${kernelIn})`);
  }
  const inputSize = spatialOf(x.shape, dataFormat);
  const kernelSize = kernel.shape.slice(0, n);
  const outputSize = inputSize.map((v, i) => windowOutputSize(padding, v, kernelSize[i], strides[i], dilations[i]) as number);
  if (outputSize.some((v) => v <= 0) && x.size > 0) {
    throw new Error(
      `${op}: the convolution would have an empty output (spatial ${formatShape(outputSize)}): the input ${formatShape(x.shape)} is too small for kernel size ${formatShape(kernelSize)}, strides ${formatShape(strides)}, dilation rate ${formatShape(dilations)} and padding "${padding}"`,
    );
  }
  const args: ConvArgs = {
    batch: x.shape[0],
    inChannels: channels,
    outChannels,
    groups,
    inputSize,
    outputSize: outputSize.map((v) => Math.max(v, 0)),
    kernelSize,
    strides,
    dilations,
    padBefore: inputSize.map((v, i) => paddingBefore(padding, v, kernelSize[i], strides[i], dilations[i])),
    channelsFirst: dataFormat === "channels_first",
  };
  return { args, outShape: withSpatial(args.batch, args.outputSize, outChannels, dataFormat) };
}

/** One conv (float32 operands), recorded as one tape entry over the fused kernels. */
function convKernelOp(x: Tensor, kernel: Tensor, bias: Tensor | null, activation: EpilogueActivation, args: ConvArgs, outShape: number[]): Tensor {
  const kernels = fusedKernels();
  const storage = kernels.convForward(x.storage as Float32Array, kernel.storage as Float32Array, bias === null ? null : (bias.storage as Float32Array), args, activation);
  const out = makeTensor(storage, outShape, "float32");
  recordWeightedOp(x, kernel, bias, out, (g, needX, needW, dW, db) => fusedKernels().convBackward(
    g.storage as Float32Array, out.storage as Float32Array, needW ? (x.storage as Float32Array) : null, needX ? (kernel.storage as Float32Array) : null,
    args, activation, needX, dW, db,
  ));
  return out;
}

/**
 * Keras's `ops.conv`: N-d convolution (1 to 3 spatial axes, from the inputs' rank). `inputs` is
 * [batch, ...spatial, channels] (channels_last, the default) or [batch, channels, ...spatial];
 * `kernel` is [...kernelSize, inChannels, outChannels]. An inputs' channel count that is a
 * multiple of the kernel's input channels runs a grouped conv (feature groups), as Keras's JAX
 * backend does. Integer inputs compute in float32.
 *
 *   ops.conv(x, kernel, 1, "same")   // x [32, 28, 28, 1], kernel [3, 3, 1, 16] -> [32, 28, 28, 16]
 */
export function conv(
  inputs: TensorLike, kernel: TensorLike, strides: number | readonly number[] = 1, padding = "valid", dataFormat: DataFormat | null = null,
  dilationRate: number | readonly number[] = 1,
): Tensor {
  const x = floatTensor(inputs, "conv");
  const w = floatTensor(kernel, "conv");
  const { args, outShape } = convArgs("conv", x, w, strides, padding, dataFormat, dilationRate);
  return convKernelOp(x, w, null, "linear", args, outShape);
}

/**
 * `activation(conv(x, kernel) + bias)` in one op: the conv layers' call. The bias and an epilogue
 * activation (linear, relu, sigmoid, tanh, or a function tagged with one) run inside the conv
 * kernel, the backward pass is one kernel too; another activation function runs as its own op
 * on the conv's output. `bias` is [outChannels] or null.
 */
export function convBiasActivation(x: Tensor, kernel: Tensor, bias: Tensor | null, activation: ConvActivation, options: ConvOptions = {}): Tensor {
  const op = "convBiasActivation";
  const epilogue = epilogueOf(activation ?? "linear");
  if (typeof activation === "string" && epilogue === undefined) throw new Error(`${op}: unknown epilogue activation '${activation}'`);
  const after = typeof activation === "function" && epilogue === undefined ? activation : undefined;
  const xf = floatTensor(x, op);
  const w = floatTensor(kernel, op);
  const b = bias === null ? null : floatTensor(bias, op);
  const { args, outShape } = convArgs(op, xf, w, options.strides ?? 1, options.padding ?? "valid", options.dataFormat, options.dilationRate ?? 1, options.groups);
  if (b !== null && (b.rank !== 1 || b.shape[0] !== args.outChannels)) {
    throw new Error(`${op}: bias must have shape (${args.outChannels},), got ${formatShape(b.shape)}`);
  }
  const out = convKernelOp(xf, w, b, epilogue ?? "linear", args, outShape);
  return after === undefined ? out : after(out);
}

/**
 * Keras's `ops.conv_transpose` (a.k.a. deconvolution): the gradient of a conv with respect to its
 * input, as a forward op. `kernel` is [...kernelSize, outChannels, inChannels] (Keras's layout);
 * the output size follows Keras: "valid" (in - 1) * stride + max(kernel, stride), "same"
 * in * stride; `outputPadding` sets the size explicitly ((in - 1) * stride + kernel (% 2 for "same") + outputPadding).
 */
export function convTranspose(
  inputs: TensorLike, kernel: TensorLike, strides: number | readonly number[] = 1, padding = "valid", outputPadding: number | readonly number[] | null = null,
  dataFormat: DataFormat | null = null, dilationRate: number | readonly number[] = 1,
): Tensor {
  const op = "convTranspose";
  const x = floatTensor(inputs, op);
  const w = floatTensor(kernel, op);
  const format = standardizeDataFormat(dataFormat, op);
  if (x.rank < 3 || x.rank > 5) throw new Error(`${op}: inputs must have rank 3, 4 or 5, got shape ${formatShape(x.shape)}`);
  if (w.rank !== x.rank) throw new Error(`${op}: the kernel must have the inputs' rank ${x.rank}, got shape ${formatShape(w.shape)}`);
  const n = x.rank - 2;
  const pad = standardizePadding(padding, op);
  const s = standardizeTuple(strides, n, "strides", op);
  const d = standardizeTuple(dilationRate, n, "dilation_rate", op);
  const outPad = outputPadding === null ? null : standardizeTuple(outputPadding, n, "output_padding", op, true);
  const channels = format === "channels_last" ? x.shape[x.rank - 1] : x.shape[1];
  if (channels !== w.shape[n + 1]) {
    throw new Error(
      `${op}: the number of input channels must match the kernel's input channels. Received: input channels=${channels}, kernel input channels=${w.shape[n + 1]}, data_format='${format}'.`,
    );
  }
  const kernelSize = w.shape.slice(0, n);
  const filters = w.shape[n];
  const inSize = spatialOf(x.shape, format);
  const outSize = inSize.map((v, i) => convTransposeOutputSize(v, kernelSize[i], s[i], pad, outPad === null ? null : outPad[i], d[i]) as number);
  // The conv this op transposes: from the output (its input) back to `inputs` (its output).
  const args: ConvArgs = {
    batch: x.shape[0],
    inChannels: filters,
    outChannels: channels,
    groups: 1,
    inputSize: outSize,
    outputSize: inSize,
    kernelSize,
    strides: s,
    dilations: d,
    padBefore: kernelSize.map((k, i) => convTransposePaddingBefore(k, s[i], pad, outPad === null ? null : outPad[i], d[i])),
    channelsFirst: format === "channels_first",
  };
  const outShape = withSpatial(x.shape[0], outSize, filters, format);
  const grads = fusedKernels().convBackward(x.storage as Float32Array, null, null, w.storage as Float32Array, args, "linear", true, false, false);
  const out = makeTensor(grads.dX!, outShape, "float32");
  // The transpose's gradients are the conv's forward (for x) and its kernel gradient with the roles swapped.
  recordWeightedOp(x, w, null, out, (g, needX, needW, dW) => {
    const kernels = fusedKernels();
    return {
      dX: needX ? kernels.convForward(g.storage as Float32Array, w.storage as Float32Array, null, args, "linear") : null,
      dW: needW ? kernels.convBackward(x.storage as Float32Array, null, g.storage as Float32Array, null, args, "linear", false, dW, false).dW : null,
      db: null,
    };
  });
  return out;
}

/**
 * Keras's `ops.depthwise_conv`: each input channel convolved with its own `multiplier` filters.
 * `kernel` is [...kernelSize, inChannels, multiplier]; the output has inChannels * multiplier
 * channels, channel c * multiplier + m from input channel c.
 */
export function depthwiseConv(
  inputs: TensorLike, kernel: TensorLike, strides: number | readonly number[] = 1, padding = "valid", dataFormat: DataFormat | null = null,
  dilationRate: number | readonly number[] = 1,
): Tensor {
  const op = "depthwiseConv";
  const x = floatTensor(inputs, op);
  const w = floatTensor(kernel, op);
  const format = standardizeDataFormat(dataFormat, op);
  if (w.rank !== x.rank || x.rank < 3) throw new Error(`${op}: the kernel must have the inputs' rank (at least 3), got kernel ${formatShape(w.shape)} for inputs ${formatShape(x.shape)}`);
  const n = x.rank - 2;
  const channels = format === "channels_last" ? x.shape[x.rank - 1] : x.shape[1];
  if (w.shape[n] !== channels) {
    throw new Error(
      `${op}: the number of input channels must match the kernel's input channels. Received: input channels=${channels}, kernel input channels=${w.shape[n]}, data_format='${format}'.`,
    );
  }
  const grouped = reshape(w, [...w.shape.slice(0, n), 1, channels * w.shape[n + 1]]);
  const { args, outShape } = convArgs(op, x, grouped, strides, padding, format, dilationRate);
  return convKernelOp(x, grouped, null, "linear", args, outShape);
}

/**
 * Keras's `ops.separable_conv`: `depthwiseConv` followed by a pointwise (1x1) conv with
 * `pointwiseKernel` [...ones, inChannels * multiplier, outChannels].
 */
export function separableConv(
  inputs: TensorLike, depthwiseKernel: TensorLike, pointwiseKernel: TensorLike, strides: number | readonly number[] = 1, padding = "valid",
  dataFormat: DataFormat | null = null, dilationRate: number | readonly number[] = 1,
): Tensor {
  const depthwise = depthwiseConv(inputs, depthwiseKernel, strides, padding, dataFormat, dilationRate);
  return conv(depthwise, pointwiseKernel, 1, "valid", dataFormat, dilationRate);
}
