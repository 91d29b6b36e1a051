import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../src/index.js";
import { checkGradients, randomTensor } from "../helpers/gradcheck.js";

const { ops } = keras;

test("valueAndGrad of a scalar loss w.r.t. argument 0", () => {
  const f = (x: keras.Tensor) => ops.sum(ops.multiply(x, x));
  const [value, g] = keras.valueAndGrad(f)(ops.convertToTensor([1, 2, 3], "float32"));
  assert.equal(value.item(), 14);
  assert.deepEqual(g.arraySync(), [2, 4, 6]);
});

test("argnums as an array gives one gradient per argument", () => {
  const f = (a: keras.Tensor, b: keras.Tensor) => ops.sum(ops.multiply(a, b));
  const a = ops.convertToTensor([1, 2], "float32");
  const b = ops.convertToTensor([3, 5], "float32");
  const [, [ga, gb]] = keras.valueAndGrad(f, { argnums: [0, 1] })(a, b);
  assert.deepEqual(ga.arraySync(), [3, 5]);
  assert.deepEqual(gb.arraySync(), [1, 2]);
});

test("the same tensor passed twice gets separate gradients", () => {
  const f = (a: keras.Tensor, b: keras.Tensor) => ops.sum(ops.multiply(a, ops.multiply(b, b)));
  const x = ops.convertToTensor([2], "float32");
  const [ga, gb] = keras.grad(f, { argnums: [0, 1] })(x, x);
  assert.deepEqual(ga.arraySync(), [4]);
  assert.deepEqual(gb.arraySync(), [8]);
});

test("gradients with respect to variables", () => {
  const w = new keras.Variable(ops.convertToTensor([[1, 2], [3, 4]], "float32"), { name: "w" });
  const b = new keras.Variable(ops.zeros([2]), { name: "b" });
  const x = ops.convertToTensor([[1, 1]], "float32");
  const loss = () => ops.sum(ops.add(ops.matmul(x, w), b));
  const [value, [gw, gb]] = keras.valueAndGrad(loss, { variables: [w, b] })();
  assert.equal(value.item(), 10);
  assert.deepEqual(gw.arraySync(), [[1, 1], [1, 1]]);
  assert.deepEqual(gb.arraySync(), [1, 1]);
});

test("hasAux passes auxiliary output through", () => {
  const f = (x: keras.Tensor): [keras.Tensor, string] => [ops.sum(x), "aux"];
  const [[value, aux], g] = keras.valueAndGrad(f, { hasAux: true })(ops.ones([3]));
  assert.equal(value.item(), 3);
  assert.equal(aux, "aux");
  assert.deepEqual(g.arraySync(), [1, 1, 1]);
});

test("an unused argument gets a zero gradient", () => {
  const f = (a: keras.Tensor, _b: keras.Tensor) => ops.sum(a);
  const [, gb] = keras.grad(f, { argnums: [0, 1] })(ops.ones([2]), ops.ones([3]));
  assert.deepEqual(gb.arraySync(), [0, 0, 0]);
});

test("non-scalar outputs and integer inputs are rejected with a clear error", () => {
  assert.throws(() => keras.grad((x: keras.Tensor) => ops.multiply(x, 2))(ops.ones([3])), /must return a scalar.*\[3\]/);
  assert.throws(() => keras.grad((x: keras.Tensor) => ops.sum(x))(ops.convertToTensor([1, 2])), /argument 0 has dtype int32/);
  assert.throws(() => keras.grad((x: keras.Tensor) => ops.sum(x), { argnums: 2 })(ops.ones([1])), /argnums 2/);
});

test("stopGradient blocks gradient flow", () => {
  const f = (x: keras.Tensor) => ops.sum(ops.multiply(x, ops.stopGradient(x)));
  const g = keras.grad(f)(ops.convertToTensor([3], "float32"));
  assert.deepEqual(g.arraySync(), [3]);
});

test("matmul gradients with broadcasting batch dims match finite differences", () => {
  checkGradients((a, b) => ops.matmul(a, b), [randomTensor([2, 3, 4], 1), randomTensor([4, 5], 2)]);
  checkGradients((a, b) => ops.matmul(a, b), [randomTensor([3], 3), randomTensor([2, 3, 2], 4)]);
});

test("a gradient checker that is given a wrong gradient fails", () => {
  // Guards the checker itself: stopGradient makes autodiff see half the true derivative.
  assert.throws(() => checkGradients((x) => ops.multiply(x, ops.stopGradient(x)), [randomTensor([3], 5)]), /gradient mismatch/);
});
