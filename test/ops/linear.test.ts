import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../src/index.js";
import { checkGradients, randomTensor } from "../helpers/gradcheck.js";
import { linear } from "../../src/ops/linear.js";
import type { EpilogueActivation } from "../../src/backend/fused_kernels.js";
import { Variable } from "../../src/backend/variable.js";
import { assertAllClose as assertClose } from "../helpers/close.js";
import { withKernelSpy } from "../helpers/backends.js";

const { ops, losses } = keras;
type Tensor = keras.Tensor;

/** The kernels whose calls these tests count. */
const SPIED = ["linearForward", "linearBackward", "softmaxCrossEntropy", "softmaxCrossEntropyBackward", "adamUpdate"];

const ACTIVATIONS: EpilogueActivation[] = ["linear", "relu", "sigmoid", "tanh"];

/** The unfused ops: activation(matmul(x, w) + b). */
function unlinear(x: Tensor, w: Tensor, b: Tensor | null, act: EpilogueActivation): Tensor {
  let z = ops.matmul(x, w);
  if (b !== null) z = ops.add(z, b);
  return act === "linear" ? z : act === "relu" ? ops.relu(z) : act === "sigmoid" ? ops.sigmoid(z) : ops.tanh(z);
}

test("linear (the fused path) equals matmul + bias + activation (2-d and 3-d inputs, with and without bias)", () => {
  let seed = 1;
  for (const act of ACTIVATIONS) {
    for (const shape of [[4, 6], [2, 3, 6], [1, 6]]) {
      const x = randomTensor(shape, seed++, -2, 2);
      const w = randomTensor([6, 5], seed++);
      const b = randomTensor([5], seed++);
      assertClose(linear(x, w, b, act), unlinear(x, w, b, act), `${act} ${shape}`);
      assertClose(linear(x, w, null, act), unlinear(x, w, null, act), `${act} ${shape} no bias`);
    }
  }
  assert.throws(() => linear(randomTensor([2, 3]), randomTensor([4, 5]), null, "relu"), /cannot multiply/);
  assert.throws(() => linear(randomTensor([2, 3]), randomTensor([3, 5]), randomTensor([4]), "relu"), /bias must have shape/);
});

test("linear gradients match finite differences for every activation (x, kernel and bias)", () => {
  let seed = 10;
  for (const act of ACTIVATIONS) {
    const x = randomTensor([3, 4], seed++, -1.5, 1.5);
    const w = randomTensor([4, 5], seed++);
    const b = randomTensor([5], seed++, -0.5, 0.5);
    // A small step keeps relu's finite differences off its kink for these inputs.
    checkGradients((xi, wi, bi) => linear(xi, wi, bi, act), [x, w, b], { eps: act === "relu" ? 1e-3 : 1e-2 });
    checkGradients((xi, wi) => linear(xi, wi, null, act), [ops.reshape(x, [3, 1, 4]), w], { eps: act === "relu" ? 1e-3 : 1e-2 });
  }
});

test("linear gradients equal the unfused ops' gradients", () => {
  let seed = 20;
  for (const act of ACTIVATIONS) {
    const x = randomTensor([8, 7], seed++, -2, 2);
    const w = randomTensor([7, 6], seed++);
    const b = randomTensor([6], seed++);
    const weights = randomTensor([8, 6], seed++);
    const loss = (f: typeof linear) => (xi: Tensor, wi: Tensor, bi: Tensor) => ops.sum(ops.multiply(f(xi, wi, bi, act), weights));
    const [, fused] = keras.valueAndGrad(loss(linear), { argnums: [0, 1, 2] })(x, w, b);
    const [, plain] = keras.valueAndGrad(loss(unlinear as typeof linear), { argnums: [0, 1, 2] })(x, w, b);
    fused.forEach((g, i) => assertClose(g, plain[i], `${act} grad ${i}`));
  }
});

test("linear skips the input gradient when no gradient can reach the input (a first layer)", () => {
  const x = randomTensor([4, 3], 1);
  const w = new Variable(randomTensor([3, 2], 2), { name: "w" });
  const b = new Variable(randomTensor([2], 3), { name: "b" });
  withKernelSpy(SPIED, (calls) => {
    const [, grads] = keras.valueAndGrad(() => ops.sum(linear(x, w.value, b.value, "relu")), { variables: [w, b] })();
    const backward = calls.filter((c) => c.name === "linearBackward");
    assert.equal(backward.length, 1);
    assert.deepEqual(backward[0].args.slice(8), [false, true, true], "needDX false, needDW and needDB true");
    assert.deepEqual([...grads[0].shape], [3, 2]);
    calls.length = 0;
    // With respect to the input too: now dX is computed.
    keras.valueAndGrad((xi: Tensor) => ops.sum(linear(xi, w.value, b.value, "tanh")))(x);
    assert.deepEqual(calls.find((c) => c.name === "linearBackward")!.args.slice(8), [true, false, false]);
  });
});

test("Dense uses one fused kernel per call; other activations run on its linear output", () => {
  const x = randomTensor([5, 4], 3);
  withKernelSpy(SPIED, (calls) => {
    for (const activation of ["relu", "sigmoid", "tanh", "linear", undefined]) {
      calls.length = 0;
      const layer = new keras.layers.Dense(3, { activation });
      const out = layer.apply(x) as Tensor;
      const forward = calls.filter((c) => c.name === "linearForward");
      assert.equal(forward.length, 1, `${activation}`);
      assert.equal(forward[0].args[6], activation ?? "linear");
      assertClose(out, unlinear(x, layer.kernel!.value, layer.bias!.value, (activation ?? "linear") as EpilogueActivation), `Dense ${activation}`);
    }
    calls.length = 0;
    const elu = new keras.layers.Dense(3, { activation: "elu", useBias: false });
    const out = elu.apply(x) as Tensor;
    assert.equal(calls.filter((c) => c.name === "linearForward")[0].args[6], "linear");
    assert.equal(calls.filter((c) => c.name === "linearForward")[0].args[2], null);
    assertClose(out, ops.elu(ops.matmul(x, elu.kernel!.value)), "Dense elu");
  });
});
