import { allocate, checkDType, storageClassName, storageMatches, type DType, type Shape, type TypedArray } from "./dtypes.js";
import { formatShape, sizeOf, stridesOf } from "./shape.js";
import { describeTensor } from "./format.js";
import { getBackend } from "./backend.js";
import { DeviceArray, deviceReadError } from "./device_array.js";

/**
 * The ops that tensor and variable methods call (`reshape`, `astype`, `assignAdd`, ...), set by
 * `keras.ops` when it loads, as TF.js's `setOpHandler` does: the tensor classes import no op, so
 * the ops (which import them) form no cycle with them.
 */
export interface TensorOpHandler {
  reshape(x: Tensor, shape: readonly number[]): Tensor;
  cast(x: Tensor, dtype: DType): Tensor;
  /** `keras.ops.convertToTensor` for any value an op accepts. */
  convertToTensor(x: unknown, dtype?: DType): Tensor;
  add(a: Tensor, b: unknown): Tensor;
  subtract(a: Tensor, b: unknown): Tensor;
}

let opHandler: TensorOpHandler | undefined;

export function setTensorOpHandler(handler: TensorOpHandler): void {
  opHandler = handler;
}

export function tensorOps(): TensorOpHandler {
  if (opHandler === undefined) throw new Error("keras-ts: keras.ops is not loaded; import keras-ts (or src/ops/index.js) before using tensors");
  return opHandler;
}

export type NestedArray = number | boolean | NestedArray[];

let nextTensorId = 0;

/**
 * Whether a cast from `from` to `to` may be deferred: only where every source value converts
 * exactly (uint8 and bool to float32), so that a kernel reading the source in place of the cast's
 * result computes the same numbers (see `Tensor.storageForConversion`).
 */
export function canDeferCast(from: DType, to: DType): boolean {
  return to === "float32" && (from === "uint8" || from === "bool");
}

/**
 * A cast that runs when its result is first read. The cast tensor and every reshape of it share
 * this object, so the cast runs once however many of them read it, and the source is let go then.
 * Until then, a `uint8` image set cast to float32 costs no float32 memory at all, and an op with a
 * scalar (`divide(x.astype("float32"), 255)`) reads the source directly and writes its one output.
 */
export class DeferredCast {
  readonly length: number;
  private source: TypedArray | undefined;
  private result: TypedArray | undefined;

  constructor(
    source: TypedArray,
    sourceDType: DType,
    readonly dtype: DType,
  ) {
    if (!canDeferCast(sourceDType, dtype) || !storageMatches(source, sourceDType)) {
      throw new TypeError(`DeferredCast: a cast from ${sourceDType} (in a ${(source as object)?.constructor?.name}) to ${dtype} cannot be deferred`);
    }
    this.length = source.length;
    this.source = source;
  }

  /** The source, while the cast has not run. */
  pendingSource(): TypedArray | undefined {
    return this.result === undefined ? this.source : undefined;
  }

  run(): TypedArray {
    if (this.result === undefined) {
      this.result = getBackend().cast(this.source!, this.dtype);
      this.source = undefined;
    }
    return this.result;
  }
}

