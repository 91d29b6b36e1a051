import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../src/index.js";
import { checkGradients, randomTensor } from "../helpers/gradcheck.js";

const { ops } = keras;
type Tensor = keras.Tensor;

function assertClose(actual: Tensor, expected: ArrayLike<number>, tol = 1e-5): void {
  const v = actual.dataSync();
  assert.equal(v.length, expected.length, "size");
  for (let i = 0; i < v.length; i++) {
    if (!(Math.abs(v[i] - expected[i]) <= tol * (1 + Math.abs(expected[i])))) assert.fail(`element ${i}: got ${v[i]}, expected ${expected[i]}`);
  }
}

const f32 = (x: keras.NestedArray) => ops.convertToTensor(x, "float32");

/** Float64 references for the activations. */
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const erf = (x: number) => {
  // Series is plenty for |x| < 3 at the 1e-6 level used here.
  let term = x, s = x;
  for (let n = 1; n < 80; n++) {
    term *= (-x * x) / n;
    s += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * s;
};
const REFERENCE: Record<string, (x: number) => number> = {
  relu6: (x) => Math.min(Math.max(x, 0), 6),
  elu: (x) => (x > 0 ? x : Math.expm1(x)),
  selu: (x) => 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * Math.expm1(x)),
  gelu: (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))),
  silu: (x) => x * sigmoid(x),
  leakyRelu: (x) => (x >= 0 ? x : 0.2 * x),
  hardSigmoid: (x) => Math.min(Math.max(x / 6 + 0.5, 0), 1),
  hardSilu: (x) => x * Math.min(Math.max(x / 6 + 0.5, 0), 1),
  softsign: (x) => x / (1 + Math.abs(x)),
  logSigmoid: (x) => Math.log(sigmoid(x)),
};
const ACTIVATIONS: Record<string, (x: Tensor) => Tensor> = {
  relu6: (x) => ops.relu6(x),
  elu: (x) => ops.elu(x),
  selu: (x) => ops.selu(x),
  gelu: (x) => ops.gelu(x),
  silu: (x) => ops.silu(x),
  leakyRelu: (x) => ops.leakyRelu(x),
  hardSigmoid: (x) => ops.hardSigmoid(x),
  hardSilu: (x) => ops.hardSilu(x),
  softsign: (x) => ops.softsign(x),
  logSigmoid: (x) => ops.logSigmoid(x),
};

test("activations match float64 formulas with Keras 3 defaults", () => {
  const xs = [-7, -3.5, -3, -2, -1, -0.3, 0, 0.4, 1, 2.5, 3, 5.9, 6, 8];
  for (const [name, fn] of Object.entries(ACTIVATIONS)) {
    const out = fn(f32(xs));
    assert.equal(out.dtype, "float32", name);
    try {
      assertClose(out, xs.map(REFERENCE[name]), 2e-6);
    } catch (e) {
      assert.fail(`${name}: ${(e as Error).message}`);
    }
  }
});

test("activation values from the Keras documentation", () => {
  assertClose(ops.relu6(f32([-3, -2, 0.1, 0.2, 6, 8])), [0, 0, 0.1, 0.2, 6, 6]);
  assertClose(ops.selu(f32([-1, 0, 1])), [-1.11133055, 0, 1.05070098]);
  assertClose(ops.elu(f32([-1, 0, 1])), [-0.63212055, 0, 1]);
  assertClose(ops.silu(f32([-6, 1, 0, 1, 6])), [-0.0148357, 0.7310586, 0, 0.7310586, 5.9851646]);
  assertClose(ops.softsign(f32([-0.1, -10, 1, 0, 100])), [-0.09090909, -0.90909094, 0.5, 0, 0.990099]);
  assertClose(ops.logSigmoid(f32([-0.541391, 0, 0.5, 5])), [-1.0000418, -0.6931472, -0.474077, -0.00671535]);
  assertClose(ops.hardSilu(f32([-3, -1, 0, 1, 3])), [0, -0.3333333, 0, 0.6666667, 3]);
  assertClose(ops.leakyRelu(f32([-1, 0, 1])), [-0.2, 0, 1]);
  // Keras 3 hard sigmoid is relu6(x + 3) / 6, not Keras 2's 0.2 x + 0.5.
  assertClose(ops.hardSigmoid(f32([-1, 0, 1])), [1 / 3, 0.5, 2 / 3]);
});

