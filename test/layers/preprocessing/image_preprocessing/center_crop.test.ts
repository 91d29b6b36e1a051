import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../../src/index.js";
import { assertClose, assertRoundTrip, baseConfig } from "../../helpers.js";
import { runLayerTest } from "../../harness.js";

const { layers, ops } = keras;

test("CenterCrop: the harness", async () => {
  await runLayerTest({ make: () => new layers.CenterCrop(2, 3), inputShape: [2, 4, 5, 1], expectedOutputShape: [null, 2, 3, 1], expectedParams: 0, expectedConfig: { height: 2, width: 3, data_format: "channels_last" } });
});

test("CenterCrop: the central window, in training and at inference (hand-computed)", () => {
  const x = ops.reshape(ops.arange(25), [1, 5, 5, 1]);
  // 5 -> 2 leaves 3: start at 1
  const expected = [[[[6], [7]], [[11], [12]]]];
  assert.deepEqual(new layers.CenterCrop(2, 2).apply(x).arraySync(), expected);
  assert.deepEqual(new layers.CenterCrop(2, 2).apply(x, { training: false }).arraySync(), expected);
  const cf = new layers.CenterCrop(1, 3, { dataFormat: "channels_first" }).apply(ops.reshape(ops.arange(16), [1, 1, 4, 4]));
  assert.deepEqual(cf.arraySync(), [[[[4, 5, 6]]]]);
  assert.deepEqual(new layers.CenterCrop(1, 1).apply(ops.reshape(ops.arange(9), [3, 3, 1])).arraySync(), [[[4]]]);
  // A 2x4 image cropped to 4x4: its central 2x2 window (columns 1-2), resized to 4x4 (bilinear).
  const small = new layers.CenterCrop(4, 4).apply(ops.reshape(ops.arange(8), [1, 2, 4, 1]));
  assertClose(ops.reshape(small, [4, 4]), [[1, 1.25, 1.75, 2], [2, 2.25, 2.75, 3], [4, 4.25, 4.75, 5], [5, 5.25, 5.75, 6]]);
  assert.deepEqual(new layers.CenterCrop(3, 2, { name: "cc" }).getConfig(), { ...baseConfig("cc"), height: 3, width: 2, data_format: "channels_last" });
  assertRoundTrip(new layers.CenterCrop(4, 4, { dataFormat: "channels_first" }));
  assert.throws(() => new layers.CenterCrop(0, 2, { name: "c0" }), /CenterCrop layer 'c0': height must be a positive integer, got 0/);
});
