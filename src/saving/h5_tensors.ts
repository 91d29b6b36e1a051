/**
 * HDF5 datasets <-> tensors, shared by the `.keras` weights file and the legacy `.h5` format:
 * how Keras stores a variable (its dtype; bool as uint8) and the optimizer's iteration count
 * (an int64 scalar), and how a stored dataset becomes a variable's value.
 */
import { makeTensor, type Tensor } from "../backend/tensor.js";
import type { DType, TypedArray } from "../backend/dtypes.js";
import type { Optimizer, SavedValue } from "../optimizers/optimizer.js";
import type { H5Data, H5Dataset } from "./h5_io.js";

const H5_DTYPE: Record<DType, H5Dataset["dtype"]> = { float32: "float32", int32: "int32", uint8: "uint8", bool: "uint8" };

export function tensorToDataset(value: Tensor): H5Dataset {
  return { shape: [...value.shape], dtype: H5_DTYPE[value.dtype], data: value.dataSync() as H5Data };
}

/** A dataset's values as a tensor of `dtype` (float64 -> float32, int64 -> int32, ...). */
export function datasetToTensor(dataset: H5Dataset, dtype: DType): Tensor {
  const source = dataset.data;
  const numbers = (): ArrayLike<number> => (source instanceof BigInt64Array ? Array.from(source, Number) : (source as ArrayLike<number>));
  let storage: TypedArray;
  if (dtype === "float32") storage = source instanceof Float32Array ? source.slice() : Float32Array.from(numbers());
  else if (dtype === "int32") storage = source instanceof Int32Array ? source.slice() : Int32Array.from(numbers(), (v) => Math.trunc(v));
  else if (dtype === "bool") storage = Uint8Array.from(numbers(), (v) => (v !== 0 ? 1 : 0));
  else storage = source instanceof Uint8Array ? source.slice() : Uint8Array.from(numbers());
  return makeTensor(storage, [...dataset.shape], dtype);
}

/** The optimizer's saved values as datasets: the iteration count as Keras's int64 scalar first. */
export function optimizerDatasets(optimizer: Optimizer): H5Dataset[] {
  return optimizer.saveOwnVariables().map((value, i) =>
    i === 0 ? { shape: [], dtype: "int64", data: BigInt64Array.of(BigInt(Math.round(optimizer.iterations))) } : tensorToDataset(value),
  );
}

/** A stored optimizer value: the iteration count (position 0) as int64, the rest as float32. */
export function optimizerValue(dataset: H5Dataset, position: number): SavedValue {
  if (position > 0) return datasetToTensor(dataset, "float32");
  return dataset.data instanceof BigInt64Array ? dataset.data : BigInt64Array.of(BigInt(Math.round(Number(dataset.data[0] ?? 0))));
}