test("activation parameters and the non-default gelu", () => {
  assertClose(ops.elu(f32([-1, 2]), 0.5), [0.5 * Math.expm1(-1), 2]);
  assertClose(ops.leakyRelu(f32([-2, 3]), 0.01), [-0.02, 3]);
  // approximate=true is the default; the exact form differs in the 4th decimal at x = 1.
  assertClose(ops.gelu(f32([1])), [0.8411920]);
  assertClose(ops.gelu(f32([-1, 0, 1]), false), [-0.15865525, 0, 0.84134475]);
  assertClose(ops.gelu(f32([-2, 0.5, 2.5]), false), [-2, 0.5, 2.5].map((x) => 0.5 * x * (1 + erf(x / Math.SQRT2))), 2e-6);
  assert.equal(ops.swish, ops.silu);
  assert.equal(ops.hardSwish, ops.hardSilu);
});

test("activations are finite for large inputs and accept integers", () => {
  const big = f32([-1000, 1000]);
  for (const [name, fn] of Object.entries(ACTIVATIONS)) {
    for (const v of fn(big).dataSync()) assert.ok(Number.isFinite(v), `${name} gave ${v} for +-1000`);
  }
  assertClose(ops.logSigmoid(big), [-1000, 0]);
  const out = ops.relu6([-1, 3, 9]);
  assert.equal(out.dtype, "float32");
  assert.deepEqual(out.arraySync(), [0, 3, 6]);
});

test("activation gradients match finite differences", () => {
  // Values in [-4, 8) cover both sides of every kink (0, +-3, 6); the seed keeps them off the kinks.
  const x = randomTensor([12], 17, -4, 8);
  for (const [name, fn] of Object.entries(ACTIVATIONS)) {
    try {
      checkGradients(fn, [x]);
    } catch (e) {
      assert.fail(`${name}: ${(e as Error).message}`);
    }
  }
  checkGradients((t) => ops.gelu(t, false), [x]);
  checkGradients((t) => ops.elu(t, 0.7), [x]);
  checkGradients((t) => ops.leakyRelu(t, 0.05), [x]);
});

test("relu6 and hardSigmoid have zero slope outside their linear pieces", () => {
  const g = keras.grad((t: Tensor) => ops.sum(ops.relu6(t)))(f32([-1, 0, 3, 6, 7]));
  assert.deepEqual(g.arraySync(), [0, 0, 1, 0, 0]);
  const h = keras.grad((t: Tensor) => ops.sum(ops.hardSigmoid(t)))(f32([-4, -3, 0, 3, 4]));
  assertClose(h, [0, 0, 1 / 6, 0, 0]);
});

test("softmax: hand-computed values, rows sum to 1, stable at 1000", () => {
  const e = [1, 2, 3].map(Math.exp);
  const total = e[0] + e[1] + e[2];
  assertClose(ops.softmax(f32([1, 2, 3])), e.map((v) => v / total));
  const x = randomTensor([4, 7], 3, -5, 5);
  const s = ops.softmax(x);
  assertClose(ops.sum(s, -1), [1, 1, 1, 1]);
  const big = ops.softmax(f32([[1000, 1000, 999], [-1000, -1000, -1000]]));
  const d = 1 + 1 + Math.exp(-1);
  assertClose(big, [1 / d, 1 / d, Math.exp(-1) / d, 1 / 3, 1 / 3, 1 / 3]);
  assertClose(ops.logSoftmax(f32([1000, 0])), [0, -1000]);
  assertClose(ops.logSoftmax(f32([1, 2, 3])), e.map((v) => Math.log(v / total)));
});

