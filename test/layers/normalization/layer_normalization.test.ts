import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { assertClose, assertRoundTrip, baseConfig, f32 } from "../helpers.js";
import { runLayerTest } from "../harness.js";
import { checkGradients, randomTensor } from "../../helpers/gradcheck.js";

const { layers, ops } = keras;

test("LayerNormalization: the harness", async () => {
  await runLayerTest({ make: () => new layers.LayerNormalization(), inputShape: [2, 3, 4], expectedOutputShape: [null, 3, 4], expectedNumTrainableWeights: 2, expectedParams: 8, supportsMasking: true, expectedConfig: { axis: [-1], epsilon: 0.001, rms_scaling: false } });
  await runLayerTest({ make: () => new layers.LayerNormalization({ axis: [1, 2], center: false }), inputShape: [2, 3, 4], expectedOutputShape: [null, 3, 4], expectedNumTrainableWeights: 1, expectedParams: 12 });
});

test("LayerNormalization: hand-computed values (one axis, several axes, rms scaling)", () => {
  const layer = new layers.LayerNormalization({ epsilon: 0 });
  // [1, 3]: mean 2, variance 2/3
  const s = Math.sqrt(2 / 3);
  assertClose(ops.slice(layer.apply(f32([[1, 2, 3], [5, 5, 5.5]])), [0, 0], [1, 3]), [[-1 / s, 0, 1 / s]], 4);
  layer.setWeights([f32([1, 2, 3]), f32([0, 1, 0])]);
  assertClose(layer.apply(f32([[1, 2, 3]])), [[-1 / s, 1, 3 / s]], 4);
  // over axes 1 and 2 of [1, 2, 2]: values 0, 2, 4, 6 -> mean 3, variance 5
  const both = new layers.LayerNormalization({ axis: [1, 2], epsilon: 0 });
  const r = Math.sqrt(5);
  assertClose(both.apply(f32([[[0, 2], [4, 6]]])), [[[-3 / r, -1 / r], [1 / r, 3 / r]]], 4);
  assert.deepEqual(both.gamma!.shape, [2, 2]);
  // rms_scaling: x / sqrt(variance + eps) * gamma (no centring, no beta)
  const rms = new layers.LayerNormalization({ rmsScaling: true, epsilon: 0 });
  assertClose(rms.apply(f32([[1, 3]])), [[1, 3]], 4);
  assert.equal(rms.beta, undefined);
});

test("LayerNormalization: gradients (finite differences)", () => {
  const layer = new layers.LayerNormalization();
  const x = randomTensor([3, 4], 5);
  layer.apply(x);
  layer.setWeights([f32([1, 2, -1, 0.5]), f32([0.1, 0, 0, 0.2])]);
  checkGradients((input) => layer.apply(input), [x]);
});

test("LayerNormalization: config (axis becomes a list when built, as in Keras 3.8), errors", () => {
  const layer = new layers.LayerNormalization({ name: "ln" });
  assert.equal(layer.getConfig().axis, -1);
  layer.apply(ops.ones([1, 3]));
  const config = layer.getConfig();
  assert.deepEqual(config, {
    ...baseConfig("ln"), axis: [-1], epsilon: 0.001, center: true, scale: true, rms_scaling: false,
    beta_initializer: { module: "keras.initializers", class_name: "Zeros", config: {}, registered_name: null },
    gamma_initializer: { module: "keras.initializers", class_name: "Ones", config: {}, registered_name: null },
    beta_regularizer: null, gamma_regularizer: null, beta_constraint: null, gamma_constraint: null,
  });
  assertRoundTrip(layer);
  assert.throws(() => new layers.LayerNormalization({ axis: 2, name: "l2" }).apply(ops.ones([2, 2])), /LayerNormalization layer 'l2': axis 2 is out of bounds for a tensor of rank 2/);
  assert.throws(() => new layers.LayerNormalization({ axis: "x" as unknown as number }), /expected an int or a list\/tuple of ints/);
});
