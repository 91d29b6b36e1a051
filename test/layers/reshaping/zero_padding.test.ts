import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { assertClose, assertRoundTrip, baseConfig, f32 } from "../helpers.js";
import { runLayerTest } from "../harness.js";

const { layers, ops } = keras;

test("ZeroPadding1D/2D/3D: the harness (shapes, config, .keras save/load, masking off)", async () => {
  await runLayerTest({ make: () => new layers.ZeroPadding1D([1, 2]), inputShape: [2, 3, 4], expectedOutputShape: [null, 6, 4], expectedParams: 0, expectedConfig: { padding: [1, 2], data_format: "channels_last" } });
  await runLayerTest({ make: () => new layers.ZeroPadding2D([1, 2]), inputShape: [2, 3, 4, 2], expectedOutputShape: [null, 5, 8, 2], expectedConfig: { padding: [[1, 1], [2, 2]] } });
  await runLayerTest({ make: () => new layers.ZeroPadding2D({ padding: [[0, 1], [2, 3]], dataFormat: "channels_first" }), inputShape: [2, 2, 3, 4], expectedOutputShape: [null, 2, 4, 9] });
  await runLayerTest({ make: () => new layers.ZeroPadding3D(1), inputShape: [1, 2, 2, 2, 3], expectedOutputShape: [null, 4, 4, 4, 3], expectedConfig: { padding: [[1, 1], [1, 1], [1, 1]] } });
});

test("ZeroPadding: hand-computed values, defaults and config", () => {
  const x = f32([[[1], [2]], [[3], [4]]]).reshape([1, 2, 2, 1]);
  // top 1, bottom 0, left 0, right 2
  const y = new layers.ZeroPadding2D([[1, 0], [0, 2]]).apply(x);
  assertClose(ops.squeeze(y, [0, 3]), [[0, 0, 0, 0], [1, 2, 0, 0], [3, 4, 0, 0]]);
  const seq = new layers.ZeroPadding1D({ padding: [2, 1] }).apply(f32([[[5, 6]]]));
  assertClose(seq, [[[0, 0], [0, 0], [5, 6], [0, 0]]]);
  const first = new layers.ZeroPadding2D({ padding: 1, dataFormat: "channels_first" }).apply(ops.ones([1, 2, 1, 1]));
  assert.deepEqual(first.shape, [1, 2, 3, 3]);
  assertClose(first, [[[[0, 0, 0], [0, 1, 0], [0, 0, 0]], [[0, 0, 0], [0, 1, 0], [0, 0, 0]]]]);
  const layer = new layers.ZeroPadding2D({ name: "zp" });
  assert.deepEqual(layer.getConfig(), { ...baseConfig("zp"), padding: [[1, 1], [1, 1]], data_format: "channels_last" });
  assert.deepEqual(new layers.ZeroPadding1D().padding, [[1, 1]]);
  assertRoundTrip(new layers.ZeroPadding3D([[1, 2], [0, 0], [3, 1]]));
  // integer inputs stay integers
  assert.equal(new layers.ZeroPadding1D().apply(ops.cast(ops.ones([1, 2, 1]), "int32")).dtype, "int32");
});

test("ZeroPadding: bad arguments name the layer and the value", () => {
  assert.throws(() => new layers.ZeroPadding2D({ padding: [1, 2, 3], name: "zp" }), /ZeroPadding2D layer 'zp': `padding` should be either an int, a tuple of 2 ints, or a tuple of 2 tuples of 2 ints. Received: padding=\[1,2,3\]/);
  assert.throws(() => new layers.ZeroPadding1D(-1, { name: "zp1" }), /ZeroPadding1D layer 'zp1': the `padding` argument must be a tuple of 2 integers. Received padding=-1, including values \{-1\}/);
  assert.throws(() => new layers.ZeroPadding2D([[1, 2], [3]], { name: "zp2" }), /the `2nd entry of padding` argument must be a tuple of 2 integers/);
  assert.throws(() => new layers.ZeroPadding2D(1).apply(ops.ones([2, 3, 4])), /expected ndim=4, found ndim=3/);
});
