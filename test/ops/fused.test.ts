import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../src/index.js";
import { checkGradients, randomTensor } from "../helpers/gradcheck.js";
import { fusedDense, softmaxCrossEntropyWithLogits, softmaxLogits, type DenseActivation } from "../../src/ops/fused.js";
import { getBackend, setBackend, type Backend } from "../../src/backend/backend.js";
import { Variable } from "../../src/backend/variable.js";

const { ops, losses } = keras;
type Tensor = keras.Tensor;

function assertClose(actual: Tensor, expected: Tensor | ArrayLike<number>, what: string, tol = 1e-5): void {
  const a = actual.dataSync();
  const e = expected instanceof keras.Tensor ? expected.dataSync() : expected;
  if (expected instanceof keras.Tensor) assert.deepEqual([...actual.shape], [...expected.shape], `${what}: shape`);
  assert.equal(a.length, e.length, `${what}: size`);
  for (let i = 0; i < e.length; i++) {
    if (!(Math.abs(a[i] - e[i]) <= tol * (1 + Math.abs(e[i])))) assert.fail(`${what}[${i}]: got ${a[i]}, expected ${e[i]}`);
  }
}

const ACTIVATIONS: DenseActivation[] = ["linear", "relu", "sigmoid", "tanh"];

/** The unfused ops: activation(matmul(x, w) + b). */
function unfusedDense(x: Tensor, w: Tensor, b: Tensor | null, act: DenseActivation): Tensor {
  let z = ops.matmul(x, w);
  if (b !== null) z = ops.add(z, b);
  return act === "linear" ? z : act === "relu" ? ops.relu(z) : act === "sigmoid" ? ops.sigmoid(z) : ops.tanh(z);
}

/** Runs `body` with a backend that records every fused-kernel call (the reference does the work). */
function withSpy<T>(body: (calls: { name: string; args: unknown[] }[]) => T): T {
  const real = getBackend();
  const calls: { name: string; args: unknown[] }[] = [];
  const spy: Backend = Object.create(real);
  for (const name of ["denseForward", "denseBackward", "softmaxCrossEntropy", "softmaxCrossEntropyBackward", "adamUpdate"] as const) {
    const fn = (real[name] as (...a: unknown[]) => unknown).bind(real);
    (spy as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
      calls.push({ name, args });
      return fn(...args);
    };
  }
  setBackend(spy);
  try {
    return body(calls);
  } finally {
    setBackend(real);
  }
}

test("fusedDense equals matmul + bias + activation (2-d and 3-d inputs, with and without bias)", () => {
  let seed = 1;
  for (const act of ACTIVATIONS) {
    for (const shape of [[4, 6], [2, 3, 6], [1, 6]]) {
      const x = randomTensor(shape, seed++, -2, 2);
      const w = randomTensor([6, 5], seed++);
      const b = randomTensor([5], seed++);
      assertClose(fusedDense(x, w, b, act), unfusedDense(x, w, b, act), `${act} ${shape}`);
      assertClose(fusedDense(x, w, null, act), unfusedDense(x, w, null, act), `${act} ${shape} no bias`);
    }
  }
  assert.throws(() => fusedDense(randomTensor([2, 3]), randomTensor([4, 5]), null, "relu"), /cannot multiply/);
  assert.throws(() => fusedDense(randomTensor([2, 3]), randomTensor([3, 5]), randomTensor([4]), "relu"), /bias must have shape/);
});

test("fusedDense gradients match finite differences for every activation (x, kernel and bias)", () => {
  let seed = 10;
  for (const act of ACTIVATIONS) {
    const x = randomTensor([3, 4], seed++, -1.5, 1.5);
    const w = randomTensor([4, 5], seed++);
    const b = randomTensor([5], seed++, -0.5, 0.5);
    // A small step keeps relu's finite differences off its kink for these inputs.
    checkGradients((xi, wi, bi) => fusedDense(xi, wi, bi, act), [x, w, b], { eps: act === "relu" ? 1e-3 : 1e-2 });
    checkGradients((xi, wi) => fusedDense(xi, wi, null, act), [ops.reshape(x, [3, 1, 4]), w], { eps: act === "relu" ? 1e-3 : 1e-2 });
  }
});

test("fusedDense gradients equal the unfused ops' gradients", () => {
  let seed = 20;
  for (const act of ACTIVATIONS) {
    const x = randomTensor([8, 7], seed++, -2, 2);
    const w = randomTensor([7, 6], seed++);
    const b = randomTensor([6], seed++);
    const weights = randomTensor([8, 6], seed++);
    const loss = (f: typeof fusedDense) => (xi: Tensor, wi: Tensor, bi: Tensor) => ops.sum(ops.multiply(f(xi, wi, bi, act), weights));
    const [, fused] = keras.valueAndGrad(loss(fusedDense), { argnums: [0, 1, 2] })(x, w, b);
    const [, plain] = keras.valueAndGrad(loss(unfusedDense as typeof fusedDense), { argnums: [0, 1, 2] })(x, w, b);
    fused.forEach((g, i) => assertClose(g, plain[i], `${act} grad ${i}`));
  }
});

test("fusedDense skips the input gradient when no gradient can reach the input (a first layer)", () => {
  const x = randomTensor([4, 3], 1);
  const w = new Variable(randomTensor([3, 2], 2), { name: "w" });
  const b = new Variable(randomTensor([2], 3), { name: "b" });
  withSpy((calls) => {
    const [, grads] = keras.valueAndGrad(() => ops.sum(fusedDense(x, w.value, b.value, "relu")), { variables: [w, b] })();
    const backward = calls.filter((c) => c.name === "denseBackward");
    assert.equal(backward.length, 1);
    assert.deepEqual(backward[0].args.slice(8), [false, true, true], "needDX false, needDW and needDB true");
    assert.deepEqual([...grads[0].shape], [3, 2]);
    calls.length = 0;
    // With respect to the input too: now dX is computed.
    keras.valueAndGrad((xi: Tensor) => ops.sum(fusedDense(xi, w.value, b.value, "tanh")))(x);
    assert.deepEqual(calls.find((c) => c.name === "denseBackward")!.args.slice(8), [true, false, false]);
  });
});

test("Dense uses one fused kernel per call; other activations run on its linear output", () => {
  const x = randomTensor([5, 4], 3);
  withSpy((calls) => {
    for (const activation of ["relu", "sigmoid", "tanh", "linear", undefined]) {
      calls.length = 0;
      const layer = new keras.layers.Dense(3, { activation });
      const out = layer.apply(x) as Tensor;
      const forward = calls.filter((c) => c.name === "denseForward");
      assert.equal(forward.length, 1, `${activation}`);
      assert.equal(forward[0].args[6], activation ?? "linear");
      assertClose(out, unfusedDense(x, layer.kernel!.value, layer.bias!.value, (activation ?? "linear") as DenseActivation), `Dense ${activation}`);
    }
    calls.length = 0;
    const elu = new keras.layers.Dense(3, { activation: "elu", useBias: false });
    const out = elu.apply(x) as Tensor;
    assert.equal(calls.filter((c) => c.name === "denseForward")[0].args[6], "linear");
    assert.equal(calls.filter((c) => c.name === "denseForward")[0].args[2], null);
    assertClose(out, ops.elu(ops.matmul(x, elu.kernel!.value)), "Dense elu");
  });
});

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
    const viaLogits = withSpy((calls) => {
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
  withSpy((calls) => {
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
