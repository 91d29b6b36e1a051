import { fusedKernels, type PoolArgs } from "../backend/backend.js";
import { formatShape } from "../backend/shape.js";
import { makeTensor, type Tensor } from "../backend/tensor.js";
import { isRecording, record } from "../autodiff/tape.js";
import { cast, toTensor, type TensorLike } from "./core.js";
import { paddingBefore, spatialOf, standardizeDataFormat, standardizePadding, windowOutputSize, withSpatial, type DataFormat } from "./operation_utils.js";
import { standardizeTuple } from "../utils/argument_validation.js";

/*
 * `keras.ops.maxPool` and `averagePool`: one kernel forward, one backward (max pooling sends each
 * gradient to the element its window chose, average pooling spreads it over the window's
 * in-bounds elements), 1 to 3 spatial axes, either data format.
 */

function poolArgs(op: string, x: Tensor, poolSizeArg: unknown, stridesArg: unknown, paddingArg: unknown, dataFormatArg: unknown): { args: PoolArgs; outShape: number[] } {
  const dataFormat = standardizeDataFormat(dataFormatArg, op);
  if (x.rank < 3 || x.rank > 5) throw new Error(`${op}: inputs must have rank 3, 4 or 5 (1 to 3 spatial axes plus batch and channels), got shape ${formatShape(x.shape)}`);
  const n = x.rank - 2;
  const padding = standardizePadding(paddingArg, op);
  const poolSize = standardizeTuple(poolSizeArg, n, "pool_size", op);
  const strides = stridesArg === null || stridesArg === undefined ? poolSize : standardizeTuple(stridesArg, n, "strides", op);
  const inputSize = spatialOf(x.shape, dataFormat);
  const outputSize = inputSize.map((v, i) => windowOutputSize(padding, v, poolSize[i], strides[i], 1) as number);
  if (outputSize.some((v) => v <= 0)) {
    throw new Error(
      `${op}: computed output size would be zero or negative. Received: \`inputs.shape=${formatShape(x.shape)}\`, \`pool_size=${formatShape(poolSize)}\`, \`strides=${formatShape(strides)}\`, \`padding=${padding}\`.`,
    );
  }
  const channels = dataFormat === "channels_last" ? x.shape[x.rank - 1] : x.shape[1];
  const args: PoolArgs = {
    batch: x.shape[0],
    channels,
    inputSize,
    outputSize,
    poolSize,
    strides,
    padBefore: inputSize.map((v, i) => paddingBefore(padding, v, poolSize[i], strides[i], 1)),
    channelsFirst: dataFormat === "channels_first",
  };
  return { args, outShape: withSpatial(args.batch, outputSize, channels, dataFormat) };
}

function floatInput(inputs: TensorLike, op: string): Tensor {
  const t = toTensor(inputs, op);
  return t.dtype === "float32" ? t : cast(t, "float32");
}

/**
 * Keras's `ops.max_pool`: the maximum of each `poolSize` window, moved by `strides` (default: the
 * pool size), over inputs [batch, ...spatial, channels] (channels_last, the default) or
 * [batch, channels, ...spatial]. "same" padding never wins a window.
 */
export function maxPool(
  inputs: TensorLike, poolSize: number | readonly number[], strides: number | readonly number[] | null = null, padding = "valid", dataFormat: DataFormat | null = null,
): Tensor {
  const x = floatInput(inputs, "maxPool");
  const { args, outShape } = poolArgs("maxPool", x, poolSize, strides, padding, dataFormat);
  const out = makeTensor(fusedKernels().maxPoolForward(x.storage as Float32Array, args), outShape, "float32");
  if (isRecording()) {
    record([x], out, (g) => [makeTensor(fusedKernels().maxPoolBackward(g.storage as Float32Array, x.storage as Float32Array, args), x.shape, "float32")]);
  }
  return out;
}

/**
 * Keras's `ops.average_pool`: the mean of each window; with "same" padding, of its elements inside
 * the input only (the padding is not counted).
 */
export function averagePool(
  inputs: TensorLike, poolSize: number | readonly number[], strides: number | readonly number[] | null = null, padding = "valid", dataFormat: DataFormat | null = null,
): Tensor {
  const x = floatInput(inputs, "averagePool");
  const { args, outShape } = poolArgs("averagePool", x, poolSize, strides, padding, dataFormat);
  const out = makeTensor(fusedKernels().avgPoolForward(x.storage as Float32Array, args), outShape, "float32");
  if (isRecording()) {
    record([x], out, (g) => [makeTensor(fusedKernels().avgPoolBackward(g.storage as Float32Array, args), x.shape, "float32")]);
  }
  return out;
}
