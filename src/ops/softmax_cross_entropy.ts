import { fusedKernels, getBackend } from "../backend/backend.js";
import { formatShape, shapesEqual } from "../backend/shape.js";
import { makeTensor, type Tensor } from "../backend/tensor.js";
import { isRecording, isTracked, record } from "../autodiff/tape.js";
import { cast } from "./core.js";
import { expandDims } from "./shape.js";
import { multiply, negative } from "./elementwise.js";

/*
 * Softmax cross-entropy from logits as one fused op, and the link that lets the losses find the
 * logits of probabilities a softmax made. Internal: Keras's losses call it; `keras.ops` has the
 * public `categoricalCrossentropy` / `sparseCategoricalCrossentropy`.
 */

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

/**
 * Per-sample softmax cross-entropy from `logits` along their last axis: the result has the logits'
 * shape without it. `target` is either class indices (`sparse`; the logits' shape without the last
 * axis, any dtype, truncated to int32; indices outside [0, classes) give loss 0) or one-hot / soft
 * targets of the logits' shape (float32). Equals -sum(target * logSoftmax(logits), -1) with one
 * kernel each way; the gradient with respect to the logits is (softmax * sum(target) - target) * g.
 */
export function softmaxCrossEntropyWithLogits(target: Tensor, logits: Tensor, sparse: boolean): Tensor {
  const op = "softmaxCrossEntropyWithLogits";
  if (logits.dtype !== "float32") throw new TypeError(`${op}: logits must be float32, got ${logits.dtype}`);
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
    if (t.dtype !== "float32") throw new TypeError(`${op}: dense targets must be float32, got ${t.dtype}`);
    if (!shapesEqual(t.shape, logits.shape)) throw new Error(`${op}: targets of shape ${formatShape(t.shape)} do not match logits of shape ${formatShape(logits.shape)}`);
    dense = t.storage as Float32Array;
  }
  const rows = cols === 0 ? t.size : logits.size / cols;
  const kernels = fusedKernels();
  const out = makeTensor(kernels.softmaxCrossEntropy(logits.storage as Float32Array, rows, cols, labels, dense), outShape, "float32");
  if (isRecording()) {
    const needLogits = isTracked(logits);
    const needTarget = !sparse && isTracked(target);
    if (needLogits || needTarget) {
      record([logits, target], out, (g) => [
        needLogits ? makeTensor(fusedKernels().softmaxCrossEntropyBackward(logits.storage as Float32Array, rows, cols, labels, dense, g.storage as Float32Array), logits.shape, "float32") : null,
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
