import { test } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import * as ops from "../../src/ops/index.js";
import { Tensor } from "../../src/backend/tensor.js";
import { formatShapeTuple, formatTensor } from "../../src/backend/format.js";

const f32 = (x: ops.TensorLike) => ops.convertToTensor(x, "float32");
/** The bare NumPy-style text of a tensor's values. */
const text = (t: Tensor) => formatTensor(t.dataSync(), t.shape, t.dtype);

test("floats: integral values print with a trailing point, columns are uniform", () => {
  assert.equal(text(f32([1, 2, 3])), "[1. 2. 3.]");
  assert.equal(text(f32([[1, 2], [3, 4]])), "[[1. 2.]\n [3. 4.]]");
  assert.equal(text(f32([-1, 2])), "[-1.  2.]");
  assert.equal(text(f32([0.1, 0.25])), "[0.1  0.25]");
  assert.equal(text(f32([0.1, 0.25, -3])), "[ 0.1   0.25 -3.  ]");
  assert.equal(text(f32([0.5, 10.25])), "[ 0.5  10.25]");
  assert.equal(text(f32([-0])), "[-0.]");
});

test("floats print the shortest digits that identify the float32 value", () => {
  assert.equal(text(f32([0.1, 0.2, 0.3])), "[0.1 0.2 0.3]");
  assert.equal(text(f32([1 / 3])), "[0.33333334]");
  assert.equal(text(f32([1.1, 2.2])), "[1.1 2.2]");
  // At most 8 fraction digits, rounded.
  assert.equal(text(f32([0.000123456789, 0.0002])), "[0.00012346 0.0002    ]");
});

test("floats switch to scientific notation for wide or extreme magnitudes", () => {
  assert.equal(text(f32([1e-5, 1, 1000])), "[1.e-05 1.e+00 1.e+03]");
  assert.equal(text(f32([1.5e-5, 1])), "[1.5e-05 1.0e+00]");
  assert.equal(text(f32([1e8])), "[1.e+08]");
  assert.equal(text(f32([0.5, 1000])), "[5.e-01 1.e+03]");
  assert.equal(text(f32([-2.5e10, 1e10])), "[-2.5e+10  1.0e+10]");
  assert.equal(text(f32([0, 1e-5])), "[0.e+00 1.e-05]");
  // A ratio of exactly 1000 stays fixed-point.
  assert.equal(text(f32([1, 1000])), "[   1. 1000.]");
});

test("nan and inf are right-aligned in the float columns", () => {
  assert.equal(text(f32([NaN, 1, Infinity])), "[nan  1. inf]");
  assert.equal(text(f32([1.5, NaN])), "[1.5 nan]");
  assert.equal(text(f32([NaN, -Infinity])), "[ nan -inf]");
  assert.equal(text(f32([NaN, 1, -Infinity])), "[ nan   1. -inf]");
});

test("integers are right-aligned; bools print True/False with NumPy's padding", () => {
  assert.equal(text(ops.convertToTensor([1, -10])), "[  1 -10]");
  assert.equal(text(ops.convertToTensor([1, 200], "uint8")), "[  1 200]");
  assert.equal(text(ops.convertToTensor([true, false, true])), "[ True False  True]");
  assert.equal(text(ops.convertToTensor([true, true])), "[ True  True]");
  assert.equal(text(ops.convertToTensor([[true], [false]])), "[[ True]\n [False]]");
});

test("rank 0 prints the value alone; empty tensors print []", () => {
  assert.equal(text(f32(3)), "3.0");
  assert.equal(text(f32(0.1)), "0.1");
  assert.equal(text(f32(-2.5)), "-2.5");
  assert.equal(text(f32(1e-5)), "1e-05");
  assert.equal(text(f32(1.5e20)), "1.5e+20");
  assert.equal(text(f32(NaN)), "nan");
  assert.equal(text(f32(-Infinity)), "-inf");
  assert.equal(text(ops.convertToTensor(7)), "7");
  assert.equal(text(ops.convertToTensor(false)), "False");
  assert.equal(text(ops.zeros([0])), "[]");
  assert.equal(text(ops.zeros([2, 0, 3])), "[]");
});

test("rank 3 and 4 separate blocks with blank lines", () => {
  assert.equal(
    text(ops.reshape(ops.arange(8), [2, 2, 2])),
    "[[[0 1]\n  [2 3]]\n\n [[4 5]\n  [6 7]]]",
  );
  assert.equal(
    text(ops.reshape(ops.arange(16), [2, 2, 2, 2])),
    "[[[[ 0  1]\n   [ 2  3]]\n\n  [[ 4  5]\n   [ 6  7]]]\n\n\n [[[ 8  9]\n   [10 11]]\n\n  [[12 13]\n   [14 15]]]]",
  );
});

test("long rows wrap at 75 characters like NumPy", () => {
  assert.equal(
    text(ops.arange(30)),
    "[ 0  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15 16 17 18 19 20 21 22 23\n 24 25 26 27 28 29]",
  );
});

test("more than 1000 elements are elided to 3 at each edge, sized by the shown values only", () => {
  assert.equal(text(ops.arange(1000)).includes("..."), false);
  assert.equal(text(ops.arange(1001)), "[   0    1    2 ...  998  999 1000]");
  assert.equal(text(ops.reshape(ops.arange(2000), [2, 1000])), "[[   0    1    2 ...  997  998  999]\n [1000 1001 1002 ... 1997 1998 1999]]");
  assert.equal(
    text(ops.reshape(ops.arange(1600), [40, 40])),
    [
      "[[   0    1    2 ...   37   38   39]",
      " [  40   41   42 ...   77   78   79]",
      " [  80   81   82 ...  117  118  119]",
      " ...",
      " [1480 1481 1482 ... 1517 1518 1519]",
      " [1520 1521 1522 ... 1557 1558 1559]",
      " [1560 1561 1562 ... 1597 1598 1599]]",
    ].join("\n"),
  );
  const big = text(ops.reshape(ops.arange(8 * 8 * 20), [8, 8, 20]));
  assert.ok(big.startsWith("[[[   0    1    2 ...   17   18   19]\n  [  20   21   22 ...   37   38   39]\n"));
  assert.ok(big.includes("]]\n\n ...\n\n [["));
  assert.ok(big.endsWith("[1260 1261 1262 ... 1277 1278 1279]]]"));
});

test("toString and console.log wrap the values TensorFlow-style", () => {
  assert.equal(f32([1, 2]).toString(), "Tensor([1. 2.], shape=(2,), dtype=float32)");
  assert.equal(String(f32([[1, 2], [3, 4]])), "Tensor(\n[[1. 2.]\n [3. 4.]], shape=(2, 2), dtype=float32)");
  assert.equal(`${ops.convertToTensor(true)}`, "Tensor(True, shape=(), dtype=bool)");
  assert.equal(inspect(ops.convertToTensor([1, 2])), "Tensor([1 2], shape=(2,), dtype=int32)");
  assert.equal(inspect({ t: ops.convertToTensor(1) }), "{ t: Tensor(1, shape=(), dtype=int32) }");
});

test("formatShapeTuple prints Python tuples", () => {
  assert.equal(formatShapeTuple([]), "()");
  assert.equal(formatShapeTuple([3]), "(3,)");
  assert.equal(formatShapeTuple([2, 3]), "(2, 3)");
});
