import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../src/index.js";
import { checkGradients, randomTensor } from "../helpers/gradcheck.js";
import { batchNormalizationTraining } from "../../src/ops/batch_normalization.js";
import { assertAllClose as assertClose } from "../helpers/close.js";

const { ops } = keras;
type Tensor = keras.Tensor;

test("moments: Keras's example, keepdims, several axes", () => {
  const [mean, variance] = ops.moments([0, 1, 2, 3, 100], [0]);
  assertClose(mean, [21.2], "mean");
  assertClose(variance, [1553.36], "variance");
  assert.equal(mean.rank, 0);
  const x = ops.convertToTensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]], "float32");
  const [m, v] = ops.moments(x, [0, 1], true);
  assert.deepEqual([...m.shape], [1, 1, 2]);
  assertClose(m, [4, 5], "mean over [0, 1]");
  assertClose(v, [5, 5], "variance over [0, 1]");
  const [m2] = ops.moments(x, -1);
  assert.deepEqual([...m2.shape], [2, 2]);
  checkGradients((t) => ops.moments(t, [0, 2])[1], [randomTensor([3, 2, 4], 1)]);
  checkGradients((t) => ops.moments(t, [1], true)[0], [randomTensor([3, 4], 2)]);
});

test("batchNormalization: Keras's example and hand-computed values with offset and scale on another axis", () => {
  const out = ops.batchNormalization([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6], [0.7, 0.8, 0.9]], [0.4, 0.5, 0.6], [0.67, 0.67, 0.67], -1);
  const r = 0.3 / Math.sqrt(0.671);
  assertClose(out, [-r, -r, -r, 0, 0, 0, r, r, r], "Keras example");
  // Axis 1 of [2, 2, 2]: channel c has mean m[c], variance v[c], scale s[c], offset o[c].
  const x = ops.convertToTensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]], "float32");
  const y = ops.batchNormalization(x, [1, 2], [3, 0.999], 1, [10, 20], [2, 4], 1e-3);
  const expect = (v: number, c: number) => (v - [1, 2][c]) / Math.sqrt([3, 0.999][c] + 1e-3) * [2, 4][c] + [10, 20][c];
  assertClose(y, [expect(1, 0), expect(2, 0), expect(3, 1), expect(4, 1), expect(5, 0), expect(6, 0), expect(7, 1), expect(8, 1)], "axis 1");
  assert.throws(() => ops.batchNormalization(x, [1, 2, 3], [1, 1], 1), /Arguments `mean` must be a vector of length `x.shape\[axis\]`. Expected: `\(2,\)`. Received: `\[3\]`/);
  assert.throws(() => ops.batchNormalization(x, [1, 2], [1, 1], 3), /axis 3 is out of bounds/);
});

test("batchNormalization gradients match finite differences with respect to x, mean, variance, offset and scale", () => {
  const x = randomTensor([3, 4, 2], 3);
  const mean = randomTensor([4], 4);
  const variance = randomTensor([4], 5, 0.5, 1.5);
  const offset = randomTensor([4], 6);
  const scale = randomTensor([4], 7, 0.5, 2);
  checkGradients((a, m, v, o, s) => ops.batchNormalization(a, m, v, 1, o, s, 0.01), [x, mean, variance, offset, scale]);
  checkGradients((a, m, v) => ops.batchNormalization(a, m, v, -2), [x, mean, variance]);
});

test("batchNormalizationTraining equals batchNormalization with the batch's moments, with their gradients (channels last and first)", () => {
  let seed = 10;
  for (const [shape, axis] of [[[6, 3], -1], [[2, 4, 3, 5], -1], [[2, 3, 4, 2], 1], [[5, 2, 3], 1]] as [number[], number][]) {
    const x = randomTensor(shape, seed++, -2, 3);
    const c = shape[(axis + shape.length) % shape.length];
    const gamma = randomTensor([c], seed++, 0.5, 1.5);
    const beta = randomTensor([c], seed++);
    const others = shape.map((_, i) => i).filter((i) => i !== (axis + shape.length) % shape.length);
    const composed = (a: Tensor, g: Tensor, b: Tensor) => {
      const [m, v] = ops.moments(a, others);
      return ops.batchNormalization(a, m, v, axis, b, g, 1e-3);
    };
    const fused = batchNormalizationTraining(x, axis, gamma, beta, 1e-3);
    assertClose(fused.output, composed(x, gamma, beta), `${shape} output`, 1e-5);
    const [m, v] = ops.moments(x, others);
    assertClose(fused.mean, m, `${shape} mean`);
    assertClose(fused.variance, v, `${shape} variance`);
    const weights = randomTensor(shape, seed++);
    const loss = (f: typeof composed) => (a: Tensor, g: Tensor, b: Tensor) => ops.sum(ops.multiply(f(a, g, b), weights));
    const [, want] = keras.valueAndGrad(loss(composed), { argnums: [0, 1, 2] })(x, gamma, beta);
    const [, got] = keras.valueAndGrad(loss((a, g, b) => batchNormalizationTraining(a, axis, g, b, 1e-3).output), { argnums: [0, 1, 2] })(x, gamma, beta);
    got.forEach((g, i) => assertClose(g, want[i], `${shape} gradient ${i}`, 1e-4));
  }
  checkGradients((a, g, b) => batchNormalizationTraining(a, -1, g, b, 1e-3).output, [randomTensor([4, 3], 30), randomTensor([3], 31), randomTensor([3], 32)]);
  checkGradients((a) => batchNormalizationTraining(a, 1, null, null, 0.01).output, [randomTensor([2, 2, 3], 33)]);
});
