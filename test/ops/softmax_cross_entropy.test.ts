import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../src/index.js";
import { checkGradients, randomTensor } from "../helpers/gradcheck.js";
import { softmaxCrossEntropyWithLogits, softmaxLogits } from "../../src/ops/softmax_cross_entropy.js";
import { Variable } from "../../src/backend/variable.js";
import { assertAllClose as assertClose } from "../helpers/close.js";
import { withKernelSpy } from "../helpers/backends.js";

const { ops, losses } = keras;
type Tensor = keras.Tensor;

/** The kernels whose calls these tests count. */
const SPIED = ["linearForward", "linearBackward", "softmaxCrossEntropy", "softmaxCrossEntropyBackward", "adamUpdate"];

test("softmaxCrossEntropyWithLogits equals the keras.ops cross-entropies from logits", () => {
  const logits = randomTensor([6, 5], 4, -5, 5);
  const labels = ops.convertToTensor([0, 4, 2, 2, 1, 3], "int32");
  assertClose(softmaxCrossEntropyWithLogits(labels, logits, true), ops.sparseCategoricalCrossentropy(labels, logits, true), "sparse");
  assertClose(softmaxCrossEntropyWithLogits(ops.cast(labels, "uint8"), logits, true), ops.sparseCategoricalCrossentropy(labels, logits, true), "uint8 labels");
  const soft = ops.softmax(randomTensor([6, 5], 5), -1);
  assertClose(softmaxCrossEntropyWithLogits(soft, logits, false), ops.categoricalCrossentropy(soft, logits, true), "dense");
  const logits3 = randomTensor([2, 3, 5], 6, -5, 5);
  const labels3 = ops.convertToTensor([[0, 1, 4], [3, 3, 2]], "int32");
  assertClose(softmaxCrossEntropyWithLogits(labels3, logits3, true), ops.sparseCategoricalCrossentropy(labels3, logits3, true), "3-d");
});

test("softmaxCrossEntropyWithLogits gradients match finite differences (logits; dense targets too)", () => {
  const logits = randomTensor([4, 5], 7, -3, 3);
  const labels = ops.convertToTensor([1, 0, 4, 2], "int32");
  checkGradients((z) => softmaxCrossEntropyWithLogits(labels, z, true), [logits]);
  const targets = ops.softmax(randomTensor([4, 5], 8), -1);
  checkGradients((t, z) => softmaxCrossEntropyWithLogits(t, z, false), [targets, logits]);
});

test("softmax over the last axis links its output to the logits; other axes do not", () => {
  const z = randomTensor([3, 4], 9);
  const p = ops.softmax(z);
  assert.equal(softmaxLogits(p), z);
  assert.equal(softmaxLogits(ops.softmax(randomTensor([2, 3, 4], 1), -1))?.shape.length, 3);
  assert.equal(softmaxLogits(ops.softmax(z, 0)), undefined);
  assert.equal(softmaxLogits(ops.softmax(randomTensor([2, 3, 4], 1), [1, 2])), undefined);
  assert.equal(softmaxLogits(ops.add(p, 0)), undefined);
  assert.equal(softmaxLogits(keras.activations.softmax(z)), z);
});

