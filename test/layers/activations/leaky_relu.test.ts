import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { assertClose, assertRoundTrip, baseConfig, f32 } from "../helpers.js";

const { layers } = keras;

test("LeakyReLU: default slope 0.3 (the layer's Keras 3 default)", () => {
  keras.utils.clearSession();
  const layer = new layers.LeakyReLU();
  assert.equal(layer.name, "leaky_re_lu");
  assert.equal(layer.negativeSlope, 0.3);
  assertClose(layer.apply(f32([-10, -1, 0, 2])), [-3, -0.3, 0, 2]);
  assertClose(new layers.LeakyReLU({ negativeSlope: 0.5 }).apply(f32([-10, -5, 0, 5, 10])), [-5, -2.5, 0, 5, 10]);
  assert.equal(new layers.LeakyReLU({ alpha: 0.1 }).negativeSlope, 0.1); // Keras 2 name
  assert.deepEqual(layer.apply(keras.Input({ shape: [7] })).shape, [null, 7]);
});

test("LeakyReLU: errors and config round trip", () => {
  keras.utils.clearSession();
  assert.throws(() => new layers.LeakyReLU({ negativeSlope: -1 }), /LeakyReLU layer 'leaky_re_lu': the negative_slope value cannot be null or negative/);
  const layer = new layers.LeakyReLU({ negativeSlope: 0.2, name: "lr" });
  assert.deepEqual(layer.getConfig(), { ...baseConfig("lr"), negative_slope: 0.2 });
  assertRoundTrip(layer);
});
