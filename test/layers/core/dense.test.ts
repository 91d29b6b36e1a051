import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { assertClose, assertRoundTrip, baseConfig, f32 } from "../helpers.js";
import { runLayerTest } from "../harness.js";

const { layers } = keras;

test("Dense: numeric case with set weights", () => {
  const dense = new layers.Dense(2, { activation: "relu" });
  dense.apply(f32([[0, 0, 0]])); // builds: kernel [3, 2], bias [2]
  dense.setWeights([f32([[1, -1], [2, 0], [0, 3]]), f32([0.5, -10])]);
  // [1, 2, 3] @ K = [1 + 4 + 0, -1 + 0 + 9] = [5, 8]; + bias = [5.5, -2]; relu -> [5.5, 0]
  // [-1, 0, 1] @ K = [-1, 1 + 3] = [-1, 4]; + bias = [-0.5, -6]; relu -> [0, 0]
  assertClose(dense.apply(f32([[1, 2, 3], [-1, 0, 1]])), [[5.5, 0], [0, 0]]);
  assert.equal(dense.countParams(), 8);
  assert.throws(() => dense.setWeights([f32([[1, 2]])]), /setWeights expected 2 arrays/);
});

test("Dense: output shape eager and symbolic", () => {
  const dense = new layers.Dense(4);
  assert.deepEqual(dense.apply(keras.ops.ones([2, 5, 3])).shape, [2, 5, 4]);
  const x = keras.Input({ shape: [7] });
  const y = new layers.Dense(3).apply(x);
  assert.ok(y instanceof keras.KerasTensor);
  assert.deepEqual(y.shape, [null, 3]);
});

test("Dense: default initializers in config, and config round trip", () => {
  keras.utils.clearSession();
  const dense = new layers.Dense(3);
  assert.equal(dense.name, "dense");
  const config = dense.getConfig();
  assert.deepEqual(config, {
    ...baseConfig("dense"),
    units: 3,
    activation: "linear",
    use_bias: true,
    kernel_initializer: { module: "keras.initializers", class_name: "GlorotUniform", config: { seed: null }, registered_name: null },
    bias_initializer: { module: "keras.initializers", class_name: "Zeros", config: {}, registered_name: null },
    kernel_regularizer: null,
    bias_regularizer: null,
    kernel_constraint: null,
    bias_constraint: null,
  });
  assertRoundTrip(dense);
  const custom = new layers.Dense(5, { activation: "tanh", useBias: false, kernelInitializer: "he_normal", kernelRegularizer: keras.regularizers.l2(0.1) });
  const rebuilt = assertRoundTrip(custom);
  assert.equal(rebuilt.units, 5);
  assert.equal(rebuilt.useBias, false);
});

test("Dense: inputSpec error on a wrong last dimension after build", () => {
  keras.utils.clearSession();
  const dense = new layers.Dense(2);
  dense.apply(keras.ops.ones([1, 3]));
  assert.throws(
    () => dense.apply(keras.ops.ones([1, 4])),
    /^Error: Input 0 of layer "dense" is incompatible with the layer: expected axis -1 of input shape to have value 3, but received input with shape \(1, 4\)$/,
  );
  assert.throws(() => dense.apply(keras.ops.ones([3])), /Input 0 of layer "dense" is incompatible with the layer: expected min_ndim=2, found ndim=1/);
  assert.throws(() => new layers.Dense(0), /units must be a positive integer/);
});

test("Dense: the shared layer harness (shapes, params, config, .keras save/load, training)", async () => {
  await runLayerTest({
    make: () => new layers.Dense(4, { activation: "relu" }),
    inputShape: [3, 5],
    expectedOutputShape: [null, 4],
    expectedNumTrainableWeights: 2,
    expectedNumNonTrainableWeights: 0,
    expectedParams: 24,
    supportsMasking: true,
    expectedConfig: { units: 4, activation: "relu" },
  });
});