test("softmax / logSoftmax along other axes", () => {
  const x = randomTensor([3, 4, 2], 5, -3, 3);
  const v = x.arraySync() as number[][][];
  const s0 = ops.softmax(x, 0);
  assert.deepEqual([...s0.shape], [3, 4, 2]);
  const expected: number[] = [];
  for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 2; k++) {
    let z = 0;
    for (let r = 0; r < 3; r++) z += Math.exp(v[r][j][k]);
    expected.push(Math.exp(v[i][j][k]) / z);
  }
  assertClose(s0, expected);
  assertClose(ops.logSoftmax(x, 0), expected.map(Math.log));
  assertClose(ops.sum(ops.softmax(x, 1), 1), new Array(6).fill(1));
  assertClose(ops.sum(ops.softmax(x, [0, 2]), [0, 2]), new Array(4).fill(1));
  assert.throws(() => ops.softmax(x, 3), /softmax: axis 3 is out of bounds for a tensor of rank 3/);
});

test("softmax / logSoftmax gradients match finite differences", () => {
  const x = randomTensor([3, 4], 9, -2, 2);
  checkGradients((t) => ops.softmax(t), [x]);
  checkGradients((t) => ops.logSoftmax(t), [x]);
  checkGradients((t) => ops.softmax(t, 0), [x]);
  checkGradients((t) => ops.logSoftmax(t, 0), [x]);
  checkGradients((t) => ops.softmax(t, [0, 1]), [randomTensor([2, 3], 10)]);
});

test("oneHot: positions, axis, dtype and out-of-range indices", () => {
  assert.deepEqual(ops.oneHot([0, 2, 1], 3).arraySync(), [[1, 0, 0], [0, 0, 1], [0, 1, 0]]);
  assert.equal(ops.oneHot([0], 2).dtype, "float32");
  assert.deepEqual(ops.oneHot([0, 2], 3, 0).arraySync(), [[1, 0], [0, 0], [0, 1]]);
  assert.deepEqual(ops.oneHot([-1, 3, 1], 3).arraySync(), [[0, 0, 0], [0, 0, 0], [0, 1, 0]]);
  const t = ops.oneHot([[1, 0], [2, 2]], 3, -1, "int32");
  assert.equal(t.dtype, "int32");
  assert.deepEqual(t.arraySync(), [[[0, 1, 0], [1, 0, 0]], [[0, 0, 1], [0, 0, 1]]]);
  assert.deepEqual([...ops.oneHot([[1, 0], [2, 2]], 3, 1).shape], [2, 3, 2]);
  assert.deepEqual(ops.oneHot(f32([1.7, 0]), 2).arraySync(), [[0, 1], [1, 0]]);
  assert.throws(() => ops.oneHot([1], 3, 2), /oneHot: axis 2 is out of bounds/);
  assert.throws(() => ops.oneHot([1], -1), /numClasses must be a non-negative integer/);
});

test("categoricalCrossentropy: probabilities, renormalization, clipping, logits, axis", () => {
  const target = f32([[0, 1, 0], [0, 0, 1]]);
  assertClose(ops.categoricalCrossentropy(target, f32([[0.1, 0.6, 0.3], [0.2, 0.2, 0.6]])), [-Math.log(0.6), -Math.log(0.6)]);
  // Outputs are rescaled to sum to 1 first, as Keras does.
  assertClose(ops.categoricalCrossentropy(target, f32([[1, 6, 3], [1, 1, 3]])), [-Math.log(0.6), -Math.log(0.6)]);
  // A zero probability for the true class is clipped to 1e-7.
  assertClose(ops.categoricalCrossentropy(f32([[1, 0]]), f32([[0, 1]])), [-Math.log(1e-7)], 1e-4);
  const logits = [[2, -1, 0.5]];
  const lse = Math.log(Math.exp(2) + Math.exp(-1) + Math.exp(0.5));
  assertClose(ops.categoricalCrossentropy(f32([[0, 0, 1]]), f32(logits), true), [lse - 0.5]);
  assertClose(ops.categoricalCrossentropy(f32([[0], [0], [1]]), f32([[2], [-1], [0.5]]), true, 0), [lse - 0.5]);
  assertClose(ops.categoricalCrossentropy(f32([[0, 1]]), f32([[0, 1000]]), true), [0]);
  assert.throws(() => ops.categoricalCrossentropy(f32([[0, 1]]), f32([[0.5, 0.2, 0.3]])), /categoricalCrossentropy: arguments `target` and `output` must have the same shape, got target.shape=\[1,2\] and output.shape=\[1,3\]/);
});

