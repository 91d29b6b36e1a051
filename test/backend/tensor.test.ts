import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../src/index.js";
import * as ops from "../../src/ops/index.js";
import type { DType } from "../../src/backend/dtypes.js";
import { canDeferCast, DeferredCast, emptyTensor, makeTensor, Tensor } from "../../src/backend/tensor.js";
import { DEFERRED_CAST_MIN_SIZE } from "../../src/ops/core.js";


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
  assert.deepEqual(methods, [
    "array", "arraySync", "astype", "data", "dataSync", "hostValues", "item", "ndim", "onDeviceOnly", "rank", "reshape", "runDeferred", "sharedView", "storage",
    "storageForConversion", "toJSON", "toString",
  ]);
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

/** A uint8 image set of `n` elements holding every byte value. */
function bytes(n: number): Tensor {
  const values = new Uint8Array(n);
  for (let i = 0; i < n; i++) values[i] = (i * 167 + (i >> 9)) & 255;
  return ops.convertToTensor(values);
}

function assertSameBits(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    if (!Object.is(actual[i], expected[i])) assert.fail(`${what}: element ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}

const LARGE = DEFERRED_CAST_MIN_SIZE;

test("a large uint8 -> float32 cast is deferred until read, and then runs once for all its reshapes", () => {
  const u = bytes(LARGE).reshape([LARGE / 1024, 1024]);
  const f = u.astype("float32");
  assert.equal(f.dtype, "float32");
  assert.equal(f.size, LARGE);
  assert.deepEqual(f.shape, [LARGE / 1024, 1024]);
  // Nothing computed yet: kernels that convert on read get the images themselves.
  assert.equal(f.storageForConversion(), u.storage);
  const flat = f.reshape(-1);
  assert.equal(flat.storageForConversion(), u.storage);
  const values = flat.storage;
  assert.ok(values instanceof Float32Array);
  assert.equal(f.storage, values, "the cast is shared with the reshape, not run twice");
  assert.equal(f.storageForConversion(), values);
  assertSameBits(values, Float32Array.from(u.storage), "cast");
  assert.deepEqual(ops.stopGradient(f).storage, values);
});

test("small casts and casts that are not exact run at once", () => {
  const small = bytes(LARGE - 1).astype("float32");
  assert.ok(small.storageForConversion() instanceof Float32Array);
  const ints = ops.cast(bytes(LARGE), "int32").astype("float32");
  assert.ok(ints.storageForConversion() instanceof Float32Array);
  assert.equal(canDeferCast("uint8", "float32"), true);
  assert.equal(canDeferCast("bool", "float32"), true);
  assert.equal(canDeferCast("int32", "float32"), false);
  assert.equal(canDeferCast("uint8", "int32"), false);
  assert.throws(() => new DeferredCast(new Int32Array(2), "int32", "float32"), /DeferredCast: a cast from int32 \(in a Int32Array\) to float32 cannot be deferred/);
  assert.throws(() => new DeferredCast(new Float32Array(2), "uint8", "float32"), /cannot be deferred/);
  assert.throws(() => new Tensor(new DeferredCast(new Uint8Array(4), "uint8", "float32"), [4], "int32"), /a deferred cast to float32 cannot make a int32 tensor/);
  assert.throws(() => new Tensor(new DeferredCast(new Uint8Array(4), "uint8", "float32"), [5], "float32"), /4 values cannot have shape \[5\]/);
});

test("add, subtract, multiply and divide of a deferred cast read the source: same bits, no float32 copy", () => {
  const u = bytes(LARGE);
  const eager = ops.convertToTensor(Float32Array.from(u.storage));
  for (const source of [u, ops.greater(u, 100)]) {
    const f = source.astype("float32");
    const exact = source.dtype === "bool" ? ops.convertToTensor(Float32Array.from(source.storage)) : eager;
    for (const op of ["add", "subtract", "multiply", "divide"] as const) {
      for (const s of [255, 3, 0.1, 1 / 3, -2, 1e-40, 3e38, 0, -0, NaN, Infinity]) {
        assertSameBits(ops[op](f, s).storage, ops[op](exact, s).storage, `${source.dtype} ${op}(x, ${s})`);
        assertSameBits(ops[op](s, f).storage, ops[op](s, exact).storage, `${source.dtype} ${op}(${s}, x)`);
      }
      // Two deferred operands, and a float32 one of the same shape.
      assertSameBits(ops[op](f, f).storage, ops[op](exact, exact).storage, `${source.dtype} ${op}(x, x)`);
      assertSameBits(ops[op](f, exact).storage, ops[op](exact, exact).storage, `${source.dtype} ${op}(x, float32)`);
    }
    assert.equal(f.storageForConversion(), source.storage, "still not cast");
  }
});

test("every other op sees a deferred cast's float32 values", () => {
  const u = bytes(LARGE).reshape([1024, LARGE / 1024]);
  const eager = ops.convertToTensor(Float32Array.from(u.storage)).reshape([1024, LARGE / 1024]);
  const lazy = () => u.astype("float32");
  assertSameBits(ops.cast(lazy(), "int32").storage, ops.cast(eager, "int32").storage, "cast to int32");
  assertSameBits(ops.cast(lazy(), "bool").storage, ops.cast(eager, "bool").storage, "cast to bool");
  assertSameBits(ops.cast(lazy(), "uint8").storage, u.storage, "cast back to uint8");
  assertSameBits(ops.normalize(lazy()).storage, ops.normalize(eager).storage, "ops.normalize");
  assertSameBits(ops.sum(lazy(), 0).storage, ops.sum(eager, 0).storage, "sum");
  assertSameBits(ops.sqrt(lazy()).storage, ops.sqrt(eager).storage, "sqrt");
  assertSameBits(ops.power(lazy(), 2).storage, ops.power(eager, 2).storage, "power");
  assertSameBits(ops.slice(lazy(), [3, 5], [2, 7]).storage, ops.slice(eager, [3, 5], [2, 7]).storage, "slice");
  const [, g] = keras.valueAndGrad((t: Tensor) => ops.sum(ops.multiply(t, t)))(lazy());
  assertSameBits(g.storage, ops.multiply(eager, 2).storage, "gradient with respect to a deferred cast");
});
