import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../src/index.js";
import { checkGradients, randomTensor } from "../helpers/gradcheck.js";

const { ops } = keras;
type Tensor = keras.Tensor;

/** Keras's utils.normalize (its NumPy path) written with float32 ops: the numbers normalize must give. */
function normalizeFormula(x: Tensor, axis: number | number[], order: number): Tensor {
  const t = ops.cast(x, "float32");
  let norm: Tensor;
  if (order === 2) norm = ops.sqrt(ops.sum(ops.square(t), axis, true));
  else if (order === 1) norm = ops.sum(ops.abs(t), axis, true);
  else if (order === Infinity) norm = ops.max(ops.abs(t), axis, true);
  else norm = ops.power(ops.sum(ops.power(ops.abs(t), order), axis, true), 1 / order);
  return ops.divide(t, ops.where(ops.equal(norm, 0), 1, norm));
}

test("toCategorical one-hot encodes, infers the class count and drops a trailing 1-axis", () => {
  assert.deepEqual(keras.utils.toCategorical([0, 2, 1]).arraySync(), [[1, 0, 0], [0, 0, 1], [0, 1, 0]]);
  const t = keras.utils.toCategorical(ops.convertToTensor([[1], [0]]), 3);
  assert.deepEqual(t.shape, [2, 3]);
  assert.equal(t.dtype, "float32");
  assert.throws(() => keras.utils.toCategorical([0, 3], 3), /label 3 is out of range for numClasses=3/);
});

test("normalize divides by the L2 norm along an axis and leaves zero rows alone", () => {
  const x = ops.convertToTensor([[3, 4], [0, 0]], "uint8");
  const n = keras.utils.normalize(x, 1);
  assert.equal(n.dtype, "float32");
  assert.deepEqual(n.arraySync(), [[0.6000000238418579, 0.800000011920929], [0, 0]]);
  const byColumn = keras.utils.normalize(ops.convertToTensor([[3, 1], [4, 0]], "float32"), 0);
  assert.deepEqual(byColumn.arraySync(), [[0.6000000238418579, 1], [0.800000011920929, 0]]);
});

test("normalize gives the op-by-op formula's numbers bit for bit, for every input dtype, axis and order", () => {
  const shape = [4, 5, 6];
  const float = ops.where(ops.greater(randomTensor(shape, 21), 0.8), 0, randomTensor(shape, 22, -50, 50));
  const bytes = ops.cast(ops.multiply(randomTensor(shape, 23, 0, 1), 256), "uint8");
  const ints = ops.cast(ops.multiply(randomTensor(shape, 24), 3e8), "int32");
  const bools = ops.greater(randomTensor(shape, 25), 0);
  // A zero slice along axis 1 of the images, so the zero-norm rule is exercised.
  const withZeros = ops.multiply(bytes, ops.reshape(ops.convertToTensor([1, 0, 1, 1], "uint8"), [4, 1, 1]));
  for (const [name, x] of [["float32", float], ["uint8", withZeros], ["int32", ints], ["bool", bools]] as const) {
    for (const axis of [0, 1, -1, [0, 2], [1, 2]]) {
      for (const order of [2, 1, Infinity, 3, 0.5]) {
        const got = keras.utils.normalize(x, axis as number, order);
        const want = normalizeFormula(x, axis, order);
        assert.equal(got.dtype, "float32");
        const a = got.dataSync();
        const b = want.dataSync();
        for (let i = 0; i < a.length; i++) {
          if (!Object.is(a[i], b[i])) assert.fail(`${name} axis ${JSON.stringify(axis)} order ${order}: element ${i} is ${a[i]}, the formula gives ${b[i]}`);
        }
      }
    }
  }
});

test("normalize of MNIST-like uint8 images along axis 1, by hand", () => {
  // Two 2x2 "images"; column norms of the first: sqrt(9 + 16) = 5 and sqrt(0 + 144) = 12.
  const x = ops.convertToTensor([[[3, 0], [4, 12]], [[0, 0], [0, 255]]], "uint8");
  assert.deepEqual(keras.utils.normalize(x, 1).arraySync(), [
    [[Math.fround(0.6), 0], [Math.fround(0.8), 1]],
    [[0, 0], [0, 1]],
  ]);
});

test("normalize rejects bad orders and axes", () => {
  const x = ops.convertToTensor([[1, 2]], "float32");
  assert.throws(() => keras.utils.normalize(x, -1, 0), /normalize: order must be a positive number or Infinity, got 0/);
  assert.throws(() => keras.utils.normalize(x, -1, NaN), /order must be a positive number or Infinity, got NaN/);
  assert.throws(() => keras.utils.normalize(x, 2), /normalize: axis 2 is out of bounds for a tensor of rank 2/);
  assert.throws(() => keras.utils.normalize(ops.zeros([2, 0]), 1, Infinity), /normalize: zero-size axis 1 of a tensor of shape \[2,0\] has no maximum/);
  assert.deepEqual([...keras.utils.normalize(ops.zeros([2, 0]), 1).shape], [2, 0]);
});

test("normalize: gradients match finite differences for every order", () => {
  const x = randomTensor([3, 4], 31);
  for (const order of [2, 1, 3, 1.5]) checkGradients((t) => keras.utils.normalize(t, -1, order), [x]);
  checkGradients((t) => keras.utils.normalize(t, 0), [x]);
  checkGradients((t) => keras.utils.normalize(ops.reshape(t, [2, 2, 3]), [0, 2] as unknown as number), [x]);
  // Distinct magnitudes, so the max is never tied within a finite-difference step.
  const spread = ops.multiply(randomTensor([3, 4], 32), ops.reshape(ops.arange(1, 13, 1, "float32"), [3, 4]));
  checkGradients((t) => keras.utils.normalize(t, -1, Infinity), [spread]);
});

test("normalize: a zero slice passes the gradient through unscaled", () => {
  const x = ops.convertToTensor([[0, 0], [3, 4]], "float32");
  const [, g] = keras.valueAndGrad((t: Tensor) => ops.sum(ops.multiply(keras.utils.normalize(t), ops.convertToTensor([[2, 5], [1, 1]], "float32"))))(x);
  const v = g.arraySync() as number[][];
  assert.deepEqual(v[0], [2, 5]);
  // d/dx (x1 + x2) / |x| at (3, 4): (|x|² - x·(x1 + x2)) / |x|³ = (25 - 3 * 7, 25 - 4 * 7) / 125.
  assert.ok(Math.abs(v[1][0] - 4 / 125) < 1e-6 && Math.abs(v[1][1] + 3 / 125) < 1e-6, JSON.stringify(v[1]));
});
