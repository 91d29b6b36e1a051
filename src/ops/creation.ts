import { getBackend } from "../backend/backend.js";
import { checkDType, type DType } from "../backend/dtypes.js";
import { checkShape, sizeOf } from "../backend/shape.js";
import { makeTensor, type Tensor } from "../backend/tensor.js";
import { toTensor, type TensorLike } from "./core.js";

export function full(shape: readonly number[], fillValue: number, dtype?: DType): Tensor {
  const s = checkShape(shape, "full");
  const d = dtype === undefined ? (Number.isInteger(fillValue) ? "int32" : "float32") : checkDType(dtype, "full");
  return makeTensor(getBackend().fill(sizeOf(s), fillValue, d), s, d);
}

export function zeros(shape: readonly number[], dtype: DType = "float32"): Tensor {
  return full(shape, 0, dtype);
}

export function ones(shape: readonly number[], dtype: DType = "float32"): Tensor {
  return full(shape, 1, dtype);
}

export function zerosLike(x: TensorLike, dtype?: DType): Tensor {
  const t = toTensor(x, "zerosLike");
  return full(t.shape, 0, dtype ?? t.dtype);
}

export function onesLike(x: TensorLike, dtype?: DType): Tensor {
  const t = toTensor(x, "onesLike");
  return full(t.shape, 1, dtype ?? t.dtype);
}

export function fullLike(x: TensorLike, fillValue: number, dtype?: DType): Tensor {
  const t = toTensor(x, "fullLike");
  return full(t.shape, fillValue, dtype ?? t.dtype);
}