/**
 * An immutable n-d array. Its elements live in a typed array (an ArrayBuffer on the CPU backends)
 * or, on a device backend (webgpu), in device memory (a `DeviceArray`, whose buffer goes back to
 * the backend's pool when the tensor is garbage collected), so the garbage collector frees it like
 * any JavaScript object: there is nothing to dispose.
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
  /** Number of elements. */
  readonly size: number;
  /** The elements; undefined only while `deferred` has not been read through this tensor. */
  private stored: TypedArray | DeviceArray | undefined;
  private deferred: DeferredCast | undefined;

  /**
   * `storage` is the elements (taken over, not copied): a typed array, a device array (which a
   * device backend's kernel returns where a typed array is declared), or a deferred cast that
   * will make them.
   */
  constructor(storage: TypedArray | DeviceArray | DeferredCast, shape: Shape, dtype: DType) {
    checkDType(dtype, "Tensor");
    const deferred = storage instanceof DeferredCast ? storage : undefined;
    if (deferred !== undefined) {
      if (deferred.dtype !== dtype) throw new TypeError(`Tensor: a deferred cast to ${deferred.dtype} cannot make a ${dtype} tensor`);
    } else if (storage instanceof DeviceArray) {
      if (storage.storageType !== storageClassName(dtype)) throw new TypeError(`Tensor: a ${dtype} tensor is stored in a ${storageClassName(dtype)}, got a device array of ${storage.storageType}`);
    } else if (!storageMatches(storage as TypedArray, dtype)) {
      throw new TypeError(`Tensor: a ${dtype} tensor is stored in a ${storageClassName(dtype)}, got ${(storage as object)?.constructor?.name ?? typeof storage}`);
    }
    const length = storage.length;
    if (length !== sizeOf(shape)) {
      throw new Error(`Tensor: ${length} values cannot have shape ${formatShape(shape)} (${sizeOf(shape)} elements)`);
    }
    // Every tensor assigns the same fields in the same order, so `storage` reads stay monomorphic.
    this.id = nextTensorId++;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.size = length;
    this.stored = deferred === undefined ? (storage as TypedArray | DeviceArray) : undefined;
    this.deferred = deferred;
  }

  /**
   * The elements, row-major, as the active backend's kernels take them. Owned by the backend: code
   * outside `src/backend/` passes it to kernels and never reads or writes its elements (use
   * `dataSync()` for a copy). The first read of a deferred cast runs it. Values on a device are
   * handed out as their `DeviceArray` (typed as a typed array, as the kernels declare) while the
   * backend that made them is active, and read back otherwise.
   */
  get storage(): TypedArray {
    const stored = this.stored;
    if (stored === undefined) return this.runDeferred();
    if (stored instanceof DeviceArray) return stored.owner === getBackend() ? (stored as unknown as TypedArray) : stored.readSync();
    return stored;
  }

  private runDeferred(): TypedArray {
    const stored = this.deferred!.run();
    this.stored = stored;
    this.deferred = undefined;
    return stored;
  }

  /** The elements on the host, for the methods that read them (a device array's throws if they are not there). */
  private hostValues(): TypedArray {
    const stored = this.stored;
    if (stored === undefined) return hostOf(this.runDeferred());
    return stored instanceof DeviceArray ? stored.readSync() : stored;
  }

  /** Whether the values are on a device only, so that a synchronous read would throw (see `data()`). */
  get onDeviceOnly(): boolean {
    const stored = this.stored;
    return stored instanceof DeviceArray && stored.hostCopy() === undefined;
  }

  /**
   * What a kernel that converts its inputs on read takes: the source of a deferred cast that has
   * not run (every value of which converts exactly, so the kernel computes the numbers it would
   * from the cast), else `storage`. Reading it does not run the cast.
   */
  storageForConversion(): TypedArray {
    if (this.stored !== undefined) return this.storage;
    return this.deferred!.pendingSource() ?? this.runDeferred();
  }

  /**
   * The same elements under `shape` (of the same size): shared, not copied, and a deferred cast
   * stays deferred (and shared, so it runs once for both tensors).
   */
  sharedView(shape: Shape): Tensor {
    return new Tensor(this.stored ?? this.deferred!, shape, this.dtype);
  }

  /** Number of dimensions. */
  get rank(): number {
    return this.shape.length;
  }

  /** Number of dimensions (NumPy's and Keras's name for `rank`). */
  get ndim(): number {
    return this.shape.length;
  }

  /**
   * A copy of the elements as a typed array (Uint8Array of 0/1 for bool). On a device backend
   * (webgpu), values still on the GPU cannot be read synchronously: this throws an error that
   * says to `await data()` instead (which also makes later synchronous reads of this tensor work).
   */
  dataSync(): TypedArray {
    return this.hostValues().slice();
  }

  /** A copy of the elements, read back from the device first when they are there (the asynchronous `dataSync`). */
  async data(): Promise<TypedArray> {
    const stored = this.stored;
    if (stored instanceof DeviceArray) return (await stored.read()).slice();
    return this.dataSync();
  }

  /** The elements as nested JavaScript arrays (a number or boolean for a rank-0 tensor). */
  arraySync(): NestedArray {
    const values = this.hostValues();
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

  /** The asynchronous `arraySync`: reads the values back from the device first when they are there. */
  async array(): Promise<NestedArray> {
    const stored = this.stored;
    if (stored instanceof DeviceArray) await stored.read();
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
    return tensorOps().reshape(this, target);
  }

  /** A copy converted to `dtype` (the same tensor when it already has it). */
  astype(dtype: DType): Tensor {
    return tensorOps().cast(this, checkDType(dtype, "astype"));
  }

  /** The single element of a size-1 tensor as a number (0 or 1 for bool). */
  item(): number {
    if (this.size !== 1) throw new Error(`item: tensor of shape ${formatShape(this.shape)} has ${this.size} elements, expected 1`);
    return this.hostValues()[0];
  }

  /**
   * `Tensor([1. 2.], shape=(2,), dtype=float32)`; the values are printed as NumPy prints them
   * (values still on the GPU are not printed: a synchronous read cannot wait for them).
   */
  toString(): string {
    if (this.onDeviceOnly) return `Tensor(<on the GPU: await tensor.data() to read>, shape=(${this.shape.join(", ")}${this.rank === 1 ? "," : ""}), dtype=${this.dtype})`;
    return describeTensor(this.hostValues(), this.shape, this.dtype);
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

/**
 * `source` cast to `dtype` when first read (see `DeferredCast`; `canDeferCast` says which casts
 * qualify). A source on a device is cast there at once.
 */
export function deferredCast(source: Tensor, dtype: DType): Tensor {
  const values = source.storageForConversion();
  if (values instanceof DeviceArray) return new Tensor(getBackend().cast(values, dtype), source.shape, dtype);
  return new Tensor(new DeferredCast(values, source.dtype, dtype), source.shape, dtype);
}

/** A deferred cast's result, which a device backend may have made on the device. */
function hostOf(values: TypedArray): TypedArray {
  return values instanceof DeviceArray ? (values as DeviceArray).readSync() : values;
}

export function emptyTensor(shape: Shape, dtype: DType): Tensor {
  return new Tensor(allocate(dtype, sizeOf(shape)), shape, dtype);
}
