import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { assertClose, assertRoundTrip, baseConfig, f32 } from "../helpers.js";

const { layers } = keras;

test("Softmax: over the last axis by default, or the given axis / axes", () => {
  keras.utils.clearSession();
  const layer = new layers.Softmax();
  assert.equal(layer.name, "softmax");
  // Keras docstring example
  assertClose(layer.apply(f32([1, 2, 1])), [0.21194157, 0.5761169, 0.21194157]);
  const e = Math.E;
  assertClose(new layers.Softmax({ axis: 0 }).apply(f32([[0, 1], [0, 0]])), [[0.5, e / (e + 1)], [0.5, 1 / (e + 1)]]);
  assertClose(new layers.Softmax({ axis: [0, 1] }).apply(f32([[0, 0], [0, 0]])), [[0.25, 0.25], [0.25, 0.25]]);
  assert.deepEqual(layer.apply(keras.Input({ shape: [4, 6] })).shape, [null, 4, 6]);
});

test("Softmax: config round trip", () => {
  keras.utils.clearSession();
  const layer = new layers.Softmax();
  assert.deepEqual(layer.getConfig(), { ...baseConfig("softmax"), axis: -1 });
  assertRoundTrip(layer);
  assert.deepEqual(assertRoundTrip(new layers.Softmax({ axis: [1, 2] })).axis, [1, 2]);
  assert.throws(() => new layers.Softmax({ axis: 0.5 }), /Softmax layer 'softmax_\d+': axis must be an integer/);
});