test("sparseCategoricalCrossentropy: indices, squeezed targets, logits, out-of-range", () => {
  const probs = f32([[0.1, 0.6, 0.3], [0.2, 0.2, 0.6]]);
  assertClose(ops.sparseCategoricalCrossentropy([1, 2], probs), [-Math.log(0.6), -Math.log(0.6)]);
  assertClose(ops.sparseCategoricalCrossentropy([[1], [0]], probs), [-Math.log(0.6), -Math.log(0.2)]);
  const logits = f32([[2, -1, 0.5]]);
  const lse = Math.log(Math.exp(2) + Math.exp(-1) + Math.exp(0.5));
  assertClose(ops.sparseCategoricalCrossentropy([0], logits, true), [lse - 2]);
  assertClose(ops.sparseCategoricalCrossentropy([-1], logits, true), [0]);
  assertClose(ops.sparseCategoricalCrossentropy([2, 0], f32([[2, 1], [-1, 0], [0.5, 3]]), true, 0), [lse - 0.5, Math.log(Math.exp(1) + 1 + Math.exp(3)) - 1]);
  assert.throws(() => ops.sparseCategoricalCrossentropy([1, 2, 0], probs), /sparseCategoricalCrossentropy: `target` must have the shape of `output` without axis 1: expected \[2\], got target.shape=\[3\]/);
});

test("binaryCrossentropy: elementwise, clipped, stable from logits", () => {
  const out = ops.binaryCrossentropy(f32([[1, 0], [1, 0]]), f32([[0.9, 0.2], [0.5, 0.5]]));
  assert.deepEqual([...out.shape], [2, 2]);
  assertClose(out, [-Math.log(0.9), -Math.log(0.8), Math.LN2, Math.LN2]);
  assertClose(ops.binaryCrossentropy(f32([1]), f32([0])), [-Math.log(1e-7)], 1e-4);
  const z = [-100, -1, 0, 2, 100];
  const t = [1, 0, 1, 0.3, 0];
  const expected = z.map((zi, i) => Math.max(zi, 0) - zi * t[i] + Math.log1p(Math.exp(-Math.abs(zi))));
  const fromLogits = ops.binaryCrossentropy(f32(t), f32(z), true);
  assertClose(fromLogits, expected, 1e-5);
  assert.throws(() => ops.binaryCrossentropy(f32([1, 0]), f32([0.5])), /binaryCrossentropy: arguments `target` and `output` must have the same shape/);
});

test("cross-entropy gradients match finite differences", () => {
  const target = ops.softmax(randomTensor([3, 4], 41));
  const probs = ops.softmax(randomTensor([3, 4], 42));
  const logits = randomTensor([3, 4], 43, -2, 2);
  checkGradients((t, o) => ops.categoricalCrossentropy(t, o), [target, probs], { eps: 1e-3 });
  checkGradients((t, o) => ops.categoricalCrossentropy(t, o, true), [target, logits]);
  checkGradients((o) => ops.categoricalCrossentropy(target, o, true, 0), [logits]);
  const labels = ops.convertToTensor([3, 0, 2]);
  checkGradients((o) => ops.sparseCategoricalCrossentropy(labels, o), [probs], { eps: 1e-3 });
  checkGradients((o) => ops.sparseCategoricalCrossentropy(labels, o, true), [logits]);
  const bt = randomTensor([2, 3], 44, 0, 1);
  checkGradients((t, o) => ops.binaryCrossentropy(t, o), [bt, randomTensor([2, 3], 45, 0.1, 0.9)], { eps: 1e-3 });
  checkGradients((t, o) => ops.binaryCrossentropy(t, o, true), [bt, randomTensor([2, 3], 46, -3, 3)]);
});
