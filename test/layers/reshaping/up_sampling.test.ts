import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { assertClose, assertRoundTrip, baseConfig, f32 } from "../helpers.js";
import { runLayerTest } from "../harness.js";

const { layers, ops } = keras;

test("UpSampling1D/2D/3D: the harness", async () => {
  await runLayerTest({ make: () => new layers.UpSampling1D(3), inputShape: [2, 2, 3], expectedOutputShape: [null, 6, 3], expectedParams: 0, expectedConfig: { size: 3 } });
  await runLayerTest({ make: () => new layers.UpSampling2D([2, 3]), inputShape: [2, 2, 2, 1], expectedOutputShape: [null, 4, 6, 1], expectedConfig: { size: [2, 3], interpolation: "nearest" } });
  await runLayerTest({ make: () => new layers.UpSampling2D({ dataFormat: "channels_first" }), inputShape: [2, 3, 2, 2], expectedOutputShape: [null, 3, 4, 4] });
  await runLayerTest({ make: () => new layers.UpSampling3D(2), inputShape: [1, 1, 2, 2, 2], expectedOutputShape: [null, 2, 4, 4, 2], expectedConfig: { size: [2, 2, 2] } });
});

test("UpSampling2D: bilinear interpolation uses Keras's half-pixel sampling (hand-computed)", async () => {
  const y = new layers.UpSampling2D([1, 2], { interpolation: "bilinear" }).apply(f32([[[[1], [2]]]]));
  assertClose(y, [[[[1], [1.25], [1.75], [2]]]]);
  const cf = new layers.UpSampling2D([1, 2], { interpolation: "bilinear", dataFormat: "channels_first" }).apply(f32([[[[1, 2]]]]));
  assertClose(cf, [[[[1, 1.25, 1.75, 2]]]]);
  await runLayerTest({ make: () => new layers.UpSampling2D(2, { interpolation: "bilinear" }), inputShape: [2, 2, 3, 2], expectedOutputShape: [null, 4, 6, 2], expectedConfig: { interpolation: "bilinear" } });
});

test("UpSampling: nearest repeats rows and columns (hand-computed)", () => {
  const x = f32([[1, 2], [3, 4]]).reshape([1, 2, 2, 1]);
  const y = new layers.UpSampling2D([2, 1]).apply(x);
  assertClose(ops.squeeze(y, [0, 3]), [[1, 2], [1, 2], [3, 4], [3, 4]]);
  assertClose(new layers.UpSampling1D().apply(f32([[[1], [2]]])), [[[1], [1], [2], [2]]]);
  assert.deepEqual(new layers.UpSampling2D({ name: "up" }).getConfig(), { ...baseConfig("up"), size: [2, 2], data_format: "channels_last", interpolation: "nearest" });
  assert.deepEqual(new layers.UpSampling1D({ name: "up1" }).getConfig(), { ...baseConfig("up1"), size: 2 });
  assertRoundTrip(new layers.UpSampling3D([1, 2, 3], { dataFormat: "channels_first" }));
  assert.throws(() => new layers.UpSampling2D(2, { interpolation: "cubic" as "nearest", name: "up" }), /UpSampling2D layer 'up': interpolation must be one of bilinear, nearest, lanczos3, lanczos5, bicubic; received "cubic"/);
  assert.throws(() => new layers.UpSampling1D(0, { name: "u1" }), /UpSampling1D layer 'u1': the `size` argument/);
});
