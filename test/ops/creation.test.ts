import { test } from "node:test";
import assert from "node:assert/strict";
import * as ops from "../../src/ops/index.js";
import type { DType } from "../../src/backend/dtypes.js";
import { Variable } from "../../src/backend/variable.js";
import { SGD } from "../../src/optimizers/index.js";
import { checkGradients, randomTensor } from "../helpers/gradcheck.js";

const close = (actual: number[], expected: number[], tol = 1e-6) => {
  assert.equal(actual.length, expected.length, `length ${actual.length} vs ${expected.length}`);
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]) <= tol, `element ${i}: ${a} vs ${expected[i]}`));
};

test("zeros and ones: float32 by default, any dtype, shape as array or number", () => {
  const z = ops.zeros([2, 3]);
  assert.equal(z.dtype, "float32");
  assert.deepEqual(z.arraySync(), [[0, 0, 0], [0, 0, 0]]);
  assert.deepEqual(ops.ones([2], "int32").arraySync(), [1, 1]);
  assert.deepEqual(ops.ones([2], "bool").arraySync(), [true, true]);
  assert.deepEqual(ops.ones(3).shape, [3]);
  assert.deepEqual(ops.zeros([]).arraySync(), 0);
  assert.deepEqual(ops.zeros([0, 4]).shape, [0, 4]);
});

test("full: float32 unless dtype is given (as Keras), values stored in the dtype", () => {
  const f = ops.full([2, 2], 7);
  assert.equal(f.dtype, "float32");
  assert.deepEqual(f.arraySync(), [[7, 7], [7, 7]]);
  assert.deepEqual(ops.full([3], 2.5, "int32").arraySync(), [2, 2, 2]);
  assert.deepEqual(ops.full([2], -1, "float32").arraySync(), [-1, -1]);
  assert.deepEqual(ops.full([2], true).arraySync(), [1, 1]);
  assert.deepEqual(ops.full([2], 3, "bool").arraySync(), [true, true]);
  assert.deepEqual(ops.full([1], NaN).arraySync(), [NaN]);
});

test("zerosLike, onesLike, fullLike keep the shape and dtype unless told otherwise", () => {
  const x = ops.convertToTensor([[1, 2, 3]]);
  const z = ops.zerosLike(x);
  assert.equal(z.dtype, "int32");
  assert.deepEqual(z.arraySync(), [[0, 0, 0]]);
  assert.deepEqual(ops.onesLike(x, "float32").arraySync(), [[1, 1, 1]]);
  assert.equal(ops.onesLike(x, "float32").dtype, "float32");
  assert.deepEqual(ops.fullLike(x, 2.5).arraySync(), [[2, 2, 2]]);
  assert.deepEqual(ops.fullLike([0.5, 1], 2.5).arraySync(), [2.5, 2.5]);
  assert.deepEqual(ops.fullLike(x, 2.5, "float32").arraySync(), [[2.5, 2.5, 2.5]]);
  assert.deepEqual(ops.zerosLike([true]).arraySync(), [false]);
});

test("creation errors: bad shapes, dtypes and fill values", () => {
  assert.throws(() => ops.zeros([2, -1]), (e: Error) => e instanceof RangeError && /zeros|full/.test(e.message) && /non-negative integers, got \[2,-1\]/.test(e.message));
  assert.throws(() => ops.zeros([1.5]), /non-negative integers/);
  assert.throws(() => ops.ones("3" as never), /shape must be an array of non-negative integers/);
  assert.throws(() => ops.zeros([2], "float64" as DType), /unsupported dtype "float64"/);
  assert.throws(() => ops.full([2], "a" as never), /full: fill value must be a number or boolean, got string/);
  assert.throws(() => ops.full([2], 300, "uint8"), (e: Error) => e instanceof RangeError && /full: 300 cannot be stored as uint8 \(range 0..255\)/.test(e.message));
  assert.throws(() => ops.full([2], NaN, "int32"), /NaN cannot be stored as int32/);
  assert.throws(() => ops.zerosLike([[1], [2, 3]]), /zerosLike: ragged/);
});

