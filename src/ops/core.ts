import { getBackend } from "../backend/backend.js";
import { allocate, checkDType, dtypeOfTypedArray, INT_RANGES, isFloatDType, type DType, type TypedArray } from "../backend/dtypes.js";
import { canDeferCast, deferredCast, makeTensor, Tensor, type NestedArray } from "../backend/tensor.js";
import { Variable } from "../backend/variable.js";
import { record } from "../autodiff/tape.js";

/** Anything an op accepts where a tensor is expected. */
export type TensorLike = Tensor | Variable | NestedArray | TypedArray;

/** `[1][0]`-style path of the element at `index` (`the value` at the top level). */
function pathOf(index: readonly number[]): string {
  return index.length === 0 ? "the value" : `element ${index.map((i) => `[${i}]`).join("")}`;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (value instanceof Tensor) return "a Tensor (use ops.stack to combine tensors)";
  if (value instanceof Variable) return "a Variable (use ops.stack on the values to combine them)";
  if (typeof value === "object") return `an object (${(value as object).constructor?.name ?? "Object"})`;
  return `a ${typeof value}`;
}

interface Inferred {
  shape: number[];
  /** Some leaf is a number with a fraction, NaN or ±Infinity. */
  hasNonInteger: boolean;
  /** Some leaf is an integer outside int32. */
  outOfInt32: number | undefined;
  hasBool: boolean;
  hasNumber: boolean;
}

/** Walks a nested array once: its shape (rejecting ragged ones) and which kinds of leaves it holds. */
function inspectNested(value: NestedArray): Inferred {
  const shape: number[] = [];
  let probe: NestedArray = value;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    if (probe.length === 0) break;
    probe = probe[0];
  }
  const out: Inferred = { shape, hasNonInteger: false, outOfInt32: undefined, hasBool: false, hasNumber: false };
  const index: number[] = [];
  const [lo, hi] = INT_RANGES.int32;
  const leaf = (node: unknown): void => {
    if (typeof node === "number") {
      out.hasNumber = true;
      if (!Number.isInteger(node)) out.hasNonInteger = true;
      else if ((node < lo || node > hi) && out.outOfInt32 === undefined) out.outOfInt32 = node;
    } else if (typeof node === "boolean") {
      out.hasBool = true;
    } else if (Array.isArray(node)) {
      throw new Error(`convertToTensor: ragged nested array: ${pathOf(index)} is an array, but earlier elements at that depth are scalars (expected shape [${shape.join(",")}])`);
    } else {
      throw new TypeError(`convertToTensor: ${pathOf(index)} is ${describe(node)}; expected a number or boolean`);
    }
  };
  const visit = (node: NestedArray, axis: number): void => {
    if (axis === shape.length) return leaf(node);
    if (!Array.isArray(node)) {
      throw new Error(`convertToTensor: ragged nested array: ${pathOf(index)} is ${describe(node)}, expected an array of length ${shape[axis]} (expected shape [${shape.join(",")}])`);
    }
    if (node.length !== shape[axis]) {
      throw new Error(`convertToTensor: ragged nested array: ${pathOf(index)} has length ${node.length}, expected ${shape[axis]} (expected shape [${shape.join(",")}])`);
    }
    index.push(0);
    const last = axis === shape.length - 1;
    for (let i = 0; i < node.length; i++) {
      index[axis] = i;
      if (last) leaf(node[i]);
      else visit(node[i], axis + 1);
    }
    index.pop();
  };
  visit(value, 0);
  return out;
}

/** Copies the leaves of a (validated) nested array into a typed array of `dtype`. */
function fillNested(value: NestedArray, shape: readonly number[], dtype: DType, size: number): TypedArray {
  const rank = shape.length;
  const out = allocate(dtype, size);
  const range = dtype === "int32" || dtype === "uint8" ? INT_RANGES[dtype] : undefined;
  let k = 0;
  const store = (v: number | boolean): void => {
    const x = typeof v === "boolean" ? (v ? 1 : 0) : v;
    if (dtype === "float32") out[k] = x;
    else if (dtype === "bool") out[k] = x !== 0 ? 1 : 0;
    else {
      const t = Math.trunc(x);
      if (!Number.isFinite(x) || t < range![0] || t > range![1]) {
        const index: number[] = new Array(rank);
        for (let axis = rank - 1, rest = k; axis >= 0; axis--) {
          index[axis] = rest % shape[axis];
          rest = Math.floor(rest / shape[axis]);
        }
        throw new RangeError(`convertToTensor: ${pathOf(index)} is ${x}, which cannot be stored as ${dtype} (range ${range![0]}..${range![1]})`);
      }
      out[k] = t;
    }
    k++;
  };
  const visit = (node: NestedArray, axis: number): void => {
    if (axis === rank) {
      store(node as number | boolean);
      return;
    }
    const arr = node as NestedArray[];
    if (axis === rank - 1) for (let i = 0; i < arr.length; i++) store(arr[i] as number | boolean);
    else for (let i = 0; i < arr.length; i++) visit(arr[i], axis + 1);
  };
  visit(value, 0);
  return out;
}

