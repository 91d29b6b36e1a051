import type { GradientTarget } from "../backend/backend.js";
import { makeTensor, type Tensor } from "../backend/tensor.js";
import { isRecording, isTracked, record } from "../autodiff/tape.js";

/** What a fused backward kernel of an (x, kernel, bias) op returns; null for what it was not asked. */
export interface WeightedOpGradients {
  dX: Float32Array | null;
  dW: Float32Array | null;
  db: Float32Array | null;
}

/**
 * Records `out`, computed from x, a kernel and an optional bias by one fused kernel, as one tape
 * entry whose VJP is one call of the fused backward kernel (`backward`): it is asked only for the
 * gradients a tracked input needs, and writes the kernel's and bias's into the buffers autodiff
 * offers (`dW` and `db` are `false`, `true` or such a buffer). How `linear` and the conv op record.
 */
export function recordWeightedOp(
  x: Tensor, kernel: Tensor, bias: Tensor | null, out: Tensor,
  backward: (g: Tensor, needX: boolean, needW: boolean, dW: GradientTarget, db: GradientTarget) => WeightedOpGradients,
): void {
  if (!isRecording()) return;
  const needX = isTracked(x);
  const needW = isTracked(kernel);
  const needB = bias !== null && isTracked(bias);
  if (!needX && !needW && !needB) return;
  const inputs = bias === null ? [x, kernel] : [x, kernel, bias];
  record(inputs, out, (g, context) => {
    const grads = backward(g, needX, needW, needW && (context.gradientBuffer(1) ?? true), needB && (context.gradientBuffer(2) ?? true));
    const result: (Tensor | null)[] = [
      grads.dX === null ? null : makeTensor(grads.dX, x.shape, "float32"),
      grads.dW === null ? null : makeTensor(grads.dW, kernel.shape, "float32"),
    ];
    if (bias !== null) result.push(grads.db === null ? null : makeTensor(grads.db, bias.shape, "float32"));
    return result;
  });
}
