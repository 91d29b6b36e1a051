import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { assertRoundTrip, baseConfig } from "../helpers.js";

const { layers, ops } = keras;
const arange = (shape: number[]) => ops.reshape(ops.arange(shape.reduce((a, b) => a * b, 1)), shape);

test("Reshape: values and shapes, with and without -1", () => {
  keras.utils.clearSession();
  const layer = new layers.Reshape([3, 2]);
  assert.equal(layer.name, "reshape");
  const y = layer.apply(arange([2, 6]));
  assert.deepEqual(y.shape, [2, 3, 2]);
  assert.deepEqual(y.arraySync(), [[[0, 1], [2, 3], [4, 5]], [[6, 7], [8, 9], [10, 11]]]);
  assert.deepEqual(new layers.Reshape([-1, 2, 2]).apply(arange([1, 12])).shape, [1, 3, 2, 2]);
  assert.deepEqual(new layers.Reshape({ targetShape: [4, -1] }).apply(arange([3, 2, 2, 2])).shape, [3, 4, 2]);
});

test("Reshape: symbolic output shape", () => {
  assert.deepEqual(new layers.Reshape([3, 4]).apply(keras.Input({ shape: [12] })).shape, [null, 3, 4]);
  assert.deepEqual(new layers.Reshape([-1, 2, 2]).apply(keras.Input({ shape: [12] })).shape, [null, 3, 2, 2]);
  // With an unknown non-batch axis, the -1 stays unknown.
  assert.deepEqual(new layers.Reshape([-1, 2]).apply(keras.Input({ shape: [null, 4] })).shape, [null, null, 2]);
  const input = keras.Input({ shape: [6] });
  const model = new keras.Model({ inputs: input, outputs: new layers.Reshape([2, 3]).apply(input) });
  assert.deepEqual(model.apply(arange([5, 6])).shape, [5, 2, 3]);
});

test("Reshape: errors name the layer and the shapes", () => {
  keras.utils.clearSession();
  const layer = new layers.Reshape([5, 2]);
  assert.throws(
    () => layer.apply(keras.Input({ shape: [12] })),
    /^Error: Reshape layer 'reshape': cannot reshape inputs of shape \(None, 12\) to target shape \(5, 2\): the total size must be unchanged/,
  );
  assert.throws(() => layer.apply(arange([2, 12])), /Reshape layer 'reshape': cannot reshape inputs of shape \(2, 12\) to target shape \(5, 2\)/);
  assert.throws(() => new layers.Reshape([-1, 5]).apply(arange([1, 12])), /cannot reshape inputs of shape \(1, 12\) to target shape \(-1, 5\): 12 elements per sample cannot be divided/);
  assert.throws(() => new layers.Reshape([-1, -1]), /must not contain more than one `-1` value/);
  assert.throws(() => new layers.Reshape([2, -3]), /targetShape entries must be non-negative integers or -1/);
});

test("Reshape: config round trip", () => {
  keras.utils.clearSession();
  const layer = new layers.Reshape([-1, 4]);
  assert.deepEqual(layer.getConfig(), { ...baseConfig("reshape"), target_shape: [-1, 4] });
  const rebuilt = assertRoundTrip(layer);
  assert.deepEqual(rebuilt.targetShape, [-1, 4]);
});
