import { allocate, checkDType, type DType, type Shape, type TypedArray } from "./dtypes.js";
import { formatShape, sizeOf, stridesOf } from "./shape.js";
import { formatTensor } from "./format.js";
import { cast } from "../ops/core.js";
import { reshape } from "../ops/shape.js";

export type NestedArray = number | boolean | NestedArray[];

let nextTensorId = 0;

/**
 * An immutable n-d array. Its elements live in a typed array (an ArrayBuffer on the CPU backends),
 * so the garbage collector frees it like any JavaScript object: there is nothing to dispose.
 */
export class Tensor {
  /** Identity used by autodiff: a tensor's gradient is keyed by it. */
  readonly id: number;
  readonly shape: readonly number[];
  readonly dtype: DType;
  /**
   * The elements, row-major. Owned by the backend: code outside `src/backend/` passes it to
   * kernels and never reads or writes its elements.
   */
  readonly storage: TypedArray;

  constructor(storage: TypedArray, shape: Shape, dtype: DType) {
    if (storage.length !== sizeOf(shape)) {
      throw new Error(`Tensor: ${storage.length} values cannot have shape ${formatShape(shape)} (${sizeOf(shape)} elements)`);
    }
    this.id = nextTensorId++;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.storage = storage;
  }

  get size(): number {
    return this.storage.length;
  }

  get rank(): number {
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
    if (shape.length === 0) return asBool ? values[0] !== 0 : values[0];
    const strides = stridesOf(shape);
    const build = (axis: number, offset: number): NestedArray[] => {
      const out: NestedArray[] = new Array(shape[axis]);
      for (let i = 0; i < shape[axis]; i++) {
        const at = offset + i * strides[axis];
        out[i] = axis === shape.length - 1 ? (asBool ? values[at] !== 0 : values[at]) : build(axis + 1, at);
      }
      return out;
    };
    return build(0, 0);
  }

  async array(): Promise<NestedArray> {
    return this.arraySync();
  }

  /** Same elements, new shape; one dimension may be -1 and is inferred. */
  reshape(shape: readonly number[]): Tensor {
    return reshape(this, shape);
  }

  astype(dtype: DType): Tensor {
    return cast(this, checkDType(dtype, "astype"));
  }

  /** The single element of a size-1 tensor as a number. */
  item(): number {
    if (this.size !== 1) throw new Error(`item: tensor of shape ${formatShape(this.shape)} has ${this.size} elements, expected 1`);
    return this.storage[0];
  }

  toString(): string {
    return `${formatTensor(this.storage, this.shape, this.dtype)}, shape=(${this.shape.join(", ")}${this.shape.length === 1 ? "," : ""}), dtype=${this.dtype}`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `Tensor(${this.toString()})`;
  }
}

/** Wraps kernel output; the typed array is taken over, not copied. */
export function makeTensor(storage: TypedArray, shape: Shape, dtype: DType): Tensor {
  return new Tensor(storage, shape, dtype);
}

export function emptyTensor(shape: Shape, dtype: DType): Tensor {
  return new Tensor(allocate(dtype, sizeOf(shape)), shape, dtype);
}
