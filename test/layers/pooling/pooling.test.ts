import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { assertClose, assertRoundTrip, baseConfig, f32 } from "../helpers.js";
import { runLayerTest } from "../harness.js";

const { layers, ops } = keras;

const grid3 = (): keras.Tensor => ops.reshape(ops.arange(1, 10), [1, 3, 3, 1]);

test("Max/AveragePooling 1D/2D/3D: the harness", async () => {
  await runLayerTest({ make: () => new layers.MaxPooling1D(), inputShape: [2, 5, 3], expectedOutputShape: [null, 2, 3], expectedParams: 0, expectedConfig: { pool_size: [2], strides: [2], padding: "valid" } });
  await runLayerTest({ make: () => new layers.MaxPooling2D({ poolSize: [2, 2] }), inputShape: [2, 5, 4, 3], expectedOutputShape: [null, 2, 2, 3], expectedConfig: { pool_size: [2, 2], strides: [2, 2], data_format: "channels_last" } });
  await runLayerTest({ make: () => new layers.MaxPooling2D(3, { strides: 1, padding: "same", dataFormat: "channels_first" }), inputShape: [2, 3, 4, 4], expectedOutputShape: [null, 3, 4, 4] });
  await runLayerTest({ make: () => new layers.MaxPooling3D(), inputShape: [1, 4, 4, 2, 1], expectedOutputShape: [null, 2, 2, 1, 1] });
  await runLayerTest({ make: () => new layers.AveragePooling1D(3, { strides: 1 }), inputShape: [2, 5, 2], expectedOutputShape: [null, 3, 2] });
  await runLayerTest({ make: () => new layers.AveragePooling2D(2, { padding: "same" }), inputShape: [2, 3, 3, 2], expectedOutputShape: [null, 2, 2, 2] });
  await runLayerTest({ make: () => new layers.AveragePooling3D([1, 2, 2]), inputShape: [1, 2, 4, 4, 1], expectedOutputShape: [null, 2, 2, 2, 1] });
});

test("MaxPooling2D and AveragePooling2D: valid and 'same' windows (hand-computed)", () => {
  assert.deepEqual(ops.reshape(new layers.MaxPooling2D().apply(grid3()), [1]).arraySync(), [5]);
  // "same": windows [1 2 4 5], [3 6], [7 8], [9]; the padding never wins a max and is not averaged
  assert.deepEqual(ops.reshape(new layers.MaxPooling2D(2, { padding: "same" }).apply(grid3()), [2, 2]).arraySync(), [[5, 6], [8, 9]]);
  assertClose(ops.reshape(new layers.AveragePooling2D(2, { padding: "same" }).apply(grid3()), [2, 2]), [[3, 4.5], [7.5, 9]]);
  assertClose(ops.reshape(new layers.AveragePooling2D(2, { strides: 1 }).apply(grid3()), [2, 2]), [[3, 4], [6, 7]]);
  assertClose(new layers.MaxPooling1D(2, { strides: 1 }).apply(f32([[[1], [3], [2]]])), [[[3], [3]]]);
  assertClose(new layers.MaxPooling2D(2, { dataFormat: "channels_first" }).apply(ops.reshape(ops.arange(8), [1, 2, 2, 2])), [[[[3]], [[7]]]]);
  // negative inputs: max is not clipped at the zero padding
  assert.deepEqual(ops.reshape(new layers.MaxPooling2D(2, { padding: "same" }).apply(ops.negative(grid3())), [2, 2]).arraySync(), [[-1, -3], [-7, -9]]);
});

test("Pooling: config, round trip, errors", () => {
  assert.deepEqual(new layers.MaxPooling2D({ name: "p" }).getConfig(), { ...baseConfig("p"), pool_size: [2, 2], padding: "valid", strides: [2, 2], data_format: "channels_last" });
  assertRoundTrip(new layers.AveragePooling2D([3, 2], { strides: [1, 2], padding: "same", dataFormat: "channels_first" }));
  assertRoundTrip(new layers.MaxPooling1D({ poolSize: 3 }));
  assert.throws(() => new layers.AveragePooling2D(undefined as unknown as number, { name: "a" }), /AveragePooling2D layer 'a': the `pool_size` argument must be a tuple of 2 integers/);
  assert.throws(() => new layers.MaxPooling2D(2, { padding: "full" as "same", name: "m" }), /MaxPooling2D layer 'm': `padding` must be one of 'valid', 'same'. Received: padding="full"/);
  assert.throws(() => new layers.MaxPooling2D(4, { name: "m2" }).apply(ops.ones([1, 3, 3, 1])), /MaxPooling2D layer 'm2': Computed output size would be zero or negative/);
  assert.throws(() => new layers.MaxPooling2D().apply(ops.ones([1, 4, 4])), /expected ndim=4, found ndim=3/);
});
