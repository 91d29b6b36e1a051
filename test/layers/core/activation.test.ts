import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { assertClose, assertRoundTrip, baseConfig, f32 } from "../helpers.js";

const { layers } = keras;

test("Activation: applies the named or given function", () => {
  keras.utils.clearSession();
  const relu = new layers.Activation("relu");
  assert.equal(relu.name, "activation");
  assertClose(relu.apply(f32([-3, -1, 0, 2])), [0, 0, 0, 2]);
  const tanh = new layers.Activation(keras.activations.tanh);
  assertClose(tanh.apply(f32([0, 1])), [0, Math.tanh(1)]);
  const sigmoid = new layers.Activation({ activation: "sigmoid" });
  assertClose(sigmoid.apply(f32([0])), [0.5]);
  assert.throws(() => new layers.Activation("no_such_activation"), /Unknown activation: 'no_such_activation'/);
});

test("Activation: output shape eager and symbolic", () => {
  const layer = new layers.Activation("softmax");
  assert.deepEqual(layer.apply(keras.ops.ones([2, 3, 4])).shape, [2, 3, 4]);
  const y = layer.apply(keras.Input({ shape: [5, 6] }));
  assert.deepEqual(y.shape, [null, 5, 6]);
});

test("Activation: config round trip", () => {
  keras.utils.clearSession();
  const layer = new layers.Activation("relu");
  assert.deepEqual(layer.getConfig(), { ...baseConfig("activation"), activation: "relu" });
  const rebuilt = assertRoundTrip(layer);
  assertClose(rebuilt.apply(f32([-1, 1])), [0, 1]);
  assertRoundTrip(new layers.Activation("gelu", { name: "act" }));
});
