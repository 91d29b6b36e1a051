import { getBackend, type AdamUpdateArgs, type DenseActivation, type RMSpropUpdateArgs, type SGDUpdateArgs } from "../backend/backend.js";
import { formatShape, shapesEqual } from "../backend/shape.js";
import { makeTensor, type Tensor } from "../backend/tensor.js";
import { markWrittenInPlace } from "../backend/variable.js";
import { isRecording, isTracked, record, withoutRecording } from "../autodiff/tape.js";
import { cast } from "./core.js";
import { broadcastTo, expandDims, reshape } from "./shape.js";
import { divide, multiply, negative } from "./elementwise.js";
import { sum } from "./reduction.js";

/*
 * Internal fused ops for the training fast path: one kernel forward and one kernel backward in
 * place of a chain of ops and their VJPs. Not part of `keras.ops` (Keras has no such names);
 * layers and losses call them.
 */

export type { DenseActivation } from "../backend/backend.js";

/**
 * Softmax outputs (over their last axis) mapped to their logits, as Keras's TensorFlow backend
 * keeps `output._keras_logits`: a cross-entropy given the probabilities computes from the logits.
 * Tensors are immutable, so the link stays true; a WeakMap lets both be collected.
 */
const softmaxLogitsLink = new WeakMap<Tensor, Tensor>();

/** Called by `softmax` over the last axis: `probabilities = softmax(logits, -1)`. */
export function linkSoftmaxLogits(probabilities: Tensor, logits: Tensor): void {
  softmaxLogitsLink.set(probabilities, logits);
}

/** The logits `probabilities` were computed from by a last-axis softmax, if they were. */
export function softmaxLogits(probabilities: Tensor): Tensor | undefined {
  return softmaxLogitsLink.get(probabilities);
}

function requireFloat(t: Tensor, what: string, op: string): void {
  if (t.dtype !== "float32") throw new TypeError(`${op}: ${what} must be float32, got ${t.dtype}`);
}

/*
 * Gradient buffers the training loop lends for one step: the gradient of a weight (its value
 * tensor) is written into the buffer instead of a fresh array, so a step allocates no weight
 * gradients. A buffer is taken once (a weight used twice gets a fresh array the second time, which
 * the tape adds to the first), and the loop withdraws them all after the optimizer has read the
 * gradients: the tensors wrapping them must not outlive the step.
 */
const lentGradientBuffers = new Map<number, Float32Array>(); // by Tensor.id

/**
 * Lends the memory of `buffers[i]` (float32 tensors of `weights[i]`'s size, that the caller owns)
 * for the gradient of `weights[i]` in the next backward pass.
 */
export function lendGradientBuffers(weights: readonly Tensor[], buffers: readonly Tensor[]): void {
  weights.forEach((w, i) => {
    const buffer = buffers[i];
    if (w.dtype !== "float32" || buffer.dtype !== "float32" || buffer.size !== w.size) return;
    markWrittenInPlace(buffer.storage);
    lentGradientBuffers.set(w.id, buffer.storage as Float32Array);
  });
}

/** Withdraws every buffer lent and not yet taken. */
export function withdrawGradientBuffers(): void {
  lentGradientBuffers.clear();
}

function takeGradientBuffer(weight: Tensor): Float32Array | undefined {
  const buffer = lentGradientBuffers.get(weight.id);
  if (buffer !== undefined) lentGradientBuffers.delete(weight.id);
  return buffer;
}

/**
 * `activation(x @ kernel + bias)` over the last axis of `x` ([..., k] against kernel [k, n], bias
 * [n] or null), as one kernel; the gradient is one kernel too, and skips the input gradient when no
 * gradient can reach `x` (a model's first layer). All operands float32.
 */
export function fusedDense(x: Tensor, kernel: Tensor, bias: Tensor | null, activation: DenseActivation): Tensor {
  const op = "fusedDense";
  requireFloat(x, "x", op);
  requireFloat(kernel, "kernel", op);
  if (bias !== null) requireFloat(bias, "bias", op);
  if (kernel.rank !== 2 || x.rank < 1 || x.shape[x.rank - 1] !== kernel.shape[0]) {
    throw new Error(`${op}: cannot multiply x of shape ${formatShape(x.shape)} by a kernel of shape ${formatShape(kernel.shape)}`);
  }
  const [k, n] = kernel.shape;
  if (bias !== null && (bias.rank !== 1 || bias.shape[0] !== n)) {
    throw new Error(`${op}: bias must have shape (${n},), got ${formatShape(bias.shape)}`);
  }
  let m = 1;
  for (let i = 0; i < x.rank - 1; i++) m *= x.shape[i];
  const backend = getBackend();
  const storage = backend.denseForward(x.storage as Float32Array, kernel.storage as Float32Array, bias === null ? null : (bias.storage as Float32Array), m, k, n, activation);
  const out = makeTensor(storage, [...x.shape.slice(0, -1), n], "float32");
  if (isRecording()) {
    const needX = isTracked(x);
    const needW = isTracked(kernel);
    const needB = bias !== null && isTracked(bias);
    if (needX || needW || needB) {
      const inputs = bias === null ? [x, kernel] : [x, kernel, bias];
      record(inputs, out, (g) => {
        const grads = getBackend().denseBackward(
          g.storage as Float32Array, out.storage as Float32Array, x.storage as Float32Array, kernel.storage as Float32Array,
          m, k, n, activation, needX, needW && (takeGradientBuffer(kernel) ?? true), needB && (takeGradientBuffer(bias!) ?? true),
        );
        const result: (Tensor | null)[] = [
          grads.dX === null ? null : makeTensor(grads.dX, x.shape, "float32"),
          grads.dW === null ? null : makeTensor(grads.dW, kernel.shape, "float32"),
        ];
        if (bias !== null) result.push(grads.db === null ? null : makeTensor(grads.db, bias.shape, "float32"));
        return result;
      });
    }
  }
  return out;
}

