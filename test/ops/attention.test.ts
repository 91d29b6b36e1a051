import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../src/index.js";
import { checkGradients, randomTensor } from "../helpers/gradcheck.js";
import { attention } from "../../src/ops/attention.js";
import { fallbacks, resetFallbacks } from "../../src/backend/fallbacks.js";
import { assertAllClose as assertClose } from "../helpers/close.js";

const { ops } = keras;
type Tensor = keras.Tensor;

test("dotProductAttention by hand: one head, one query over two keys", () => {
  // logits = scale * q.k = [1 * 1, 1 * 0] / sqrt(1) -> softmax [e/(e+1), 1/(e+1)].
  const q = ops.reshape(ops.convertToTensor([1]), [1, 1, 1, 1]);
  const k = ops.reshape(ops.convertToTensor([1, 0]), [1, 2, 1, 1]);
  const v = ops.reshape(ops.convertToTensor([10, 20]), [1, 2, 1, 1]);
  const p0 = Math.E / (Math.E + 1);
  assertClose(ops.dotProductAttention(q, k, v), [p0 * 10 + (1 - p0) * 20], "output");
  // The mask leaves only the second key.
  assertClose(ops.dotProductAttention(q, k, v, { mask: ops.convertToTensor([false, true]) }), [20], "masked output");
  // A bias of ln 2 on the second logit: weights e : 2.
  const bias = ops.reshape(ops.convertToTensor([0, Math.log(2)]), [1, 1, 1, 2]);
  const w = Math.E / (Math.E + 2);
  assertClose(ops.dotProductAttention(q, k, v, { bias }), [w * 10 + (1 - w) * 20], "biased output");
  assert.throws(() => ops.dotProductAttention(ops.zeros([2, 3]), k, v), /only supports 4D inputs/);
});

test("attention: the fused kernel equals Keras's einsum path (masks, causal) and returns the probabilities", () => {
  const [B, T, S, N, D] = [2, 3, 4, 2, 3];
  const q = randomTensor([B, T, N, D], 1, -2, 2);
  const k = randomTensor([B, S, N, D], 2, -2, 2);
  const v = randomTensor([B, S, N, D], 3);
  const mask = ops.greater(randomTensor([B, 1, T, S], 4), -0.3);
  for (const causal of [false, true]) {
    for (const m of [null, mask]) {
      const fused = attention(q, k, v, { scale: 0.5, causal, mask: m, returnProbabilities: true });
      // A zero bias takes the composed path.
      const composed = attention(q, k, v, { scale: 0.5, causal, mask: m, bias: ops.zeros([1]), returnProbabilities: true });
      assertClose(fused.output, composed.output, `causal=${causal} masked=${m !== null} output`);
      assertClose(fused.probabilities!, composed.probabilities!, `causal=${causal} masked=${m !== null} probabilities`);
    }
  }
});

test("attention gradients match finite differences, fused and composed, masked and causal", () => {
  const [B, T, S, N, D] = [2, 3, 3, 2, 2];
  const q = randomTensor([B, T, N, D], 11, -1, 1);
  const k = randomTensor([B, S, N, D], 12, -1, 1);
  const v = randomTensor([B, S, N, D], 13);
  const mask = ops.convertToTensor([[[[true, false, true]]], [[[true, true, false]]]]);
  for (const bias of [null, ops.zeros([1])]) {
    checkGradients((a, b, c) => attention(a, b, c, { scale: 0.7, mask, causal: true, bias }).output, [q, k, v]);
    checkGradients((a, b, c) => ops.dotProductAttention(a, b, c, { mask }), [q, k, v]);
  }
});

test("attention runs its fused kernels forward and backward (no fallback)", () => {
  resetFallbacks();
  const q = randomTensor([2, 3, 2, 4], 21);
  keras.valueAndGrad((x: Tensor) => ops.sum(ops.dotProductAttention(x, x, x, { isCausal: true })))(q);
  const names = fallbacks().map((f) => f.kernel);
  assert.ok(!names.includes("attentionForward") && !names.includes("attentionBackward"), JSON.stringify(fallbacks()));
});
