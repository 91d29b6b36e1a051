import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { assertRoundTrip, baseConfig } from "../helpers.js";

const { layers, ops } = keras;
const arange = (shape: number[]) => ops.reshape(ops.arange(shape.reduce((a, b) => a * b, 1)), shape);

test("Permute: 1-based dims over the non-batch axes", () => {
  keras.utils.clearSession();
  const layer = new layers.Permute([2, 1]);
  assert.equal(layer.name, "permute");
  const y = layer.apply(arange([1, 2, 3]));
  assert.deepEqual(y.shape, [1, 3, 2]);
  assert.deepEqual(y.arraySync(), [[[0, 3], [1, 4], [2, 5]]]);
  const z = new layers.Permute([3, 1, 2]).apply(arange([2, 4, 5, 6]));
  assert.deepEqual(z.shape, [2, 6, 4, 5]);
});

test("Permute: symbolic output shape and inputSpec", () => {
  keras.utils.clearSession();
  const layer = new layers.Permute([2, 1]);
  assert.deepEqual(layer.apply(keras.Input({ shape: [10, 64] })).shape, [null, 64, 10]);
  assert.deepEqual(new layers.Permute([1, 3, 2]).apply(keras.Input({ shape: [null, 4, 5] })).shape, [null, null, 5, 4]);
  assert.throws(() => layer.apply(keras.Input({ shape: [10] })), /Input 0 of layer "permute" is incompatible with the layer: expected ndim=3, found ndim=2/);
});

test("Permute: invalid dims and config round trip", () => {
  keras.utils.clearSession();
  assert.throws(() => new layers.Permute([0, 1]), /Invalid permutation argument `dims` for Permute layer 'permute'.*start from 1. Received dims=\[0,1\]/);
  assert.throws(() => new layers.Permute([1, 3]), /must be consecutive/);
  const layer = new layers.Permute([3, 1, 2], { name: "perm" });
  assert.deepEqual(layer.getConfig(), { ...baseConfig("perm"), dims: [3, 1, 2] });
  assertRoundTrip(layer);
});
