import type { Tensor } from "../backend/tensor.js";
import { isRecording, isTracked, record, withoutRecording } from "../autodiff/tape.js";
import { broadcastTo, reshape } from "./shape.js";
import { divide } from "./elementwise.js";
import { sum } from "./reduction.js";

/**
 * `divide(sum(x), count)` (a float32 x summed over every axis, divided by the number `count`) with
 * the same kernels, so the same value, but one tape entry: its gradient is
 * broadcast(divide(g, count)), which is what the two ops' gradients compose to, without the
 * divide's gradient with respect to the constant `count`. Internal: losses reduce their
 * per-sample values with it ("sum_over_batch_size").
 */
export function sumDivide(x: Tensor, count: number): Tensor {
  const tracked = isRecording() && x.dtype === "float32" && isTracked(x);
  const out = tracked ? withoutRecording(() => divide(sum(x), count)) : divide(sum(x), count);
  if (tracked) {
    const ones = x.shape.map(() => 1);
    record([x], out, (g) => [broadcastTo(reshape(divide(g, count), ones), x.shape)]);
  }
  return out;
}