test("arange: one, two or three arguments, NumPy lengths", () => {
  assert.deepEqual(ops.arange(5).arraySync(), [0, 1, 2, 3, 4]);
  assert.deepEqual(ops.arange(2, 5).arraySync(), [2, 3, 4]);
  assert.deepEqual(ops.arange(0, 10, 3).arraySync(), [0, 3, 6, 9]);
  assert.deepEqual(ops.arange(5, 0, -2).arraySync(), [5, 3, 1]);
  assert.deepEqual(ops.arange(1, 2, 0.25).arraySync(), [1, 1.25, 1.5, 1.75]);
  assert.deepEqual(ops.arange(5, null, 2).arraySync(), [0, 2, 4]);
  assert.deepEqual(ops.arange(0).arraySync(), []);
  assert.deepEqual(ops.arange(5, 2).arraySync(), []);
  assert.deepEqual(ops.arange(-3).arraySync(), []);
  close([...ops.arange(0, 1, 0.1).dataSync()], [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
});

test("arange dtype: int32 when every argument is an integer, else float32, or as given", () => {
  assert.equal(ops.arange(5).dtype, "int32");
  assert.equal(ops.arange(0, 5, 1).dtype, "int32");
  assert.equal(ops.arange(2.5).dtype, "float32");
  assert.deepEqual(ops.arange(2.5).arraySync(), [0, 1, 2]);
  assert.equal(ops.arange(0, 1, 0.5).dtype, "float32");
  assert.equal(ops.arange(0, 2.5).dtype, "float32");
  const f = ops.arange(3, undefined, 1, "float32");
  assert.equal(f.dtype, "float32");
  assert.deepEqual(f.arraySync(), [0, 1, 2]);
  assert.deepEqual(ops.arange(3, undefined, 1, "uint8").arraySync(), [0, 1, 2]);
});

test("arange errors", () => {
  assert.throws(() => ops.arange(0, 5, 0), (e: Error) => e instanceof RangeError && /arange: step must not be zero/.test(e.message));
  assert.throws(() => ops.arange(0, Infinity), /arange: arguments must be finite/);
  assert.throws(() => ops.arange(NaN), /arange: start must be a number/);
  assert.throws(() => ops.arange("3" as never), /arange: start must be a number, got 3/);
  assert.throws(() => ops.arange(0, 4e9, 1e9), /arange: 3000000000 cannot be stored as int32/);
  assert.throws(() => ops.arange(0, 1e10, 1e-3), /too many/);
  assert.throws(() => ops.arange(3, undefined, 1, "float64" as DType), /unsupported dtype/);
});

test("linspace: endpoint included by default, float32, NumPy spacing", () => {
  const t = ops.linspace(0, 1, 5);
  assert.equal(t.dtype, "float32");
  assert.deepEqual(t.arraySync(), [0, 0.25, 0.5, 0.75, 1]);
  assert.deepEqual(ops.linspace(0, 1, 4, false).arraySync(), [0, 0.25, 0.5, 0.75]);
  assert.deepEqual(ops.linspace(2, -2, 3).arraySync(), [2, 0, -2]);
  assert.deepEqual(ops.linspace(3, 7, 1).arraySync(), [3]);
  assert.deepEqual(ops.linspace(3, 7, 0).arraySync(), []);
  assert.equal(ops.linspace(0, 1).size, 50);
  close([...ops.linspace(0, 1, 3, true).dataSync()], [0, 0.5, 1]);
  close([...ops.linspace(0, 1, 3, false).dataSync()], [0, 1 / 3, 2 / 3]);
  // The last sample is exactly stop, whatever the rounding of the steps.
  assert.equal(ops.linspace(0.1, 0.7, 7).dataSync()[6], Math.fround(0.7));
  // Integer dtypes take the floor, as NumPy 2.
  assert.deepEqual(ops.linspace(0, 5, 4, true, "int32").arraySync(), [0, 1, 3, 5]);
  assert.deepEqual(ops.linspace(-1, 0, 3, true, "int32").arraySync(), [-1, -1, 0]);
});

test("linspace errors", () => {
  assert.throws(() => ops.linspace(0, 1, -1), /linspace: num must be a non-negative integer, got -1/);
  assert.throws(() => ops.linspace(0, 1, 2.5), /num must be a non-negative integer/);
  assert.throws(() => ops.linspace(0, NaN, 3), /linspace: stop must be a number/);
  assert.throws(() => ops.linspace(0, 1, 3, "yes" as never), /endpoint must be a boolean/);
  assert.throws(() => ops.linspace(0, 300, 2, true, "uint8"), /linspace: 300 cannot be stored as uint8/);
});

test("eye: rows, columns, diagonal offset, dtype", () => {
  assert.deepEqual(ops.eye(2).arraySync(), [[1, 0], [0, 1]]);
  assert.equal(ops.eye(2).dtype, "float32");
  assert.deepEqual(ops.eye(2, 3).arraySync(), [[1, 0, 0], [0, 1, 0]]);
  assert.deepEqual(ops.eye(3, 2).arraySync(), [[1, 0], [0, 1], [0, 0]]);
  assert.deepEqual(ops.eye(3, null, 1).arraySync(), [[0, 1, 0], [0, 0, 1], [0, 0, 0]]);
  assert.deepEqual(ops.eye(3, 3, -2).arraySync(), [[0, 0, 0], [0, 0, 0], [1, 0, 0]]);
  assert.deepEqual(ops.eye(2, 2, 5).arraySync(), [[0, 0], [0, 0]]);
  assert.deepEqual(ops.eye(2, 2, 0, "int32").arraySync(), [[1, 0], [0, 1]]);
  assert.deepEqual(ops.eye(2, 2, 0, "bool").arraySync(), [[true, false], [false, true]]);
  assert.deepEqual(ops.eye(0).shape, [0, 0]);
  assert.throws(() => ops.eye(-1), /eye: N must be a non-negative integer, got -1/);
  assert.throws(() => ops.eye(2, 1.5), /eye: M must be a non-negative integer/);
  assert.throws(() => ops.eye(2, 2, 0.5), /eye: k must be an integer/);
  assert.throws(() => ops.eye(2, 2, 0, "x" as DType), /unsupported dtype "x"/);
});

test("identity and tri", () => {
  assert.deepEqual(ops.identity(3).arraySync(), [[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
  assert.equal(ops.identity(1, "int32").dtype, "int32");
  assert.throws(() => ops.identity(-2), /identity: N must be a non-negative integer/);
  assert.deepEqual(ops.tri(3).arraySync(), [[1, 0, 0], [1, 1, 0], [1, 1, 1]]);
  assert.deepEqual(ops.tri(2, 3, 1).arraySync(), [[1, 1, 0], [1, 1, 1]]);
  assert.deepEqual(ops.tri(3, 2, -1).arraySync(), [[0, 0], [1, 0], [1, 1]]);
  assert.deepEqual(ops.tri(2, 2, -5).arraySync(), [[0, 0], [0, 0]]);
  assert.equal(ops.tri(2).dtype, "float32");
});

test("copy: the same values in storage of its own, any dtype; the gradient passes through", () => {
  const v = new Variable([[1, 2], [3, 4]], { dtype: "float32" });
  const snapshot = ops.copy(v);
  assert.deepEqual(snapshot.shape, [2, 2]);
  assert.deepEqual(Array.from(snapshot.dataSync()), [1, 2, 3, 4]);
  // A later in-place update of the variable leaves the copy as it was.
  const live = v.writableValue();
  new SGD({ learningRate: 1 }).apply([ops.ones([2, 2])], [v]);
  assert.deepEqual(Array.from(live.dataSync()), [0, 1, 2, 3]);
  assert.deepEqual(Array.from(snapshot.dataSync()), [1, 2, 3, 4]);
  for (const dtype of ["int32", "uint8", "bool"] as const) {
    const c = ops.copy(ops.convertToTensor([1, 0, 1], dtype));
    assert.equal(c.dtype, dtype);
    assert.deepEqual(Array.from(c.dataSync()), [1, 0, 1]);
  }
  checkGradients((x) => ops.multiply(ops.copy(x), x), [randomTensor([2, 3], 7)]);
});
