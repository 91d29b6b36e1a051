import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../src/index.js";
import { maskedMean } from "../../src/ops/masked_mean.js";
import { checkGradients, randomTensor } from "../helpers/gradcheck.js";

const { ops } = keras;

test("maskedMean: the mean of the kept steps (Keras's masked GlobalAveragePooling1D), both layouts, gradient", () => {
  const x = ops.convertToTensor([[[1, 10], [3, 30], [100, 100]]]);
  const mask = ops.convertToTensor([[true, true, false]]);
  assert.deepEqual(maskedMean(x, mask).arraySync(), [[2, 20]]);
  assert.deepEqual(maskedMean(x, mask, 1, true).shape, [1, 1, 2]);
  assert.deepEqual(maskedMean(ops.transpose(x, [0, 2, 1]), mask, 2).arraySync(), [[2, 20]]);
  const m = ops.convertToTensor([[true, false, true, true], [false, true, true, false]]);
  checkGradients((v) => maskedMean(v, m), [randomTensor([2, 4, 3], 1)]);
  assert.throws(() => maskedMean(x, ops.convertToTensor([[true, false]])), /maskedMean: expected/);
});
