import { makeTensor, type Tensor } from "../backend/tensor.js";
import { record, type VjpContext } from "../autodiff/tape.js";

/**
 * Records an op with several outputs (an LSTM's output sequence and final states, attention's
 * output and scores) so that its one backward kernel runs once, with every output's gradient.
 *
 * The tape holds one output per entry, so the op is recorded as a hidden scalar "token" computed
 * from the inputs, and each output as computed from the token. Backpropagation walks the tape in
 * reverse: every consumer of an output runs before that output's entry, which keeps the finished
 * gradient for the token's entry and passes the token a zero; the token's entry, recorded first,
 * runs last and calls `vjp` with all of them (null for an output that got none).
 */
export function recordMultiOutput(
  inputs: readonly Tensor[],
  outputs: readonly (Tensor | null)[],
  vjp: (grads: (Tensor | null)[], context: VjpContext) => (Tensor | null)[],
): void {
  const token = makeTensor(new Float32Array(1), [], "float32");
  const received: (Tensor | null)[] = outputs.map(() => null);
  record(inputs, token, (_, context) => vjp(received, context));
  outputs.forEach((output, i) => {
    if (output === null) return;
    record([token], output, (g) => {
      received[i] = g;
      return [makeTensor(new Float32Array(1), [], "float32")];
    });
  });
}
