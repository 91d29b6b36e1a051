import { getBackend } from "../backend/backend.js";
import { makeTensor, type Tensor } from "../backend/tensor.js";
import type { DType } from "../backend/dtypes.js";
import { isRecording, record } from "../autodiff/tape.js";
import { cast, toTensor, type TensorLike } from "./core.js";
import { normalizeAxes, reducedShape } from "./helpers.js";
import { broadcastTo, reshape } from "./shape.js";
import { divide, equal, multiply } from "./elementwise.js";

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

function extremum(op: "max" | "min", x: TensorLike, axis: number | readonly number[] | null | undefined, keepdims: boolean): Tensor {
  const t = toTensor(x, op);
  const axes = normalizeAxes(axis, t.rank, op);
  for (const a of axes) {
    if (t.shape[a] === 0) throw new Error(`${op}: zero-size axis ${a} of a tensor of shape [${t.shape.join(",")}] has no ${op === "max" ? "maximum" : "minimum"}`);
  }
  const outShape = reducedShape(t.shape, axes, keepdims);
  const out = makeTensor(getBackend().reduce(op, t.storage, t.shape, axes, t.dtype), outShape, t.dtype);
  if (isRecording() && t.dtype === "float32") {
    record([t], out, (g) => {
      // Ties share the gradient equally, as TensorFlow does.
      const kept = reducedShape(t.shape, axes, true);
      const isExtreme = cast(equal(t, reshape(out, kept)), "float32");
      const count = sum(isExtreme, axes, true);
      return [multiply(divide(isExtreme, count), reshape(g, kept))];
    });
  }
  return out;
}

export function max(x: TensorLike, axis?: number | readonly number[] | null, keepdims = false): Tensor {
  return extremum("max", x, axis, keepdims);
}

export function min(x: TensorLike, axis?: number | readonly number[] | null, keepdims = false): Tensor {
  return extremum("min", x, axis, keepdims);
}
