import type { TypedArray } from "./dtypes.js";

/**
 * Memory that is written in place: variables' own storage (from `writableValue`) and the gradient
 * buffers the training loop reuses every step. A variable given a tensor over such memory (or a
 * reshape of it) copies it, so that no variable's value changes behind its back; a device backend
 * uploads it afresh at every use instead of keeping the upload.
 */
const writtenInPlace = new WeakSet<object>();

/**
 * Marks `storage` as written in place. Tensors over the same memory hold the same typed array
 * (reshapes share it), so the typed array is what is remembered: reading `.buffer` of a small
 * typed array would make V8 move it off its heap, at every assign.
 */
export function markWrittenInPlace(storage: TypedArray): void {
  writtenInPlace.add(storage);
}

export function isWrittenInPlace(storage: TypedArray): boolean {
  return writtenInPlace.has(storage);
}
