import { getBackend } from "../backend/backend.js";
import { checkDType, dtypeOfTypedArray, fromValues, isFloatDType, type DType, type TypedArray } from "../backend/dtypes.js";
import { makeTensor, Tensor, type NestedArray } from "../backend/tensor.js";
import { Variable } from "../backend/variable.js";
import { record } from "../autodiff/tape.js";

/** Anything an op accepts where a tensor is expected. */
export type TensorLike = Tensor | Variable | NestedArray | TypedArray;

function inferShapeAndKind(value: NestedArray, where: string): { shape: number[]; hasFraction: boolean; hasBool: boolean; hasNumber: boolean } {
  const shape: number[] = [];
  let probe: NestedArray = value;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  let hasFraction = false;
  let hasBool = false;
  let hasNumber = false;
  const check = (node: NestedArray, axis: number, path: string): void => {
    if (axis === shape.length) {
      if (Array.isArray(node)) throw new Error(`${where}: ragged nested array: element ${path} is an array, expected a scalar (shape so far [${shape.join(",")}])`);
      if (typeof node === "boolean") hasBool = true;
      else if (typeof node === "number") {
        hasNumber = true;
        if (!Number.isInteger(node)) hasFraction = true;
      } else throw new TypeError(`${where}: element ${path} is ${typeof node}, expected a number or boolean`);
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[axis]) {
      throw new Error(`${where}: ragged nested array: element ${path} has ${Array.isArray(node) ? `length ${node.length}` : "no length"}, expected ${shape[axis]}`);
    }
    for (let i = 0; i < node.length; i++) check(node[i], axis + 1, `${path}[${i}]`);
  };
  check(value, 0, "");
  return { shape, hasFraction, hasBool, hasNumber };
}

function flatten(value: NestedArray, out: number[]): void {
  if (Array.isArray(value)) for (const v of value) flatten(v, out);
  else out.push(typeof value === "boolean" ? (value ? 1 : 0) : value);
}

/**
 * Converts nested arrays, typed arrays, numbers, booleans and variables to a tensor. As in Keras,
 * integers become int32, other numbers float32 and booleans bool, unless `dtype` says otherwise.
 * A typed array becomes a 1-d tensor of its own element type (reshape it afterwards).
 */
export function convertToTensor(x: TensorLike, dtype?: DType): Tensor {
  if (dtype !== undefined) checkDType(dtype, "convertToTensor");
  if (x instanceof Tensor) return dtype === undefined || dtype === x.dtype ? x : cast(x, dtype);
  if (x instanceof Variable) return convertToTensor(x.value, dtype);
  if (ArrayBuffer.isView(x)) {
    if (!(x instanceof Float32Array || x instanceof Int32Array || x instanceof Uint8Array)) {
      throw new TypeError(`convertToTensor: unsupported typed array ${(x as object).constructor.name}; use Float32Array, Int32Array or Uint8Array`);
    }
    const own = dtypeOfTypedArray(x);
    const t = makeTensor(x.slice(), [x.length], own);
    return dtype === undefined || dtype === own ? t : cast(t, dtype);
  }
  if (typeof x !== "number" && typeof x !== "boolean" && !Array.isArray(x)) {
    throw new TypeError(`convertToTensor: cannot convert ${x === null ? "null" : typeof x} to a tensor`);
  }
  const { shape, hasFraction, hasBool, hasNumber } = inferShapeAndKind(x, "convertToTensor");
  const inferred: DType = hasBool && !hasNumber ? "bool" : hasFraction ? "float32" : hasNumber ? "int32" : "float32";
  const target = dtype ?? inferred;
  const flat: number[] = [];
  flatten(x, flat);
  return makeTensor(fromValues(flat, target), shape, target);
}

/** Internal shorthand used by every op: a tensor, named in errors by the calling op. */
export function toTensor(x: TensorLike, where: string): Tensor {
  if (x instanceof Tensor) return x;
  try {
    return convertToTensor(x);
  } catch (error) {
    throw new TypeError(`${where}: ${(error as Error).message}`);
  }
}

export function cast(x: TensorLike, dtype: DType): Tensor {
  const t = toTensor(x, "cast");
  checkDType(dtype, "cast");
  if (t.dtype === dtype) return t;
  const out = makeTensor(getBackend().cast(t.storage, dtype), t.shape, dtype);
  if (isFloatDType(t.dtype) && isFloatDType(dtype)) record([t], out, (g) => [g]);
  return out;
}

/** The same values, cut off from gradient flow. */
export function stopGradient(x: TensorLike): Tensor {
  const t = toTensor(x, "stopGradient");
  return makeTensor(t.storage, t.shape, t.dtype);
}
