import { test } from "node:test";
import assert from "node:assert/strict";
import {
  allocate,
  checkDType,
  DTYPES,
  dtypeOfTypedArray,
  fromValues,
  INT_RANGES,
  isDType,
  isFloatDType,
  isIntDType,
  resultType,
  storageMatches,
  weakResultType,
  type DType,
} from "../../src/backend/dtypes.js";
import * as ops from "../../src/ops/index.js";

test("resultType follows bool < uint8 < int32 < float32 for every pair", () => {
  const order: DType[] = ["bool", "uint8", "int32", "float32"];
  for (let i = 0; i < order.length; i++) {
    for (let j = 0; j < order.length; j++) {
      const expected = order[Math.max(i, j)];
      assert.equal(resultType(order[i], order[j]), expected, `${order[i]} + ${order[j]}`);
    }
  }
});

test("resultType takes one or many dtypes and rejects unknown ones", () => {
  assert.equal(resultType("uint8"), "uint8");
  assert.equal(resultType("bool", "uint8", "bool"), "uint8");
  assert.equal(resultType("bool", "int32", "uint8"), "int32");
  assert.throws(() => resultType("int32", "float64" as DType), /unsupported dtype "float64"/);
});

test("weakResultType: JavaScript numbers are weak like Python scalars in Keras", () => {
  assert.equal(weakResultType("uint8", 2), "uint8");
  assert.equal(weakResultType("int32", 2), "int32");
  assert.equal(weakResultType("float32", 2), "float32");
  assert.equal(weakResultType("int32", 0.5), "float32");
  assert.equal(weakResultType("uint8", 0.5), "float32");
  assert.equal(weakResultType("bool", 1), "int32");
  assert.equal(weakResultType("bool", 1.5), "float32");
  assert.equal(weakResultType("int32", NaN), "float32");
  assert.equal(weakResultType("int32", Infinity), "float32");
});

test("weak promotion is what the binary ops apply", () => {
  assert.equal(ops.multiply(ops.convertToTensor([1, 2], "uint8"), 2).dtype, "uint8");
  assert.equal(ops.multiply(ops.convertToTensor([1, 2]), 0.5).dtype, "float32");
  assert.equal(ops.add(ops.convertToTensor([true]), 1).dtype, "int32");
  assert.equal(ops.add(ops.convertToTensor([1], "uint8"), ops.convertToTensor([1])).dtype, "int32");
});

test("dtype predicates and checkDType", () => {
  assert.deepEqual([...DTYPES], ["float32", "int32", "uint8", "bool"]);
  assert.ok(isDType("bool"));
  assert.ok(!isDType("float64"));
  assert.ok(!isDType(3));
  assert.ok(isFloatDType("float32") && !isFloatDType("int32"));
  assert.ok(isIntDType("int32") && isIntDType("uint8") && !isIntDType("bool") && !isIntDType("float32"));
  assert.equal(checkDType("int32", "here"), "int32");
  assert.throws(() => checkDType("float16", "here"), (e: Error) => e instanceof TypeError && /here: unsupported dtype "float16"; expected one of float32, int32, uint8, bool/.test(e.message));
  assert.deepEqual(INT_RANGES.int32, [-2147483648, 2147483647]);
  assert.deepEqual(INT_RANGES.uint8, [0, 255]);
});

test("allocate, fromValues and dtypeOfTypedArray use the storage of each dtype", () => {
  assert.ok(allocate("float32", 2) instanceof Float32Array);
  assert.ok(allocate("int32", 2) instanceof Int32Array);
  assert.ok(allocate("uint8", 2) instanceof Uint8Array);
  assert.ok(allocate("bool", 2) instanceof Uint8Array);
  assert.deepEqual([...fromValues([1.7, -1.7, 0], "int32")], [1, -1, 0]);
  assert.deepEqual([...fromValues([2, 0, -0.5], "bool")], [1, 0, 1]);
  assert.deepEqual([...fromValues([0.5], "float32")], [0.5]);
  assert.equal(dtypeOfTypedArray(new Float32Array(1)), "float32");
  assert.equal(dtypeOfTypedArray(new Int32Array(1)), "int32");
  assert.equal(dtypeOfTypedArray(new Uint8Array(1)), "uint8");
  assert.ok(storageMatches(new Uint8Array(1), "bool"));
  assert.ok(!storageMatches(new Float32Array(1), "int32"));
});
