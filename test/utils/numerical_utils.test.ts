import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../src/index.js";

const { ops } = keras;

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
