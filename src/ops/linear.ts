import { fusedKernels } from "../backend/backend.js";
import { formatShape } from "../backend/shape.js";
import { makeTensor, type Tensor } from "../backend/tensor.js";
import { add } from "./elementwise.js";
import { recordWeightedOp } from "./weighted_op_tape.js";
import { matmul } from "./linalg.js";
import { applyEpilogue, epilogueOf, type EpilogueActivation } from "./epilogue.js";

/** What `linear` applies after the affine map: an activation function, an epilogue name, or nothing. */
export type LinearActivation = ((x: Tensor) => Tensor) | string | null | undefined;

/**
 * `activation(x @ kernel + bias)` over the last axis of x (x [..., k], kernel [k, n], bias [n] or
 * null): the linear part of Dense and of every layer that is a matrix product. One op, which
 * chooses how to run: float32 operands take the backend's fused kernel, with the activation in
 * its epilogue when the activation is one the epilogue table has (others run as their own op on
 * the fused linear result, so softmax keeps its link to the logits); other dtypes run the
 * separate ops. The fused gradient is one kernel too, writes weight gradients into the buffers
 * autodiff offers, and skips the input gradient when no gradient can reach x.
 */
export function linear(x: Tensor, kernel: Tensor, bias: Tensor | null, activation?: LinearActivation): Tensor {
  const epilogue = epilogueOf(activation ?? "linear");
  const after = typeof activation === "function" && epilogue === undefined ? activation : undefined;
  if (typeof activation === "string" && epilogue === undefined) throw new Error(`linear: unknown epilogue activation '${activation}'`);
  const fusable = x.dtype === "float32" && kernel.dtype === "float32" && (bias === null || bias.dtype === "float32");
  let out: Tensor;
  if (fusable) {
    out = fusedLinear(x, kernel, bias, epilogue ?? "linear");
  } else {
    out = matmul(x, kernel);
    if (bias !== null) out = add(out, bias);
    if (epilogue !== undefined) out = applyEpilogue(out, epilogue);
  }
  return after === undefined ? out : after(out);
}

function fusedLinear(x: Tensor, kernel: Tensor, bias: Tensor | null, activation: EpilogueActivation): Tensor {
  if (kernel.rank !== 2 || x.rank < 1 || x.shape[x.rank - 1] !== kernel.shape[0]) {
    throw new Error(`linear: cannot multiply x of shape ${formatShape(x.shape)} by a kernel of shape ${formatShape(kernel.shape)}`);
  }
  const [k, n] = kernel.shape;
  if (bias !== null && (bias.rank !== 1 || bias.shape[0] !== n)) {
    throw new Error(`linear: bias must have shape (${n},), got ${formatShape(bias.shape)}`);
  }
  let m = 1;
  for (let i = 0; i < x.rank - 1; i++) m *= x.shape[i];
  const storage = fusedKernels().linearForward(x.storage as Float32Array, kernel.storage as Float32Array, bias === null ? null : (bias.storage as Float32Array), m, k, n, activation);
  const out = makeTensor(storage, [...x.shape.slice(0, -1), n], "float32");
  recordWeightedOp(x, kernel, bias, out, (g, needX, _needW, dW, db) => fusedKernels().linearBackward(
    g.storage as Float32Array, out.storage as Float32Array, x.storage as Float32Array, kernel.storage as Float32Array, m, k, n, activation, needX, dW, db,
  ));
  return out;
}
