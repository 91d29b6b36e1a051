import type { Tensor } from "../../backend/tensor.js";
import * as ops from "../../ops/index.js";

// Stand-in for keras.ops.moments until it lands (branch conv).
export function moments(x: Tensor, axes: number[], keepdims = false): [Tensor, Tensor] {
  const mean = ops.mean(x, axes, true);
  const variance = ops.mean(ops.square(ops.subtract(x, mean)), axes, true);
  return keepdims ? [mean, variance] : [ops.squeeze(mean, axes), ops.squeeze(variance, axes)];
}
