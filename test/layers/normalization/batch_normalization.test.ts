import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { assertClose, assertRoundTrip, baseConfig, f32 } from "../helpers.js";
import { runLayerTest } from "../harness.js";
import { checkLayerGradients, randomTensor } from "../../helpers/gradcheck.js";

const { layers, ops } = keras;

test("BatchNormalization: the harness (4C parameters, 2C of them non-trainable)", async () => {
  await runLayerTest({
    make: () => new layers.BatchNormalization(),
    inputShape: [4, 3, 2],
    expectedOutputShape: [null, 3, 2],
    expectedNumTrainableWeights: 2,
    expectedNumNonTrainableWeights: 2,
    expectedParams: 8,
    supportsMasking: true,
    expectedConfig: { axis: -1, momentum: 0.99, epsilon: 0.001, center: true, scale: true, synchronized: false },
  });
  await runLayerTest({ make: () => new layers.BatchNormalization({ axis: 1, center: false }), inputShape: [4, 3, 2, 2], expectedOutputShape: [null, 3, 2, 2], expectedNumTrainableWeights: 1, expectedParams: 9 });
  // A [batch, steps] mask on images is refused, as Keras refuses it.
  assert.throws(() => new layers.BatchNormalization({ name: "bn4" }).apply(ops.ones([2, 3, 3, 1]), { mask: ops.ones([2, 3]) }), /BatchNormalization layer 'bn4': the mask provided should be one dimension less than the inputs/);
});

test("BatchNormalization: training normalizes with the batch statistics and moves the moving ones", () => {
  const layer = new layers.BatchNormalization({ momentum: 0.9 });
  // feature 0: [1, 2, 3, 4], mean 2.5, variance 1.25; feature 1: constant 5, variance 0
  const x = f32([[1, 5], [2, 5], [3, 5], [4, 5]]);
  const y = layer.apply(x, { training: true });
  const s = Math.sqrt(1.25 + 1e-3);
  assertClose(y, [[-1.5 / s, 0], [-0.5 / s, 0], [0.5 / s, 0], [1.5 / s, 0]], 4);
  // moving = moving * 0.9 + batch * 0.1, from mean 0 / variance 1
  assertClose(layer.movingMean!.value, [0.25, 0.5]);
  assertClose(layer.movingVariance!.value, [0.9 + 0.125, 0.9]);
  assert.deepEqual(layer.weights.map((w) => w.name), ["gamma", "beta", "moving_mean", "moving_variance"]);
});

test("BatchNormalization: inference uses the moving statistics, gamma and beta (hand-computed)", () => {
  const layer = new layers.BatchNormalization({ axis: 1 });
  layer.apply(ops.zeros([1, 2, 1]));
  // gamma, beta, moving mean, moving variance per channel
  layer.setWeights([f32([2, 1]), f32([1, 0]), f32([1, -1]), f32([3, 0.999])]);
  const x = f32([[[4], [1]]]);
  const y = layer.apply(x);
  // channel 0: (4 - 1) / sqrt(3.001) * 2 + 1; channel 1: (1 + 1) / sqrt(1) * 1 + 0
  assertClose(y, [[[3 / Math.sqrt(3.001) * 2 + 1], [2]]], 4);
  assert.deepEqual(layer.apply(x, { training: false }).arraySync(), y.arraySync());
  // A frozen layer runs in inference mode even in training, and its statistics stay.
  layer.trainable = false;
  assert.deepEqual(layer.apply(x, { training: true }).arraySync(), y.arraySync());
  assertClose(layer.movingMean!.value, [1, -1]);
  assert.equal(layer.trainableWeights.length, 0);
  assert.equal(layer.nonTrainableWeights.length, 4);
});

test("BatchNormalization: a mask keeps masked steps out of the statistics", () => {
  const layer = new layers.BatchNormalization({ center: false, scale: false, epsilon: 0 });
  const x = f32([[[1], [3], [100]]]);
  const mask = ops.convertToTensor([[true, true, false]], "bool");
  // mean of the unmasked [1, 3] is 2, variance 1
  assertClose(layer.apply(x, { training: true, mask }), [[[-1], [1], [98]]], 4);
});

test("BatchNormalization: gradients of the training-mode output (finite differences; large enough for the native kernels)", () => {
  const layer = new layers.BatchNormalization();
  const x = randomTensor([4, 5, 5, 3], 3);
  layer.apply(x);
  layer.setWeights([f32([1.5, -0.5, 2]), f32([0.1, 0.2, 0.3]), f32([0, 0, 0]), f32([1, 1, 1])]);
  checkLayerGradients(layer, x, { training: true });
});

test("BatchNormalization: config keys as Keras 3.8 writes them, round trip, bad arguments", () => {
  const layer = new layers.BatchNormalization({ name: "bn" });
  assert.deepEqual(layer.getConfig(), {
    ...baseConfig("bn"),
    axis: -1,
    momentum: 0.99,
    epsilon: 0.001,
    center: true,
    scale: true,
    beta_initializer: { module: "keras.initializers", class_name: "Zeros", config: {}, registered_name: null },
    gamma_initializer: { module: "keras.initializers", class_name: "Ones", config: {}, registered_name: null },
    moving_mean_initializer: { module: "keras.initializers", class_name: "Zeros", config: {}, registered_name: null },
    moving_variance_initializer: { module: "keras.initializers", class_name: "Ones", config: {}, registered_name: null },
    beta_regularizer: null,
    gamma_regularizer: null,
    beta_constraint: null,
    gamma_constraint: null,
    synchronized: false,
  });
  assertRoundTrip(new layers.BatchNormalization({ axis: 1, momentum: 0.9, epsilon: 1e-5, gammaRegularizer: keras.regularizers.l2(0.01) }));
  // A newer Keras config with renorm off loads; renorm on is refused.
  assert.equal(layers.BatchNormalization.fromConfig({ ...layer.getConfig(), renorm: false, renorm_clipping: null, renorm_momentum: 0.99 }).axis, -1);
  assert.throws(() => new layers.BatchNormalization({ renorm: true, name: "r" }), /BatchNormalization layer 'r': batch renormalization \(renorm=True\) is not supported/);
  assert.throws(() => new layers.BatchNormalization({ synchronized: true, name: "s" }), /only supported with the TensorFlow backend/);
  assert.throws(() => new layers.BatchNormalization({ axis: 3, name: "b3" }).apply(ops.ones([2, 3])), /BatchNormalization layer 'b3': axis 3 is out of bounds for a tensor of rank 2/);
  const built = new layers.BatchNormalization();
  built.apply(ops.ones([2, 3]));
  assert.throws(() => built.apply(ops.ones([2, 4])), /expected axis -1 of input shape to have value 3/);
});
