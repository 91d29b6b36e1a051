import { test } from "node:test";
import assert from "node:assert/strict";
import * as ops from "../../src/ops/index.js";
import { Variable } from "../../src/backend/variable.js";
import type { DType } from "../../src/backend/dtypes.js";
import type { NestedArray } from "../../src/backend/tensor.js";
import { grad } from "../../src/autodiff/grad.js";

const { convertToTensor } = ops;

test("dtype inference: integers int32, other numbers float32, booleans bool", () => {
  assert.equal(convertToTensor(3).dtype, "int32");
  assert.equal(convertToTensor(3.5).dtype, "float32");
  assert.equal(convertToTensor(-0).dtype, "int32");
  assert.equal(convertToTensor(true).dtype, "bool");
  assert.equal(convertToTensor([1, 2, 3]).dtype, "int32");
  assert.equal(convertToTensor([1, 2.5]).dtype, "float32");
  assert.equal(convertToTensor([1, NaN]).dtype, "float32");
  assert.equal(convertToTensor([Infinity]).dtype, "float32");
  assert.equal(convertToTensor([[true], [false]]).dtype, "bool");
  // Booleans among numbers count as 0 and 1, as in NumPy.
  const mixed = convertToTensor([true, 2]);
  assert.equal(mixed.dtype, "int32");
  assert.deepEqual(mixed.arraySync(), [1, 2]);
  assert.equal(convertToTensor([true, 0.5]).dtype, "float32");
  // Empty arrays are float32, as Keras gives.
  assert.equal(convertToTensor([]).dtype, "float32");
});

test("nested arrays give their shape; scalars are rank 0", () => {
  const t = convertToTensor([[[1, 2, 3]], [[4, 5, 6]]]);
  assert.deepEqual(t.shape, [2, 1, 3]);
  assert.deepEqual(t.arraySync(), [[[1, 2, 3]], [[4, 5, 6]]]);
  assert.deepEqual(convertToTensor(7).shape, []);
  assert.deepEqual(convertToTensor([]).shape, [0]);
  assert.deepEqual(convertToTensor([[]]).shape, [1, 0]);
  assert.deepEqual(convertToTensor([[], []]).shape, [2, 0]);
});

test("ragged nested arrays are rejected naming the offending element", () => {
  assert.throws(() => convertToTensor([[1, 2], [3]]), /ragged nested array: element \[1\] has length 1, expected 2 \(expected shape \[2,2\]\)/);
  assert.throws(() => convertToTensor([[1, 2], 3] as NestedArray), /ragged nested array: element \[1\] is a number, expected an array of length 2/);
  assert.throws(() => convertToTensor([1, [2]] as NestedArray), /ragged nested array: element \[1\] is an array, but earlier elements at that depth are scalars/);
  assert.throws(() => convertToTensor([[[1, 2]], [[3, 4], [5, 6]]]), /element \[1\] has length 2, expected 1/);
  assert.throws(() => convertToTensor([[[1, 2]], [[3]]]), /element \[1\]\[0\] has length 1, expected 2/);
  assert.throws(() => convertToTensor([[], [1]]), /element \[1\] has length 1, expected 0/);
});

test("non-numeric leaves and values are rejected clearly", () => {
  assert.throws(() => convertToTensor([1, "2"] as never), (e: Error) => e instanceof TypeError && /element \[1\] is a string; expected a number or boolean/.test(e.message));
  assert.throws(() => convertToTensor([[1], [null]] as never), /element \[1\]\[0\] is null/);
  assert.throws(() => convertToTensor([convertToTensor(1)] as never), /element \[0\] is a Tensor \(use ops.stack to combine tensors\)/);
  assert.throws(() => convertToTensor(null as never), /cannot convert null to a tensor/);
  assert.throws(() => convertToTensor(undefined as never), /cannot convert undefined to a tensor/);
  assert.throws(() => convertToTensor("3" as never), /cannot convert a string to a tensor/);
  assert.throws(() => convertToTensor({ a: 1 } as never), /cannot convert an object \(Object\) to a tensor/);
});

test("integers outside int32 need an explicit float dtype", () => {
  assert.throws(() => convertToTensor([1, 3e9]), (e: Error) => e instanceof RangeError && /integer 3000000000 does not fit in int32; pass dtype "float32"/.test(e.message));
  assert.equal(convertToTensor([1, 3e9], "float32").dtype, "float32");
  assert.deepEqual(convertToTensor([2147483647, -2147483648]).arraySync(), [2147483647, -2147483648]);
});

