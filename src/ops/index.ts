/** `keras.ops`: Keras 3's op names in camelCase, NumPy broadcasting. */
export { convertToTensor, cast, stopGradient, type TensorLike } from "./core.js";
export * from "./creation.js";
export * from "./elementwise.js";
export * from "./reduction.js";
export * from "./shape.js";
export * from "./linalg.js";
export * from "./nn.js";
export { normalize } from "./normalize.js";
export { dotProductAttention, type DotProductAttentionOptions } from "./attention.js";
export { conv, convTranspose, depthwiseConv, separableConv } from "./conv.js";
export { averagePool, maxPool } from "./pooling.js";
export { batchNormalization, moments } from "./batch_normalization.js";
export * as image from "./image.js";

import { setTensorOpHandler } from "../backend/tensor.js";
import { cast, convertToTensor, type TensorLike } from "./core.js";
import { reshape } from "./shape.js";
import { add, subtract } from "./elementwise.js";

// Tensor and Variable methods run these ops (see `TensorOpHandler`).
setTensorOpHandler({
  reshape,
  cast,
  convertToTensor: (x, dtype) => convertToTensor(x as TensorLike, dtype),
  add: (a, b) => add(a, b as TensorLike),
  subtract: (a, b) => subtract(a, b as TensorLike),
});
