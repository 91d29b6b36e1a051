import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../src/index.js";
import { unaryOp } from "../../src/ops/dispatch.js";
import { checkGradients, randomTensor } from "../helpers/gradcheck.js";

const { ops } = keras;
type Tensor = keras.Tensor;

const f32 = (x: keras.NestedArray) => ops.convertToTensor(x, "float32");
const fr = Math.fround;

function assertBits(actual: Tensor, expected: Tensor, what: string): void {
  assert.deepEqual([...actual.shape], [...expected.shape], `${what}: shape`);
  const a = actual.dataSync();
  const b = expected.dataSync();
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) assert.fail(`${what}: element ${i} is ${a[i]}, the op-by-op formula gives ${b[i]}`);
  }
}

/** Keras 3's `_normalize`, written with the float32 ops (the definition the kernel must match). */
function kerasFormula(x: Tensor, axis: number | number[] | null, order: number, epsilon = 1e-7): Tensor {
  const t = ops.cast(x, "float32");
  if (order === 2) return ops.multiply(t, ops.minimum(unaryOp("rsqrt", ops.sum(ops.square(t), axis, true)), 1 / epsilon));
  const norm = order === 1 ? ops.sum(ops.abs(t), axis, true) : ops.power(ops.sum(ops.power(ops.abs(t), order), axis, true), 1 / order);
  return ops.divide(t, ops.maximum(norm, epsilon));
}

test("normalize: hand-computed L2, L1 and L3 rows", () => {
  // 3-4-5 triangle: norm 5; the zero row has rsqrt(0) = inf, clamped to 1/epsilon, times 0.
  assert.deepEqual(ops.normalize(f32([[3, 4], [0, 0]])).arraySync(), [[fr(0.6), fr(0.8)], [0, 0]]);
  assert.deepEqual(ops.normalize(f32([[1, -3], [0, 0]]), -1, 1).arraySync(), [[0.25, -0.75], [0, 0]]);
  // |1|^3 + |2|^3 = 9, 9^(1/3) = 2.0800838...
  const cubeRoot9 = fr(Math.pow(9, fr(1 / 3)));
  assert.deepEqual(ops.normalize(f32([1, -2]), 0, 3).arraySync(), [fr(1 / cubeRoot9), fr(-2 / cubeRoot9)]);
  // Along axis 0: columns [3, 4] and [0, 2].
  assert.deepEqual(ops.normalize(f32([[3, 0], [4, 2]]), 0).arraySync(), [[fr(0.6), 0], [fr(0.8), 1]]);
});

test("normalize: Keras's docstring example, integers give float32", () => {
  const out = ops.normalize(ops.convertToTensor([[1, 2, 3], [4, 5, 6]]));
  assert.equal(out.dtype, "float32");
  const expected = [[0.26726124, 0.5345225, 0.8017837], [0.45584232, 0.5698029, 0.68376344]];
  const v = out.arraySync() as number[][];
  for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) assert.ok(Math.abs(v[i][j] - expected[i][j]) < 1e-7, `[${i}][${j}] ${v[i][j]}`);
});

test("normalize: epsilon bounds the norm from below", () => {
  // norm 1e-9 < epsilon 1e-7: order 2 scales by 1/epsilon, order 1 divides by epsilon.
  const tiny = f32([1e-9, 0]);
  assert.deepEqual(ops.normalize(tiny).arraySync(), [fr(fr(1e-9) * fr(1e7)), 0]);
  assert.deepEqual(ops.normalize(tiny, -1, 1).arraySync(), [fr(fr(1e-9) / fr(1e-7)), 0]);
  assert.deepEqual(ops.normalize(f32([3, 4]), -1, 2, 10).arraySync(), [fr(0.3), fr(0.4)]);
  assert.deepEqual(ops.normalize(f32([3, 4]), -1, 2, 0).arraySync(), [fr(0.6), fr(0.8)]);
});

test("normalize: a scalar is a vector of one element; several axes with order 2", () => {
  const s = ops.normalize(-4);
  assert.deepEqual([...s.shape], [1]);
  assert.deepEqual(s.arraySync(), [-1]);
  const x = ops.reshape(ops.arange(1, 13, 1, "float32"), [2, 3, 2]);
  assertBits(ops.normalize(x, [0, 2]), kerasFormula(x, [0, 2], 2), "axes [0, 2]");
  assertBits(ops.normalize(x, null), kerasFormula(x, null, 2), "all axes");
});

test("normalize: the kernel gives the numbers of Keras's formula written op by op", () => {
  const float = randomTensor([5, 4, 6], 3, -3, 3);
  const bytes = ops.cast(ops.multiply(randomTensor([5, 4, 6], 4, 0, 1), 255), "uint8");
  const ints = ops.cast(ops.multiply(randomTensor([5, 4, 6], 5, -1, 1), 1e8), "int32");
  for (const [name, x] of [["float32", float], ["uint8", bytes], ["int32", ints]] as const) {
    for (const axis of [0, 1, 2, -1]) {
      for (const order of [1, 2, 3, 4]) assertBits(ops.normalize(x, axis, order), kerasFormula(x, axis, order), `${name} axis ${axis} order ${order}`);
    }
  }
});

test("normalize: bad arguments are rejected with clear errors", () => {
  const x = f32([[1, 2], [3, 4]]);
  assert.throws(() => ops.normalize(x, -1, 0), /normalize: order must be an integer >= 1, got 0/);
  assert.throws(() => ops.normalize(x, -1, 1.5), /order must be an integer >= 1, got 1\.5/);
  assert.throws(() => ops.normalize(x, -1, Infinity), /order must be an integer >= 1, got Infinity/);
  assert.throws(() => ops.normalize(x, -1, "2" as unknown as number), /order must be an integer >= 1, got 2/);
  assert.throws(() => ops.normalize(x, [0, 1], 1), /normalize: order 1 over several axes \(\[0,1\]\) is a matrix norm/);
  assert.throws(() => ops.normalize(x, -1, 2, -1), /normalize: epsilon must be a finite number >= 0, got -1/);
  assert.throws(() => ops.normalize(x, 2), /normalize: axis 2 is out of bounds for a tensor of rank 2/);
});

test("normalize: gradients match finite differences (L2, L1, L3, several axes)", () => {
  const x = randomTensor([3, 4], 11);
  checkGradients((t) => ops.normalize(t), [x]);
  checkGradients((t) => ops.normalize(t, 0), [x]);
  checkGradients((t) => ops.normalize(t, -1, 1), [x]);
  checkGradients((t) => ops.normalize(t, -1, 3), [x]);
  checkGradients((t) => ops.normalize(t, 0, 3), [x]);
  checkGradients((t) => ops.normalize(ops.reshape(t, [3, 2, 2]), [1, 2]), [x]);
});

test("normalize: gradients where epsilon clamps the norm (then x / epsilon is linear)", () => {
  const x = randomTensor([2, 3], 12);
  checkGradients((t) => ops.normalize(t, -1, 2, 10), [x]);
  checkGradients((t) => ops.normalize(t, -1, 1, 10), [x]);
  checkGradients((t) => ops.normalize(t, -1, 3, 10), [x]);
  const [, g] = keras.valueAndGrad((t: Tensor) => ops.sum(ops.normalize(t, -1, 2, 10)))(x);
  for (const v of g.dataSync()) assert.equal(v, fr(0.1));
});
