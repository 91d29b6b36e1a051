import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { assertClose, assertRoundTrip, baseConfig, f32 } from "../helpers.js";

const { layers, ops } = keras;

test("Rescaling: inputs * scale + offset, integers cast to float", () => {
  keras.utils.clearSession();
  const layer = new layers.Rescaling(1 / 255);
  assert.equal(layer.name, "rescaling");
  const pixels = ops.convertToTensor([[0, 51, 255]], "uint8");
  const y = layer.apply(pixels);
  assert.equal(y.dtype, "float32");
  assertClose(y, [[0, 0.2, 1]]);
  const centered = new layers.Rescaling(1 / 127.5, { offset: -1 });
  assertClose(centered.apply(ops.convertToTensor([0, 127.5, 255])), [-1, 0, 1]);
  // A per-channel scale broadcasts over the last axis.
  assertClose(new layers.Rescaling({ scale: [1, 10], offset: 0.5 }).apply(f32([[1, 2], [3, 4]])), [[1.5, 20.5], [3.5, 40.5]]);
});

test("Rescaling: symbolic shape and float output for integer inputs", () => {
  const input = keras.Input({ shape: [4, 4, 3], dtype: "int32" });
  const y = new layers.Rescaling(0.5).apply(input);
  assert.deepEqual(y.shape, [null, 4, 4, 3]);
  assert.equal(y.dtype, "float32");
});

test("Rescaling: config round trip and errors", () => {
  keras.utils.clearSession();
  const layer = new layers.Rescaling(0.5, { offset: 2 });
  assert.deepEqual(layer.getConfig(), { ...baseConfig("rescaling"), scale: 0.5, offset: 2 });
  assertRoundTrip(layer);
  const defaults = new layers.Rescaling(2);
  assert.equal(defaults.getConfig().offset, 0);
  assertRoundTrip(new layers.Rescaling([1, 2, 3]));
  // Keras writes NumPy scales as {"class_name": "__numpy__", ...}.
  const fromKeras = layers.Rescaling.fromConfig({ name: "r", scale: { class_name: "__numpy__", config: { value: [2, 4], dtype: "float32" } }, offset: 0.0 });
  assertClose(fromKeras.apply(f32([[1, 1]])), [[2, 4]]);
  assert.throws(() => new layers.Rescaling({ scale: "big" as unknown as number }), /Rescaling layer 'rescaling_\d+': scale must be a number or an array of numbers/);
});
