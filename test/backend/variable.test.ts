import { test } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import * as ops from "../../src/ops/index.js";
import { Variable } from "../../src/backend/variable.js";
import type { DType } from "../../src/backend/dtypes.js";
import { valueAndGrad } from "../../src/autodiff/grad.js";
import { resetNames } from "../../src/utils/naming.js";

test("unnamed variables are named variable, variable_1, ...", () => {
  resetNames();
  const a = new Variable([1]);
  const b = new Variable([2]);
  const c = new Variable([3], { name: "bias" });
  const d = new Variable([4]);
  assert.deepEqual([a.name, b.name, c.name, d.name], ["variable", "variable_1", "bias", "variable_2"]);
  assert.equal(a.path, "variable");
});

test("names must be non-empty and free of '/'", () => {
  assert.throws(() => new Variable([1], { name: "a/b" }), /name must be a non-empty string without '\/'/);
  assert.throws(() => new Variable([1], { name: "" }), /name must be a non-empty string/);
});

test("dtype comes from the value unless given; shape, size, ndim, trainable", () => {
  const v = new Variable([[1, 2, 3]]);
  assert.equal(v.dtype, "int32");
  assert.deepEqual(v.shape, [1, 3]);
  assert.equal(v.size, 3);
  assert.equal(v.ndim, 2);
  assert.equal(v.rank, 2);
  assert.equal(v.trainable, true);
  const w = new Variable([[1, 2, 3]], { dtype: "float32", trainable: false });
  assert.equal(w.dtype, "float32");
  assert.equal(w.value.dtype, "float32");
  assert.equal(w.trainable, false);
  w.trainable = true;
  assert.equal(w.trainable, true);
  assert.throws(() => new Variable([1], { dtype: "float64" as DType }), /unsupported dtype "float64"/);
});

test("an initializer function is called with the shape and dtype (float32 by default)", () => {
  const calls: unknown[] = [];
  const v = new Variable(
    (shape, dtype) => {
      calls.push([shape, dtype]);
      return ops.ones(shape, dtype);
    },
    { shape: [2, 2] },
  );
  assert.deepEqual(calls, [[[2, 2], "float32"]]);
  assert.equal(v.dtype, "float32");
  assert.deepEqual(v.value.arraySync(), [[1, 1], [1, 1]]);
  const i = new Variable((shape, dtype) => ops.zeros(shape, dtype), { shape: [3], dtype: "int32" });
  assert.equal(i.dtype, "int32");
  // A thunk needs no shape.
  assert.deepEqual(new Variable(() => [1, 2]).value.arraySync(), [1, 2]);
});

test("initializer errors: missing shape, wrong shape", () => {
  assert.throws(() => new Variable((shape: readonly number[]) => ops.zeros(shape)), /the `shape` option must be given/);
  assert.throws(() => new Variable(() => ops.zeros([3]), { shape: [2] }), /initial value has shape \[3\], but shape \[2\] was given/);
  assert.throws(() => new Variable([1, 2], { shape: [3] }), /initial value has shape \[2\], but shape \[3\] was given/);
  assert.throws(() => new Variable([1, 2], { shape: [-1] }), /shape must be an array of non-negative integers/);
});

test("assign replaces the value, converts its dtype, and checks the shape", () => {
  const v = new Variable(ops.zeros([2]), { name: "v" });
  const before = v.value;
  const returned = v.assign([1, 2]);
  assert.equal(returned, v.value);
  assert.equal(v.value.dtype, "float32");
  assert.deepEqual(v.value.arraySync(), [1, 2]);
  assert.deepEqual(before.arraySync(), [0, 0], "the old value tensor is untouched");
  assert.throws(() => v.assign([1, 2, 3]), /Variable 'v': cannot assign a value of shape \[3\] to a variable of shape \[2\]/);
  const i = new Variable([0, 0], { name: "i" });
  i.assign(ops.convertToTensor([1.9, -1.9]));
  assert.equal(i.value.dtype, "int32");
  assert.deepEqual(i.value.arraySync(), [1, -1]);
});

test("assignAdd and assignSub broadcast the delta", () => {
  const v = new Variable([[1, 2], [3, 4]], { dtype: "float32" });
  v.assignAdd(1);
  assert.deepEqual(v.value.arraySync(), [[2, 3], [4, 5]]);
  const out = v.assignSub([1, 2]);
  assert.deepEqual(out.arraySync(), [[1, 1], [3, 3]]);
  assert.deepEqual(v.value.arraySync(), [[1, 1], [3, 3]]);
  assert.throws(() => v.assignAdd(ops.ones([2, 2, 2])), /cannot assign a value of shape \[2,2,2\]/);
});

test("variables convert to tensors, work in ops and in gradients", () => {
  const v = new Variable([1, 2], { dtype: "float32" });
  assert.equal(ops.convertToTensor(v), v.value);
  assert.deepEqual(ops.add(v, 1).arraySync(), [2, 3]);
  const [, [g]] = valueAndGrad(() => ops.sum(ops.multiply(v, v)), { variables: [v] })();
  assert.deepEqual(g.arraySync(), [2, 4]);
});

test("toString and console.log print as Keras does", () => {
  const v = new Variable([1, 2], { name: "w", dtype: "float32" });
  assert.equal(String(v), "<Variable path=w, shape=(2,), dtype=float32, value=[1. 2.]>");
  assert.equal(inspect(v), "<Variable path=w, shape=(2,), dtype=float32, value=[1. 2.]>");
  const s = new Variable(3, { name: "s" });
  assert.equal(String(s), "<Variable path=s, shape=(), dtype=int32, value=3>");
  const m = new Variable([[true], [false]], { name: "m" });
  assert.equal(String(m), "<Variable path=m, shape=(2, 1), dtype=bool, value=[[ True]\n [False]]>");
});
