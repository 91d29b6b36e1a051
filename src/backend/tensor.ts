import { allocate, checkDType, storageClassName, storageMatches, type DType, type Shape, type TypedArray } from "./dtypes.js";
import { formatShape, sizeOf, stridesOf } from "./shape.js";
import { describeTensor } from "./format.js";
import { cast } from "../ops/core.js";
import { reshape } from "../ops/shape.js";

export type NestedArray = number | boolean | NestedArray[];

let nextTensorId = 0;

/**
 * An immutable n-d array. Its elements live in a typed array (an ArrayBuffer on the CPU backends),
 * so the garbage collector frees it like any JavaScript object: there is nothing to dispose.
 *
 * No method changes a tensor: `reshape`, `astype` and every op return a new one, and `dataSync`,
 * `arraySync` hand out copies.
 */
export class Tensor {
  /** Identity used by autodiff: a tensor's gradient is keyed by it. */
  readonly id: number;
  /** The dimensions, frozen. */
  readonly shape: readonly number[];
  readonly dtype: DType;
  /**
   * The elements, row-major. Owned by the backend: code outside `src/backend/` passes it to
   * kernels and never reads or writes its elements (use `dataSync()` for a copy).
   */
  readonly storage: TypedArray;

  constructor(storage: TypedArray, shape: Shape, dtype: DType) {
    checkDType(dtype, "Tensor");
    if (!storageMatches(storage, dtype)) {
      throw new TypeError(`Tensor: a ${dtype} tensor is stored in a ${storageClassName(dtype)}, got ${(storage as object)?.constructor?.name ?? typeof storage}`);
    }
    if (storage.length !== sizeOf(shape)) {
      throw new Error(`Tensor: ${storage.length} values cannot have shape ${formatShape(shape)} (${sizeOf(shape)} elements)`);
    }
    this.id = nextTensorId++;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.storage = storage;
  }

  /** Number of elements. */
  get size(): number {
    return this.storage.length;
  }

  /** Number of dimensions. */
  get rank(): number {
    return this.shape.length;
  }

  /** Number of dimensions (NumPy's and Keras's name for `rank`). */
  get ndim(): number {
    return this.shape.length;
  }

  /** A copy of the elements as a typed array (Uint8Array of 0/1 for bool). */
  dataSync(): TypedArray {
    return this.storage.slice();
  }

  async data(): Promise<TypedArray> {
    return this.dataSync();
  }

  /** The elements as nested JavaScript arrays (a number or boolean for a rank-0 tensor). */
  arraySync(): NestedArray {
    const values = this.storage;
    const asBool = this.dtype === "bool";
    const shape = this.shape;
    const rank = shape.length;
    if (rank === 0) return asBool ? values[0] !== 0 : values[0];
    const strides = stridesOf(shape);
    const build = (axis: number, offset: number): NestedArray[] => {
      const n = shape[axis];
      const out: NestedArray[] = new Array(n);
      if (axis === rank - 1) {
        if (asBool) for (let i = 0; i < n; i++) out[i] = values[offset + i] !== 0;
        else for (let i = 0; i < n; i++) out[i] = values[offset + i];
      } else {
        for (let i = 0; i < n; i++) out[i] = build(axis + 1, offset + i * strides[axis]);
      }
      return out;
    };
    return build(0, 0);
  }

  async array(): Promise<NestedArray> {
    return this.arraySync();
  }

  /**
   * Same elements, new shape; one dimension may be -1 and is inferred. Takes the shape as an array
   * or as separate numbers: `t.reshape([2, -1])`, `t.reshape(2, -1)`, `t.reshape(-1)`.
   */
  reshape(shape: readonly number[] | number, ...more: number[]): Tensor {
    const target = typeof shape === "number" ? [shape, ...more] : shape;
    if (typeof shape !== "number" && more.length > 0) {
      throw new TypeError("reshape: pass the new shape either as one array or as separate numbers, not both");
    }
    return reshape(this, target);
  }

  /** A copy converted to `dtype` (the same tensor when it already has it). */
  astype(dtype: DType): Tensor {
    return cast(this, checkDType(dtype, "astype"));
  }

  /** The single element of a size-1 tensor as a number (0 or 1 for bool). */
  item(): number {
    if (this.size !== 1) throw new Error(`item: tensor of shape ${formatShape(this.shape)} has ${this.size} elements, expected 1`);
    return this.storage[0];
  }

  /** `Tensor([1. 2.], shape=(2,), dtype=float32)`; the values are printed as NumPy prints them. */
  toString(): string {
    return describeTensor(this.storage, this.shape, this.dtype);
  }

  /** `JSON.stringify` gives the nested values. */
  toJSON(): NestedArray {
    return this.arraySync();
  }

  /** What `console.log(tensor)` and `util.inspect` show. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/** Wraps kernel output; the typed array is taken over, not copied. */
export function makeTensor(storage: TypedArray, shape: Shape, dtype: DType): Tensor {
  return new Tensor(storage, shape, dtype);
}

export function emptyTensor(shape: Shape, dtype: DType): Tensor {
  return new Tensor(allocate(dtype, sizeOf(shape)), shape, dtype);
}
