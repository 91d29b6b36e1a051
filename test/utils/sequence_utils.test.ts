import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../src/index.js";

const { padSequences } = keras.utils;

test("padSequences: Keras's defaults (pre padding, pre truncation, int32, value 0)", () => {
  const x = padSequences([[1], [2, 3], [4, 5, 6]]);
  assert.equal(x.dtype, "int32");
  assert.deepEqual(x.arraySync(), [[0, 0, 1], [0, 2, 3], [4, 5, 6]]);
  assert.deepEqual(padSequences([[1], [2, 3], [4, 5, 6]], { padding: "post" }).arraySync(), [[1, 0, 0], [2, 3, 0], [4, 5, 6]]);
  assert.deepEqual(padSequences([[1, 2, 3, 4]], { maxlen: 2 }).arraySync(), [[3, 4]]);
  assert.deepEqual(padSequences([[1, 2, 3, 4]], { maxlen: 2, truncating: "post" }).arraySync(), [[1, 2]]);
  assert.deepEqual(padSequences([[1], []], { maxlen: 2, value: -1 }).arraySync(), [[-1, 1], [-1, -1]]);
});

test("padSequences: float32, int32 truncation of fractions, vector steps, errors", () => {
  const f = padSequences([[0.5, 1.5]], { maxlen: 3, dtype: "float32", value: 0.25 });
  assert.deepEqual(f.arraySync(), [[0.25, 0.5, 1.5]]);
  assert.deepEqual(padSequences([[1.7, -2.7]]).arraySync(), [[1, -2]]);
  const v = padSequences([[[1, 2]], [[3, 4], [5, 6]]]);
  assert.deepEqual(v.shape, [2, 2, 2]);
  assert.deepEqual(v.arraySync(), [[[0, 0], [1, 2]], [[3, 4], [5, 6]]]);
  assert.throws(() => padSequences([[[1, 2]], [[3]]]), /Shape of sample \(1\) of sequence at position 1 is different from expected shape \(2\)/);
  assert.throws(() => padSequences([[1]], { padding: "middle" as never }), /Padding type "middle" not understood/);
  assert.throws(() => padSequences([1 as never]), /must be a list of iterables/);
});
