import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { assertClose, assertRoundTrip, baseConfig } from "../helpers.js";
import { runLayerTest } from "../harness.js";

const { layers, ops } = keras;

test("Cropping1D/2D/3D: the harness", async () => {
  await runLayerTest({ make: () => new layers.Cropping1D([1, 2]), inputShape: [2, 6, 3], expectedOutputShape: [null, 3, 3], expectedParams: 0, expectedConfig: { cropping: [1, 2] } });
  await runLayerTest({ make: () => new layers.Cropping2D([[1, 0], [2, 1]]), inputShape: [2, 4, 5, 2], expectedOutputShape: [null, 3, 2, 2], expectedConfig: { cropping: [[1, 0], [2, 1]], data_format: "channels_last" } });
  await runLayerTest({ make: () => new layers.Cropping2D({ cropping: 1, dataFormat: "channels_first" }), inputShape: [2, 2, 4, 5], expectedOutputShape: [null, 2, 2, 3] });
  await runLayerTest({ make: () => new layers.Cropping3D(), inputShape: [1, 3, 4, 5, 2], expectedOutputShape: [null, 1, 2, 3, 2], expectedConfig: { cropping: [[1, 1], [1, 1], [1, 1]] } });
});

test("Cropping: hand-computed values, defaults and config", () => {
  const x = ops.reshape(ops.arange(20), [1, 4, 5, 1]);
  // rows 1..2 (top 1, bottom 1), columns 2..3 (left 2, right 1)
  const y = new layers.Cropping2D([[1, 1], [2, 1]]).apply(x);
  assertClose(ops.squeeze(y, [0, 3]), [[7, 8], [12, 13]]);
  assertClose(new layers.Cropping1D().apply(ops.reshape(ops.arange(4), [1, 4, 1])), [[[1], [2]]]);
  assert.deepEqual(new layers.Cropping2D({ name: "c2" }).getConfig(), { ...baseConfig("c2"), cropping: [[0, 0], [0, 0]], data_format: "channels_last" });
  assert.deepEqual(new layers.Cropping1D({ name: "c1" }).getConfig(), { ...baseConfig("c1"), cropping: [1, 1] });
  assertRoundTrip(new layers.Cropping3D([1, 2, 0]));
});

test("Cropping: cropping the whole axis is an error naming the layer", () => {
  assert.throws(
    () => new layers.Cropping2D([[2, 2], [0, 0]], { name: "crop" }).apply(ops.ones([1, 4, 3, 1])),
    /Cropping2D layer 'crop': values in `cropping` should be smaller than the corresponding spatial dimension of the input. Received: input_shape=\(1, 4, 3, 1\), cropping=\[\[2,2\],\[0,0\]\]/,
  );
  assert.throws(() => new layers.Cropping1D([3, 3], { name: "c1" }).apply(keras.Input({ shape: [6, 2] })), /Cropping1D layer 'c1'/);
  assert.throws(() => new layers.Cropping2D(-1), /cannot be negative/);
});
