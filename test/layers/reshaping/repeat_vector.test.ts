import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { assertRoundTrip, baseConfig, f32 } from "../helpers.js";

const { layers } = keras;

test("RepeatVector: [batch, features] -> [batch, n, features]", () => {
  keras.utils.clearSession();
  const layer = new layers.RepeatVector(3);
  assert.equal(layer.name, "repeat_vector");
  const y = layer.apply(f32([[1, 2], [3, 4]]));
  assert.deepEqual(y.shape, [2, 3, 2]);
  assert.deepEqual(y.arraySync(), [[[1, 2], [1, 2], [1, 2]], [[3, 4], [3, 4], [3, 4]]]);
  assert.deepEqual(layer.apply(keras.Input({ shape: [32] })).shape, [null, 3, 32]);
});

test("RepeatVector: errors and config round trip", () => {
  keras.utils.clearSession();
  const layer = new layers.RepeatVector({ n: 4 });
  assert.throws(() => layer.apply(keras.Input({ shape: [2, 3] })), /Input 0 of layer "repeat_vector" is incompatible with the layer: expected ndim=2, found ndim=3/);
  assert.throws(() => new layers.RepeatVector(1.5), /expected a non-negative integer value for `n`/);
  assert.deepEqual(layer.getConfig(), { ...baseConfig("repeat_vector"), n: 4 });
  assert.equal(assertRoundTrip(layer).n, 4);
});
