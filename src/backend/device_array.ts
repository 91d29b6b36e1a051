import type { TypedArray } from "./dtypes.js";

/**
 * Elements that live in a device's memory (a GPU buffer), made by a device backend (webgpu): a
 * tensor's storage while its values are on the device. A device backend's kernels take and return
 * these in place of typed arrays, so data stays on the device between ops; the ops pass them along
 * without looking inside (`Tensor.storage` hands one out only while the backend that made it is
 * the active one, and reads it back for any other).
 *
 * Reading the values back is asynchronous on every device API (WebGPU's `mapAsync`): `read()` is
 * the way. `readSync()` succeeds only once the values are on the host (read before, or uploaded
 * from there); otherwise it throws an error that says to `await tensor.data()`.
 */
export abstract class DeviceArray {
  /** Number of elements. */
  abstract readonly length: number;
  /** The typed array that holds these elements on the host. */
  abstract readonly storageType: "Float32Array" | "Int32Array" | "Uint8Array";
  /** The backend whose kernels take this array as it is. */
  abstract readonly owner: object;

  /** The values on the host, if they are there already (a read, or the upload's source). */
  abstract hostCopy(): TypedArray | undefined;

  /** The values on the host; throws (naming `await tensor.data()`) when they would have to be read back. */
  abstract readSync(): TypedArray;

  /** The values on the host, read back from the device when needed (and kept). */
  abstract read(): Promise<TypedArray>;

  /** A copy on the device (the `slice()` of a typed array, which variables use to own their storage). */
  abstract slice(): DeviceArray;

  /** Overwrites these elements with `source`'s (the same length), on the device. */
  abstract set(source: TypedArray | DeviceArray): void;
}

/**
 * The error of a synchronous read of values that are only on the device: JavaScript cannot wait
 * for a GPU readback without returning to the event loop.
 */
export function deviceReadError(backend: string, what: string): Error {
  return new Error(
    `keras-ts: ${what} needs the values of a tensor that is on the GPU (${backend} backend), and JavaScript cannot wait for a GPU ` +
      "readback synchronously. Read it with `await tensor.data()` or `await tensor.array()` (after which dataSync(), arraySync() and item() " +
      "work on that tensor), or `await keras.backend.readback(tensors)` for several at once.",
  );
}

// Element 0 of a device array is read only by code that mistook it for a typed array: a loud
// error rather than `undefined` silently turning into NaN or 0.
Object.defineProperty(DeviceArray.prototype, 0, {
  get(this: DeviceArray): never {
    throw new Error(
      "keras-ts: internal error: element 0 of a device array (a tensor's storage on the GPU) was read as if it were a typed array; " +
        "read tensor values with dataSync() / await data()",
    );
  },
});