test("crossentropy of softmax probabilities is computed from the logits, with the same values and gradients", () => {
  const z = randomTensor([8, 10], 11, -4, 4);
  const labels = ops.convertToTensor([3, 1, 0, 9, 4, 4, 7, 2], "uint8");
  const hot = ops.oneHot(labels, 10);
  // The probability path (no link): keras.ops on a copy of the probabilities.
  const probabilityPath = (t: Tensor, zi: Tensor, sparse: boolean) => {
    const p = ops.add(ops.softmax(zi), 0);
    return sparse ? ops.sparseCategoricalCrossentropy(t, p) : ops.categoricalCrossentropy(t, p);
  };
  for (const sparse of [true, false]) {
    const target = sparse ? labels : hot;
    const lossFn = (zi: Tensor) => ops.mean(sparse ? losses.sparseCategoricalCrossentropy(target, ops.softmax(zi)) : losses.categoricalCrossentropy(target, ops.softmax(zi)));
    const viaLogits = withKernelSpy(SPIED, (calls) => {
      const r = keras.valueAndGrad(lossFn)(z);
      assert.ok(calls.some((c) => c.name === "softmaxCrossEntropy"), "forward kernel used");
      assert.ok(calls.some((c) => c.name === "softmaxCrossEntropyBackward"), "backward kernel used");
      return r;
    });
    const plain = keras.valueAndGrad((zi: Tensor) => ops.mean(probabilityPath(target, zi, sparse)))(z);
    assertClose(viaLogits[0], plain[0], `${sparse ? "sparse" : "categorical"} loss`);
    assertClose(viaLogits[1], plain[1], `${sparse ? "sparse" : "categorical"} gradient`);
  }
  // fromLogits goes through the kernel too.
  withKernelSpy(SPIED, (calls) => {
    assertClose(losses.sparseCategoricalCrossentropy(labels, z, true), ops.sparseCategoricalCrossentropy(labels, z, true), "fromLogits");
    assert.equal(calls.filter((c) => c.name === "softmaxCrossEntropy").length, 1);
  });
});

test("the logits link is not used when the gradient is taken with respect to the probabilities", () => {
  const z = randomTensor([4, 3], 12);
  const labels = ops.convertToTensor([0, 2, 1, 1], "int32");
  const p = ops.softmax(z);
  // A variable holding the probabilities themselves: its gradient must go through them.
  const v = new Variable(p, { name: "probabilities" });
  assert.equal(softmaxLogits(v.value), z);
  const [, [g]] = keras.valueAndGrad(() => ops.mean(losses.sparseCategoricalCrossentropy(labels, v.value)), { variables: [v] })();
  const [, expected] = keras.valueAndGrad((q: Tensor) => ops.mean(ops.sparseCategoricalCrossentropy(labels, q)))(p);
  assertClose(g, expected, "gradient with respect to the probabilities");
  assert.ok(ops.max(ops.abs(g)).item() > 0.01);
});

test("end to end: Dense + softmax + sparse categorical crossentropy gives the unfused loss and gradients", async () => {
  keras.utils.setRandomSeed(3);
  const model = new keras.Sequential();
  model.add(new keras.layers.Flatten());
  model.add(new keras.layers.Dense(16, { activation: "relu" }));
  model.add(new keras.layers.Dense(10, { activation: "softmax" }));
  const x = randomTensor([32, 4, 5], 13, 0, 1);
  const y = ops.cast(ops.convertToTensor(Array.from({ length: 32 }, (_, i) => (i * 7) % 10), "int32"), "uint8");
  model.apply(x);
  const loss = new losses.SparseCategoricalCrossentropy();
  const [k1, b1, k2, b2] = model.trainableWeights;
  const fused = keras.valueAndGrad(() => loss.apply(y, model.apply(x) as Tensor), { variables: model.trainableWeights })();
  // The same network with keras.ops only, and the loss of the probabilities (no logits link).
  const unfused = keras.valueAndGrad(
    (...w: Tensor[]) => {
      const h = ops.relu(ops.add(ops.matmul(ops.reshape(x, [32, 20]), w[0]), w[1]));
      const p = ops.add(ops.softmax(ops.add(ops.matmul(h, w[2]), w[3])), 0);
      return ops.mean(ops.sparseCategoricalCrossentropy(y, p));
    },
    { argnums: [0, 1, 2, 3] },
  )(k1.value, b1.value, k2.value, b2.value);
  assertClose(fused[0], unfused[0], "loss");
  fused[1].forEach((g, i) => assertClose(g, unfused[1][i], `gradient ${i}`));
  model.compile({ optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });
  const evaluated = (await model.evaluate(x, y, { verbose: 0 })) as number[];
  assert.ok(Math.abs(evaluated[0] - unfused[0].item()) <= 1e-5 * (1 + unfused[0].item()), `evaluate ${evaluated[0]} vs ${unfused[0].item()}`);
});
