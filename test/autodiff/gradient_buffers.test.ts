import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../src/index.js";
import { GradientBuffers } from "../../src/autodiff/gradient_buffers.js";
import { linear } from "../../src/ops/linear.js";

const { ops } = keras;

function weights(seed: number): keras.Variable[] {
  keras.utils.setRandomSeed(seed);
  return [new keras.Variable(keras.random.normal([4, 3]), { name: "w" }), new keras.Variable(keras.random.normal([3]), { name: "b" })];
}

test("valueAndGrad with gradientBuffers: the same gradients, written into the same memory every call", () => {
  const [w, b] = weights(1);
  const x = keras.random.uniform([5, 4]);
  const loss = () => ops.sum(ops.square(linear(x, w.value, b.value, "tanh")));
  const [, fresh] = keras.valueAndGrad(loss, { variables: [w, b] })();
  const buffers = new GradientBuffers();
  const [, first] = keras.valueAndGrad(loss, { variables: [w, b], gradientBuffers: buffers })();
  const [, second] = keras.valueAndGrad(loss, { variables: [w, b], gradientBuffers: buffers })();
  first.forEach((g, i) => assert.deepEqual(Array.from(g.dataSync()), Array.from(fresh[i].dataSync()), `gradient ${i}`));
  assert.equal(first[0].storage, second[0].storage, "the kernel gradient reuses its buffer");
  assert.equal(first[1].storage, second[1].storage, "the bias gradient reuses its buffer");
  assert.notEqual(fresh[0].storage, first[0].storage);
  assert.equal(first[0].storage, buffers.bufferFor(w));
});

test("a weight used twice gets the sum of both contributions (only the first goes to the buffer)", () => {
  const [w] = weights(2);
  const x = keras.random.uniform([2, 4]);
  const twice = () => ops.sum(ops.add(linear(x, w.value, null, "relu"), linear(ops.multiply(x, 2), w.value, null, "sigmoid")));
  const [, expected] = keras.valueAndGrad(twice, { variables: [w] })();
  const [, got] = keras.valueAndGrad(twice, { variables: [w], gradientBuffers: new GradientBuffers() })();
  const a = got[0].dataSync();
  const e = expected[0].dataSync();
  for (let i = 0; i < e.length; i++) assert.ok(Math.abs(a[i] - e[i]) <= 1e-6 * (1 + Math.abs(e[i])), `element ${i}: ${a[i]} vs ${e[i]}`);
});

test("a variable assigned a gradient buffer's tensor copies it, so the next step cannot change it", () => {
  const [w] = weights(3);
  const x = keras.random.uniform([2, 4]);
  const buffers = new GradientBuffers();
  const [, [g]] = keras.valueAndGrad(() => ops.sum(linear(x, w.value, null, "linear")), { variables: [w], gradientBuffers: buffers })();
  const kept = new keras.Variable(g, { name: "kept" });
  const before = Array.from(kept.value.dataSync());
  keras.valueAndGrad(() => ops.sum(ops.multiply(linear(x, w.value, null, "linear"), 3)), { variables: [w], gradientBuffers: buffers })();
  assert.deepEqual(Array.from(kept.value.dataSync()), before);
  assert.throws(() => keras.valueAndGrad((a: keras.Tensor) => ops.sum(a), { gradientBuffers: buffers } as never)(ops.ones([2])), /`gradientBuffers` needs `variables`/);
});