/**
 * Converts nested arrays, typed arrays, numbers, booleans and variables to a tensor.
 *
 * - dtype inference, as Keras: all integers give int32, any other number float32, only booleans
 *   bool (booleans mixed with numbers count as 0 and 1); an empty array is float32.
 * - `dtype` converts: fractions truncate toward zero for integer dtypes; a value outside the
 *   integer dtype's range (or NaN, ±Infinity) is an error, as in NumPy 2.
 * - A Float32Array, Int32Array or Uint8Array becomes a 1-d tensor of its own element type (reshape
 *   it afterwards); other typed arrays are rejected.
 * - A tensor is returned as is (cast when `dtype` differs); a variable gives its current value.
 */
export function convertToTensor(x: TensorLike, dtype?: DType): Tensor {
  if (dtype !== undefined) checkDType(dtype, "convertToTensor");
  if (x instanceof Tensor) return dtype === undefined || dtype === x.dtype ? x : cast(x, dtype);
  if (x instanceof Variable) return convertToTensor(x.value, dtype);
  if (ArrayBuffer.isView(x)) {
    if (!(x instanceof Float32Array || x instanceof Int32Array || x instanceof Uint8Array)) {
      throw new TypeError(
        `convertToTensor: unsupported typed array ${(x as object).constructor.name}; use a Float32Array, Int32Array or Uint8Array (e.g. Float32Array.from(values))`,
      );
    }
    const own = dtypeOfTypedArray(x);
    const t = makeTensor(x.slice(), [x.length], own);
    return dtype === undefined || dtype === own ? t : cast(t, dtype);
  }
  if (typeof x !== "number" && typeof x !== "boolean" && !Array.isArray(x)) {
    throw new TypeError(`convertToTensor: cannot convert ${describe(x)} to a tensor; expected a number, boolean, (nested) array, typed array, Tensor or Variable`);
  }
  const info = inspectNested(x);
  let target: DType;
  if (dtype !== undefined) target = dtype;
  else if (info.hasNonInteger) target = "float32";
  else if (info.hasNumber) {
    if (info.outOfInt32 !== undefined) {
      throw new RangeError(`convertToTensor: integer ${info.outOfInt32} does not fit in int32; pass dtype "float32" to store it as a float`);
    }
    target = "int32";
  } else if (info.hasBool) target = "bool";
  else target = "float32";
  let size = 1;
  for (const d of info.shape) size *= d;
  return makeTensor(fillNested(x, info.shape, target, size), info.shape, target);
}

/** Internal shorthand used by every op: a tensor, named in errors by the calling op. */
export function toTensor(x: TensorLike, where: string): Tensor {
  if (x instanceof Tensor) return x;
  try {
    return convertToTensor(x);
  } catch (error) {
    const e = error as Error;
    const message = `${where}: ${e.message.replace(/^convertToTensor: /, "")}`;
    throw e instanceof RangeError ? new RangeError(message) : new TypeError(message);
  }
}

/**
 * Casts of at least this many elements to float32 from uint8 or bool are deferred until their
 * result is read (see `DeferredCast`): `divide(images.astype("float32"), 255)` then never holds
 * the float32 cast next to its quotient. Smaller casts run at once; waiting would save nothing.
 */
export const DEFERRED_CAST_MIN_SIZE = 1 << 20;

/** Converts to `dtype`: floats truncate toward zero when stored as integers, bool is `value != 0`. */
export function cast(x: TensorLike, dtype: DType): Tensor {
  const t = toTensor(x, "cast");
  checkDType(dtype, "cast");
  if (t.dtype === dtype) return t;
  if (t.size >= DEFERRED_CAST_MIN_SIZE && canDeferCast(t.dtype, dtype)) return deferredCast(t, dtype);
  // A deferred float32 cast's exact source converts to `dtype` as its result would.
  const out = makeTensor(getBackend().cast(t.storageForConversion(), dtype), t.shape, dtype);
  if (isFloatDType(t.dtype) && isFloatDType(dtype)) record([t], out, (g) => [g]);
  return out;
}

/** The same values, cut off from gradient flow. */
export function stopGradient(x: TensorLike): Tensor {
  const t = toTensor(x, "stopGradient");
  return t.sharedView(t.shape);
}
