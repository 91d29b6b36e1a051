import { formatShape } from "../backend/shape.js";
import type { Tensor } from "../backend/tensor.js";
import { cast } from "./core.js";
import { divide, multiply } from "./elementwise.js";
import { sum } from "./reduction.js";
import { expandDims } from "./shape.js";

/**
 * The mean over the time axis of the steps a mask keeps: Keras's masked GlobalAveragePooling1D,
 * Σ_t x[b, t, :] m[b, t] / Σ_t m[b, t] for x [batch, steps, features] (channels last; `timeAxis`
 * 2 for channels first, x [batch, features, steps]) and a bool mask [batch, steps]. A fully masked
 * sample divides 0 by 0, as in Keras.
 */
export function maskedMean(x: Tensor, mask: Tensor, timeAxis: 1 | 2 = 1, keepdims = false): Tensor {
  if (x.rank !== 3 || mask.rank !== 2 || mask.shape[0] !== x.shape[0] || mask.shape[1] !== x.shape[timeAxis]) {
    throw new Error(`maskedMean: expected inputs of rank 3 and a [batch, steps] mask matching axis ${timeAxis}; got ${formatShape(x.shape)} and ${formatShape(mask.shape)}`);
  }
  const weights = expandDims(cast(mask, x.dtype), timeAxis === 1 ? 2 : 1);
  return divide(sum(multiply(x, weights), timeAxis, keepdims), sum(weights, timeAxis, keepdims));
}
