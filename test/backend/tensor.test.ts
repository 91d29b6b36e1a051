import { test } from "node:test";
import assert from "node:assert/strict";
import * as ops from "../../src/ops/index.js";
import type { DType } from "../../src/backend/dtypes.js";
import { emptyTensor, makeTensor, Tensor } from "../../src/backend/tensor.js";

test("dataSync/data give copies; arraySync/array give nested values", async () => {
  const t = ops.convertToTensor([[1, 2], [3, 4]], "float32");
  const copy = t.dataSync();
  assert.ok(copy instanceof Float32Array);
  copy[0] = 99;
  assert.deepEqual([...t.dataSync()], [1, 2, 3, 4]);
  assert.deepEqual([...(await t.data())], [1, 2, 3, 4]);
  assert.deepEqual(t.arraySync(), [[1, 2], [3, 4]]);
  assert.deepEqual(await t.array(), [[1, 2], [3, 4]]);
  const nested = t.arraySync() as number[][];
  nested[0][0] = 42;
  assert.deepEqual(t.arraySync(), [[1, 2], [3, 4]]);
});

test("arraySync handles every rank and dtype", () => {
  assert.equal(ops.convertToTensor(2.5).arraySync(), 2.5);
  assert.equal(ops.convertToTensor(true).arraySync(), true);
  assert.deepEqual(ops.convertToTensor([true, false]).arraySync(), [true, false]);
  assert.deepEqual(ops.convertToTensor([[[1]], [[2]]], "uint8").arraySync(), [[[1]], [[2]]]);
  assert.deepEqual(ops.zeros([2, 0]).arraySync(), [[], []]);
  assert.deepEqual(ops.reshape(ops.arange(16), [2, 2, 2, 2]).arraySync(), [[[[0, 1], [2, 3]], [[4, 5], [6, 7]]], [[[8, 9], [10, 11]], [[12, 13], [14, 15]]]]);
  assert.deepEqual(ops.convertToTensor([NaN, -Infinity]).arraySync(), [NaN, -Infinity]);
});

test("size, rank and ndim", () => {
  const t = ops.zeros([2, 3, 4]);
  assert.equal(t.size, 24);
  assert.equal(t.rank, 3);
  assert.equal(t.ndim, 3);
  assert.equal(ops.zeros([]).size, 1);
  assert.equal(ops.zeros([]).rank, 0);
});

test("reshape takes an array, separate numbers, or -1", () => {
  const t = ops.arange(6);
  assert.deepEqual(t.reshape([2, 3]).shape, [2, 3]);
  assert.deepEqual(t.reshape(3, 2).shape, [3, 2]);
  assert.deepEqual(t.reshape(2, -1).shape, [2, 3]);
  assert.deepEqual(t.reshape([-1, 3]).arraySync(), [[0, 1, 2], [3, 4, 5]]);
  assert.deepEqual(t.reshape(2, 3).reshape(-1).arraySync(), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(ops.convertToTensor(5).reshape(-1).shape, [1]);
  assert.throws(() => t.reshape([4, -1]), /cannot reshape tensor of shape \[6\]/);
  assert.throws(() => t.reshape([2], 3 as never), /either as one array or as separate numbers/);
});

test("astype converts and validates the dtype", () => {
  const t = ops.convertToTensor([1.7, -1.7, 0]);
  assert.deepEqual(t.astype("int32").arraySync(), [1, -1, 0]);
  assert.deepEqual(t.astype("bool").arraySync(), [true, true, false]);
  assert.equal(t.astype("float32"), t);
  assert.throws(() => t.astype("float64" as DType), /astype: unsupported dtype "float64"/);
});

test("item returns the single element and rejects larger tensors", () => {
  assert.equal(ops.convertToTensor(3.5).item(), 3.5);
  assert.equal(ops.convertToTensor([[7]]).item(), 7);
  assert.equal(ops.convertToTensor(true).item(), 1);
  assert.throws(() => ops.zeros([2]).item(), /item: tensor of shape \[2\] has 2 elements, expected 1/);
});

test("JSON.stringify gives the nested values", () => {
  assert.equal(JSON.stringify({ t: ops.convertToTensor([[1, 2]]) }), '{"t":[[1,2]]}');
});

test("tensors are immutable: frozen shape, no setters, copies out", () => {
  const t = ops.zeros([2, 2]);
  assert.ok(Object.isFrozen(t.shape));
  assert.throws(() => {
    (t.shape as number[])[0] = 5;
  }, TypeError);
  assert.deepEqual(t.shape, [2, 2]);
  // No accessor on the prototype can write.
  for (const [name, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(Tensor.prototype))) {
    assert.equal(descriptor.set, undefined, `Tensor.prototype.${name} has a setter`);
  }
  const methods = Object.getOwnPropertyNames(Tensor.prototype).filter((n) => n !== "constructor").sort();
  assert.deepEqual(methods, ["array", "arraySync", "astype", "data", "dataSync", "item", "ndim", "rank", "reshape", "size", "toJSON", "toString"]);
  // A shape passed in is copied, not kept.
  const shape = [3];
  const u = makeTensor(new Float32Array(3), shape, "float32");
  shape[0] = 1;
  assert.deepEqual(u.shape, [3]);
});

test("every tensor gets a fresh id", () => {
  const a = ops.zeros([1]);
  const b = ops.zeros([1]);
  assert.notEqual(a.id, b.id);
});

test("the constructor checks storage length, storage type and dtype", () => {
  assert.throws(() => makeTensor(new Float32Array(3), [2, 2], "float32"), /Tensor: 3 values cannot have shape \[2,2\] \(4 elements\)/);
  assert.throws(() => makeTensor(new Float32Array(2), [2], "int32"), /a int32 tensor is stored in a Int32Array, got Float32Array/);
  assert.throws(() => makeTensor(new Int32Array(2), [2], "bool"), /stored in a Uint8Array, got Int32Array/);
  assert.throws(() => makeTensor(new Float32Array(2), [2], "float64" as DType), /unsupported dtype "float64"/);
  const e = emptyTensor([2, 3], "bool");
  assert.equal(e.dtype, "bool");
  assert.deepEqual([...e.dataSync()], [0, 0, 0, 0, 0, 0]);
});