test("an explicit dtype converts: truncation toward zero, bool as != 0, range checked", () => {
  assert.deepEqual(convertToTensor([1.9, -1.9, 0.5], "int32").arraySync(), [1, -1, 0]);
  assert.deepEqual(convertToTensor([0, 2, -0.5], "bool").arraySync(), [false, true, true]);
  assert.deepEqual(convertToTensor([true, false], "float32").arraySync(), [1, 0]);
  assert.deepEqual(convertToTensor([255, 0], "uint8").arraySync(), [255, 0]);
  assert.equal(convertToTensor(2, "float32").dtype, "float32");
  assert.throws(() => convertToTensor([[0, 256]], "uint8"), (e: Error) => e instanceof RangeError && /element \[0\]\[1\] is 256, which cannot be stored as uint8 \(range 0..255\)/.test(e.message));
  assert.throws(() => convertToTensor([-1], "uint8"), /element \[0\] is -1, which cannot be stored as uint8/);
  assert.throws(() => convertToTensor(NaN, "int32"), /the value is NaN, which cannot be stored as int32/);
  assert.throws(() => convertToTensor([1], "float64" as DType), /convertToTensor: unsupported dtype "float64"/);
});

test("typed arrays keep their element type; other typed arrays are rejected", () => {
  const f = convertToTensor(new Float32Array([1.5, 2]));
  assert.equal(f.dtype, "float32");
  assert.deepEqual(f.shape, [2]);
  assert.equal(convertToTensor(new Int32Array([1])).dtype, "int32");
  assert.equal(convertToTensor(new Uint8Array([1])).dtype, "uint8");
  assert.deepEqual(convertToTensor(new Uint8Array([0, 3]), "bool").arraySync(), [false, true]);
  assert.deepEqual(convertToTensor(new Float32Array([2.7]), "int32").arraySync(), [2]);
  // The tensor owns a copy.
  const source = new Float32Array([1, 2]);
  const t = convertToTensor(source);
  source[0] = 9;
  assert.deepEqual(t.arraySync(), [1, 2]);
  assert.throws(() => convertToTensor(new Float64Array([1]) as never), (e: Error) => e instanceof TypeError && /unsupported typed array Float64Array; use a Float32Array, Int32Array or Uint8Array/.test(e.message));
  assert.throws(() => convertToTensor(new Uint8ClampedArray([1]) as never), /unsupported typed array Uint8ClampedArray/);
  assert.throws(() => convertToTensor(new Int16Array([1]) as never), /unsupported typed array Int16Array/);
});

test("tensors pass through; variables give their value", () => {
  const t = convertToTensor([1, 2]);
  assert.equal(convertToTensor(t), t);
  assert.equal(convertToTensor(t, "int32"), t);
  const c = convertToTensor(t, "float32");
  assert.equal(c.dtype, "float32");
  assert.deepEqual(c.arraySync(), [1, 2]);
  const v = new Variable([1, 2], { dtype: "float32", name: "v" });
  assert.equal(convertToTensor(v), v.value);
  assert.equal(convertToTensor(v, "int32").dtype, "int32");
});

test("ops name themselves in conversion errors", () => {
  assert.throws(() => ops.add([[1], [2, 3]], 1), (e: Error) => e instanceof TypeError && /^add: ragged nested array: element \[1\] has length 2, expected 1/.test(e.message));
  assert.throws(() => ops.add(convertToTensor([1], "int32"), 3e10 as number), RangeError);
});

test("cast truncates floats toward zero and is differentiable between floats only", () => {
  assert.deepEqual(ops.cast([2.7, -2.7], "int32").arraySync(), [2, -2]);
  assert.deepEqual(ops.cast([2, 0], "bool").arraySync(), [true, false]);
  assert.throws(() => ops.cast([1], "float16" as DType), /cast: unsupported dtype "float16"/);
  const g = grad((x: ReturnType<typeof convertToTensor>) => ops.sum(ops.multiply(ops.cast(x, "float32"), 3)))(convertToTensor([1, 2], "float32"));
  assert.deepEqual(g.arraySync(), [3, 3]);
  const blocked = grad((x: ReturnType<typeof convertToTensor>) => ops.sum(ops.cast(ops.cast(x, "int32"), "float32")))(convertToTensor([1.5], "float32"));
  assert.deepEqual(blocked.arraySync(), [0]);
});

test("stopGradient returns the same values as a new tensor", () => {
  const t = convertToTensor([1, 2], "float32");
  const s = ops.stopGradient(t);
  assert.notEqual(s, t);
  assert.deepEqual(s.arraySync(), [1, 2]);
});
