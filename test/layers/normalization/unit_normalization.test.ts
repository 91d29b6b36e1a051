import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { assertClose, assertRoundTrip, baseConfig, f32 } from "../helpers.js";
import { runLayerTest } from "../harness.js";

const { layers, ops } = keras;

test("UnitNormalization: the harness", async () => {
  await runLayerTest({ make: () => new layers.UnitNormalization(), inputShape: [2, 3], expectedOutputShape: [null, 3], expectedParams: 0, supportsMasking: true, expectedConfig: { axis: -1 } });
});

test("UnitNormalization: unit L2 norm over the axis (hand-computed)", () => {
  assertClose(new layers.UnitNormalization().apply(f32([[3, 4], [0, 0]])), [[0.6, 0.8], [0, 0]]);
  assertClose(new layers.UnitNormalization([1, 2]).apply(f32([[[1, 1], [1, 1]]])), [[[0.5, 0.5], [0.5, 0.5]]]);
  assertClose(new layers.UnitNormalization({ axis: 0 }).apply(f32([[3], [4]])), [[0.6], [0.8]]);
  assert.deepEqual(new layers.UnitNormalization({ name: "u" }).getConfig(), { ...baseConfig("u"), axis: -1 });
  assertRoundTrip(new layers.UnitNormalization([1, 2]));
  assert.throws(() => new layers.UnitNormalization({ axis: 1.5 }), /expected an int or a list\/tuple of ints/);
  assert.throws(() => new layers.UnitNormalization(3, { name: "u3" }).apply(keras.Input({ shape: [2] })), /UnitNormalization layer 'u3': axis 3 is out of bounds/);
  void ops;
});
