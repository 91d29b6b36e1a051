import { getBackend } from "../backend/backend.js";
import { makeTensor, type Tensor } from "../backend/tensor.js";
import { broadcastShapes, formatShape, sizeOf } from "../backend/shape.js";
import { resultType } from "../backend/dtypes.js";
import { isRecording, record } from "../autodiff/tape.js";
import { cast, toTensor, type TensorLike } from "./core.js";
import { broadcastTo, reshape } from "./shape.js";
import { unbroadcast } from "./helpers.js";

/**
 * Matrix product with NumPy semantics: 1-d operands are promoted to a row / column and the added
 * axis removed afterwards; leading (batch) axes broadcast.
 */
export function matmul(x: TensorLike, y: TensorLike): Tensor {
  let a = toTensor(x, "matmul");
  let b = toTensor(y, "matmul");
  if (a.rank === 0 || b.rank === 0) {
    throw new Error(`matmul: operands must have rank >= 1, got ${formatShape(a.shape)} @ ${formatShape(b.shape)}`);
  }
  const dtype = resultType(a.dtype, b.dtype) === "float32" ? "float32" : "int32";
  if (a.dtype !== dtype) a = cast(a, dtype);
  if (b.dtype !== dtype) b = cast(b, dtype);
  const aVector = a.rank === 1;
  const bVector = b.rank === 1;
  const a2 = aVector ? reshape(a, [1, a.shape[0]]) : a;
  const b2 = bVector ? reshape(b, [b.shape[0], 1]) : b;
  const m = a2.shape[a2.rank - 2];
  const k = a2.shape[a2.rank - 1];
  const k2 = b2.shape[b2.rank - 2];
  const n = b2.shape[b2.rank - 1];
  if (k !== k2) throw new Error(`matmul: inner dimensions differ: ${formatShape(a.shape)} @ ${formatShape(b.shape)}`);
  const aBatch = a2.shape.slice(0, -2);
  const bBatch = b2.shape.slice(0, -2);
  let batchShape: number[];
  try {
    batchShape = broadcastShapes(aBatch, bBatch, "matmul");
  } catch {
    throw new Error(`matmul: batch dimensions cannot be broadcast: ${formatShape(a.shape)} @ ${formatShape(b.shape)}`);
  }
  const batch = sizeOf(batchShape);
  // A single matrix on one side is reused for every batch (stride 0); other mismatches materialize.
  const aFull = sizeOf(aBatch) === 1 ? a2 : broadcastTo(a2, [...batchShape, m, k]);
  const bFull = sizeOf(bBatch) === 1 ? b2 : broadcastTo(b2, [...batchShape, k, n]);
  const storage = getBackend().matmul(aFull.storage, bFull.storage, {
    batch, m, n, k, transA: false, transB: false,
    aBatchStride: sizeOf(aBatch) === 1 ? 0 : m * k,
    bBatchStride: sizeOf(bBatch) === 1 ? 0 : k * n,
  });
  const fullShape = [...batchShape, m, n];
  let out = makeTensor(storage, fullShape, dtype);
  if (isRecording() && dtype === "float32") {
    record([a2, b2], out, (g) => [
      unbroadcast(matmulTransposed(g, b2, false, true), a2.shape),
      unbroadcast(matmulTransposed(a2, g, true, false), b2.shape),
    ]);
  }
  if (aVector || bVector) {
    const finalShape = [...batchShape, ...(aVector ? [] : [m]), ...(bVector ? [] : [n])];
    out = reshape(out, finalShape);
  }
  return out;
}

/**
 * `op(a) @ op(b)` where op transposes the last two axes when asked, without materializing the
 * transpose; used by matmul's own VJP and by layers that want a transposed weight.
 */
export function matmulTransposed(x: TensorLike, y: TensorLike, transA: boolean, transB: boolean): Tensor {
  const a = toTensor(x, "matmul");
  const b = toTensor(y, "matmul");
  const m = transA ? a.shape[a.rank - 1] : a.shape[a.rank - 2];
  const k = transA ? a.shape[a.rank - 2] : a.shape[a.rank - 1];
  const k2 = transB ? b.shape[b.rank - 1] : b.shape[b.rank - 2];
  const n = transB ? b.shape[b.rank - 2] : b.shape[b.rank - 1];
  if (k !== k2) throw new Error(`matmul: inner dimensions differ: ${formatShape(a.shape)} @ ${formatShape(b.shape)} (transA=${transA}, transB=${transB})`);
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  const batchShape = broadcastShapes(aBatch, bBatch, "matmul");
  const batch = sizeOf(batchShape);
  const aFull = sizeOf(aBatch) === 1 ? a : broadcastTo(a, [...batchShape, ...a.shape.slice(-2)]);
  const bFull = sizeOf(bBatch) === 1 ? b : broadcastTo(b, [...batchShape, ...b.shape.slice(-2)]);
  const storage = getBackend().matmul(aFull.storage, bFull.storage, {
    batch, m, n, k, transA, transB,
    aBatchStride: sizeOf(aBatch) === 1 ? 0 : m * k,
    bBatchStride: sizeOf(bBatch) === 1 ? 0 : k * n,
  });
  const out = makeTensor(storage, [...batchShape, m, n], a.dtype);
  if (isRecording() && a.dtype === "float32") {
    record([a, b], out, (g) => {
      // d(op(A)) = g @ op(B)^T and d(op(B)) = op(A)^T @ g, then undo op on each side.
      const gA = transA ? matmulTransposed(b, g, transB, true) : matmulTransposed(g, b, false, !transB);
      const gB = transB ? matmulTransposed(g, a, true, transA) : matmulTransposed(a, g, !transA, false);
      return [unbroadcast(gA, a.shape), unbroadcast(gB, b.shape)];
    });
  }
  return out;
}
