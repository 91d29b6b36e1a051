import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { assertClose, assertRoundTrip, baseConfig, f32 } from "../helpers.js";
import { runLayerTest } from "../harness.js";
import { checkGradients, randomTensor } from "../../helpers/gradcheck.js";

const { layers, ops } = keras;

test("GroupNormalization: the harness", async () => {
  await runLayerTest({ make: () => new layers.GroupNormalization({ groups: 2 }), inputShape: [2, 3, 4], expectedOutputShape: [null, 3, 4], expectedNumTrainableWeights: 2, expectedParams: 8, supportsMasking: true, expectedConfig: { groups: 2, axis: -1, epsilon: 0.001 } });
  await runLayerTest({ make: () => new layers.GroupNormalization({ groups: -1, axis: 1 }), inputShape: [2, 2, 3, 3], expectedOutputShape: [null, 2, 3, 3], expectedParams: 4, expectedConfig: { groups: 2, axis: 1 } });
});

test("GroupNormalization: statistics per sample and group (hand-computed)", () => {
  const layer = new layers.GroupNormalization({ groups: 2, epsilon: 0 });
  // one sample, 2 steps, 4 channels; group 0 = channels 0-1: [0, 2, 4, 6] -> mean 3, var 5;
  // group 1 = channels 2-3: [1, 1, 3, 3] -> mean 2, var 1
  const x = f32([[[0, 2, 1, 1], [4, 6, 3, 3]]]);
  const r = Math.sqrt(5);
  assertClose(layer.apply(x), [[[-3 / r, -1 / r, -1, -1], [1 / r, 3 / r, 1, 1]]], 4);
  layer.setWeights([f32([1, 1, 2, 2]), f32([0, 0, 10, 10])]);
  assertClose(ops.slice(layer.apply(x), [0, 0, 2], [1, 2, 2]), [[[8, 8], [12, 12]]], 4);
  // groups: -1 is instance normalization: each channel on its own
  const instance = new layers.GroupNormalization({ groups: -1, epsilon: 0, center: false, scale: false });
  assertClose(instance.apply(f32([[[1, 10], [3, 30]]])), [[[-1, -1], [1, 1]]], 4);
  assert.equal(instance.groups, 2);
});

test("GroupNormalization: gradients (finite differences)", () => {
  const layer = new layers.GroupNormalization({ groups: 2 });
  const x = randomTensor([2, 3, 4], 8);
  layer.apply(x);
  layer.setWeights([f32([1, 2, -1, 0.5]), f32([0.1, 0, 0, 0.2])]);
  checkGradients((input) => layer.apply(input), [x]);
});

test("GroupNormalization: config, errors", () => {
  assert.deepEqual(new layers.GroupNormalization({ name: "gn" }).getConfig(), {
    ...baseConfig("gn"), groups: 32, axis: -1, epsilon: 0.001, center: true, scale: true,
    beta_initializer: { module: "keras.initializers", class_name: "Zeros", config: {}, registered_name: null },
    gamma_initializer: { module: "keras.initializers", class_name: "Ones", config: {}, registered_name: null },
    beta_regularizer: null, gamma_regularizer: null, beta_constraint: null, gamma_constraint: null,
  });
  assertRoundTrip(new layers.GroupNormalization({ groups: 4, axis: 1, epsilon: 1e-5 }));
  assert.throws(() => new layers.GroupNormalization({ groups: 3, name: "g" }).apply(ops.ones([1, 4])), /GroupNormalization layer 'g': the number of channels \(4\) must be a multiple of the number of groups \(3\)/);
  assert.throws(() => new layers.GroupNormalization({ name: "g2" }).apply(ops.ones([1, 4])), /number of groups \(32\) cannot be more than the number of channels \(4\)/);
  assert.throws(() => new layers.GroupNormalization({ groups: 0 }), /expected a positive integer \(or -1 for instance normalization\)/);
});
