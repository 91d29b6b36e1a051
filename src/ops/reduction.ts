import { getBackend } from "../backend/backend.js";
import { makeTensor, type Tensor } from "../backend/tensor.js";
import type { DType } from "../backend/dtypes.js";
import { isRecording, record } from "../autodiff/tape.js";
import { toTensor, type TensorLike } from "./core.js";
import { normalizeAxes, reducedShape } from "./helpers.js";
import { broadcastTo, reshape } from "./shape.js";
import { divide } from "./elementwise.js";

export interface ReduceOptions {
  /** Axis or axes to reduce; all axes when omitted or null. Negative axes count from the end. */
  axis?: number | readonly number[] | null;
  keepdims?: boolean;
}

/** Sum of bool and uint8 counts in int32, as NumPy does; other dtypes keep theirs. */
function sumDType(dtype: DType): DType {
  return dtype === "bool" || dtype === "uint8" ? "int32" : dtype;
}

export function sum(x: TensorLike, axis?: number | readonly number[] | null, keepdims = false): Tensor {
  const t = toTensor(x, "sum");
  const axes = normalizeAxes(axis, t.rank, "sum");
  const outShape = reducedShape(t.shape, axes, keepdims);
  const outDtype = sumDType(t.dtype);
  const out = makeTensor(getBackend().reduce("sum", t.storage, t.shape, axes, outDtype), outShape, outDtype);
  if (isRecording() && t.dtype === "float32") {
    record([t], out, (g) => [broadcastTo(reshape(g, reducedShape(t.shape, axes, true)), t.shape)]);
  }
  return out;
}

/** Arithmetic mean; integer inputs give float32. */
export function mean(x: TensorLike, axis?: number | readonly number[] | null, keepdims = false): Tensor {
  const t = toTensor(x, "mean");
  const axes = normalizeAxes(axis, t.rank, "mean");
  let count = 1;
  for (const a of axes) count *= t.shape[a];
  return divide(sum(t.dtype === "float32" ? t : t.astype("float32"), axes, keepdims), count);
}