/**
 * Per-sample softmax cross-entropy from `logits` along their last axis: the result has the logits'
 * shape without it. `target` is either class indices (`sparse`; the logits' shape without the last
 * axis, any dtype, truncated to int32; indices outside [0, classes) give loss 0) or one-hot / soft
 * targets of the logits' shape (float32). Equals -sum(target * logSoftmax(logits), -1) with one
 * kernel each way; the gradient with respect to the logits is (softmax * sum(target) - target) * g.
 */
export function softmaxCrossEntropyWithLogits(target: Tensor, logits: Tensor, sparse: boolean): Tensor {
  const op = "softmaxCrossEntropyWithLogits";
  requireFloat(logits, "logits", op);
  if (logits.rank < 1) throw new Error(`${op}: logits must have a class axis, got a scalar`);
  const cols = logits.shape[logits.rank - 1];
  const outShape = logits.shape.slice(0, -1);
  let labels: Int32Array | null = null;
  let dense: Float32Array | null = null;
  let t = target;
  if (sparse) {
    if (!shapesEqual(t.shape, outShape)) throw new Error(`${op}: sparse labels must have shape ${formatShape(outShape)}, got ${formatShape(t.shape)}`);
    if (t.dtype !== "int32") t = cast(t, "int32");
    labels = t.storage as Int32Array;
  } else {
    requireFloat(t, "dense targets", op);
    if (!shapesEqual(t.shape, logits.shape)) throw new Error(`${op}: targets of shape ${formatShape(t.shape)} do not match logits of shape ${formatShape(logits.shape)}`);
    dense = t.storage as Float32Array;
  }
  const rows = cols === 0 ? t.size : logits.size / cols;
  const out = makeTensor(getBackend().softmaxCrossEntropy(logits.storage as Float32Array, rows, cols, labels, dense), outShape, "float32");
  if (isRecording()) {
    const needLogits = isTracked(logits);
    const needTarget = !sparse && isTracked(target);
    if (needLogits || needTarget) {
      record([logits, target], out, (g) => [
        needLogits ? makeTensor(getBackend().softmaxCrossEntropyBackward(logits.storage as Float32Array, rows, cols, labels, dense, g.storage as Float32Array), logits.shape, "float32") : null,
        // d/dt of -sum(t * logSoftmax(z)) is -logSoftmax(z); rarely asked for.
        needTarget ? multiply(negative(expandDims(g, -1)), logSoftmaxLastAxis(logits)) : null,
      ]);
    }
  }
  return out;
}

function logSoftmaxLastAxis(logits: Tensor): Tensor {
  const cols = logits.shape[logits.rank - 1];
  const rows = cols === 0 ? 0 : logits.size / cols;
  return makeTensor(getBackend().logSoftmax(logits.storage as Float32Array, rows, cols), logits.shape, "float32");
}

/**
 * `divide(sum(x), count)` (a float32 x summed over every axis, divided by the number `count`) with
 * the same kernels, so the same value, but one tape entry: its gradient is
 * broadcast(divide(g, count)), which is what the two ops' gradients compose to, without the
 * divide's gradient with respect to the constant `count`. Losses reduce their per-sample values
 * with it ("sum_over_batch_size").
 */
export function sumDivide(x: Tensor, count: number): Tensor {
  const tracked = isRecording() && x.dtype === "float32" && isTracked(x);
  const out = tracked ? withoutRecording(() => divide(sum(x), count)) : divide(sum(x), count);
  if (tracked) {
    const ones = x.shape.map(() => 1);
    record([x], out, (g) => [broadcastTo(reshape(divide(g, count), ones), x.shape)]);
  }
  return out;
}

