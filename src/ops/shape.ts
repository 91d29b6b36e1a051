import { getBackend } from "../backend/backend.js";
import { makeTensor, type Tensor } from "../backend/tensor.js";
import { broadcastShapes, formatShape, shapesEqual, sizeOf } from "../backend/shape.js";
import { isRecording, record } from "../autodiff/tape.js";
import { toTensor, type TensorLike } from "./core.js";
import { unbroadcast } from "./helpers.js";

/** Same elements in a new shape; one entry may be -1 and is inferred. Shares storage. */
export function reshape(x: TensorLike, newShape: readonly number[]): Tensor {
  const t = toTensor(x, "reshape");
  if (!Array.isArray(newShape)) throw new TypeError(`reshape: new shape must be an array of integers, got ${String(newShape)}`);
  const shape = [...newShape];
  const unknown = shape.indexOf(-1);
  if (shape.some((d, i) => !Number.isInteger(d) || d < -1 || (d === -1 && i !== unknown))) {
    throw new RangeError(`reshape: invalid target shape ${formatShape(shape)}: entries must be non-negative integers, with at most one -1`);
  }
  if (unknown >= 0) {
    const known = sizeOf(shape.filter((d) => d !== -1));
    if (known === 0 || t.size % known !== 0) {
      throw new Error(`reshape: cannot reshape tensor of shape ${formatShape(t.shape)} (${t.size} elements) into shape ${formatShape(newShape)}`);
    }
    shape[unknown] = t.size / known;
  }
  if (sizeOf(shape) !== t.size) {
    throw new Error(`reshape: cannot reshape tensor of shape ${formatShape(t.shape)} (${t.size} elements) into shape ${formatShape(newShape)} (${sizeOf(shape)} elements)`);
  }
  if (shapesEqual(shape, t.shape)) return t;
  const out = makeTensor(t.storage, shape, t.dtype);
  if (isRecording()) record([t], out, (g) => [reshape(g, t.shape)]);
  return out;
}

/** Broadcasts to `shape` with NumPy rules (new axes on the left, size-1 axes stretched). */
export function broadcastTo(x: TensorLike, shape: readonly number[]): Tensor {
  const t = toTensor(x, "broadcastTo");
  const target = broadcastShapes(t.shape, shape, "broadcastTo");
  if (!shapesEqual(target, shape)) {
    throw new Error(`broadcastTo: cannot broadcast a tensor of shape ${formatShape(t.shape)} to shape ${formatShape(shape)}`);
  }
  if (shapesEqual(t.shape, shape)) return t;
  const out = makeTensor(getBackend().broadcastTo(t.storage, t.shape, shape), shape, t.dtype);
  if (isRecording()) record([t], out, (g) => [unbroadcast(g, t.shape)]);
  return out;
}

/** Permutes axes; reverses them when `axes` is omitted. */
export function transpose(x: TensorLike, axes?: readonly number[]): Tensor {
  const t = toTensor(x, "transpose");
  const perm = axes === undefined ? t.shape.map((_, i) => t.rank - 1 - i) : axes.map((a) => (a < 0 ? a + t.rank : a));
  const valid = perm.length === t.rank && perm.every((p) => Number.isInteger(p) && p >= 0 && p < t.rank) && new Set(perm).size === t.rank;
  if (!valid) throw new Error(`transpose: axes ${JSON.stringify(axes)} are not a permutation of the ${t.rank} axes of a tensor of shape ${formatShape(t.shape)}`);
  if (perm.every((p, i) => p === i)) return t;
  const outShape = perm.map((p) => t.shape[p]);
  const out = makeTensor(getBackend().transpose(t.storage, t.shape, perm), outShape, t.dtype);
  if (isRecording()) {
    const inverse = new Array<number>(perm.length);
    perm.forEach((p, i) => (inverse[p] = i));
    record([t], out, (g) => [transpose(g, inverse)]);
  }
  return out;
}