/*
 * One-pass optimizer updates, in place: the variable's and slots' tensors (float32, one shape)
 * are overwritten with their new values. They must be tensors a Variable holds for writing
 * (`Variable.writableValue()`), never ordinary tensors, which are immutable. Not recorded:
 * updates run outside gradient computation.
 */

function f32(t: Tensor): Float32Array {
  return t.storage as Float32Array;
}

/**
 * The gradient's values, copied when they are the storage of a tensor the update overwrites (a
 * gradient that is the variable itself, or a reshape of it, which shares its typed array).
 */
function gradientStorage(gradient: Tensor, written: readonly (Tensor | null)[]): Float32Array {
  const g = f32(gradient);
  for (const t of written) if (t !== null && t.storage === g) return g.slice();
  return g;
}

export function sgdUpdateInPlace(variable: Tensor, gradient: Tensor, momentum: Tensor | null, args: SGDUpdateArgs): void {
  const g = gradientStorage(gradient, [variable, momentum]);
  getBackend().sgdUpdate(f32(variable), g, momentum === null ? null : f32(momentum), args);
}

export function rmspropUpdateInPlace(
  variable: Tensor, gradient: Tensor, velocity: Tensor, momentum: Tensor | null, averageGradient: Tensor | null, args: RMSpropUpdateArgs,
): void {
  const g = gradientStorage(gradient, [variable, velocity, momentum, averageGradient]);
  getBackend().rmspropUpdate(f32(variable), g, f32(velocity), momentum === null ? null : f32(momentum), averageGradient === null ? null : f32(averageGradient), args);
}

export function adamUpdateInPlace(
  variable: Tensor, gradient: Tensor, momentum: Tensor, velocity: Tensor, velocityHat: Tensor | null, args: AdamUpdateArgs,
): void {
  const g = gradientStorage(gradient, [variable, momentum, velocity, velocityHat]);
  getBackend().adamUpdate(f32(variable), g, f32(momentum), f32(velocity), velocityHat === null ? null : f32(velocityHat), args);
}

/*
 * Batch selection for the training loop. Data tensors take no gradient, so these record nothing;
 * they are internal (not in `keras.ops`), which has `take` and `slice` with full checks.
 */

/** Rows [start, start + size) of `t`, sharing its elements (tensors are immutable). */
export function rowsView(t: Tensor, start: number, size: number): Tensor {
  if (start === 0 && size === t.shape[0]) return t;
  const row = t.shape[0] === 0 ? 0 : t.size / t.shape[0];
  return makeTensor(t.storage.subarray(start * row, (start + size) * row), [size, ...t.shape.slice(1)], t.dtype);
}

/**
 * Rows of `t` at `indices` (int32 row numbers known to be in range, e.g. a permutation): one
 * gather. With `into` (a tensor of t's dtype and the result's shape, that the caller owns), the
 * rows are written over its memory, and the result is a new tensor over that memory: the training
 * loop reuses one batch's memory every step. Such memory is marked written in place, so a variable
 * given the batch copies it.
 */
export function gatherRows(t: Tensor, indices: Tensor, into?: Tensor): Tensor {
  const rows = indices.storage as Int32Array;
  const shape = [rows.length, ...t.shape.slice(1)];
  if (into !== undefined) {
    if (into.dtype !== t.dtype || !shapesEqual(into.shape, shape)) {
      throw new Error(`gatherRows: the output must be a ${t.dtype} tensor of shape ${formatShape(shape)}, got ${into.dtype} ${formatShape(into.shape)}`);
    }
    markWrittenInPlace(into.storage);
    return makeTensor(getBackend().gather(t.storage, t.shape, rows, 0, into.storage), shape, t.dtype);
  }
  return makeTensor(getBackend().gather(t.storage, t.shape, rows, 0), shape, t.dtype);
}

/**
 * The number of rows i where argmax(yPred[i]) equals the label: `labels[i]` itself for class
 * indices (shape [N], any dtype: 2.5 matches no class), or argmax(labels[i]) for one-hot labels
 * (shape [N, C]). yPred is float32 [N, C]. argmax is the op's: the first maximum, or the first
 * NaN. What (sparse_)categorical_accuracy sums over a batch, in one kernel.
 */
export function argmaxMatchCount(labels: Tensor, yPred: Tensor, oneHot: boolean): number {
  requireFloat(yPred, "yPred", "argmaxMatchCount");
  const [rows, cols] = yPred.shape;
  const expected = oneHot ? [rows, cols] : [rows];
  if (yPred.rank !== 2 || !shapesEqual(labels.shape, expected)) {
    throw new Error(`argmaxMatchCount: labels of shape ${formatShape(labels.shape)} do not fit predictions of shape ${formatShape(yPred.shape)}`);
  }
  return getBackend().countArgmaxMatches(yPred.storage as Float32Array, rows, cols, oneHot ? null : labels.storage, oneHot ? labels.storage : null);
}
