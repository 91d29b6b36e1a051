import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { assertClose, assertRoundTrip, baseConfig, f32 } from "../helpers.js";

const { layers, ops } = keras;

test("PReLU: alpha starts at zero (plain ReLU) and is a trainable weight of the input's shape", () => {
  keras.utils.clearSession();
  const layer = new layers.PReLU();
  assert.equal(layer.name, "p_re_lu");
  assertClose(layer.apply(f32([[-2, 3], [1, -4]])), [[0, 3], [1, 0]]);
  assert.equal(layer.trainableWeights.length, 1);
  assert.equal(layer.weights[0].name, "alpha");
  assert.deepEqual(layer.weights[0].shape, [2]);
  layer.setWeights([f32([0.5, 0.25])]);
  // negative entries times their column's alpha
  assertClose(layer.apply(f32([[-2, 3], [1, -4]])), [[-1, 3], [1, -1]]);
});

test("PReLU: sharedAxes, symbolic shape and inputSpec", () => {
  keras.utils.clearSession();
  const layer = new layers.PReLU({ sharedAxes: [1, 2], alphaInitializer: "ones" });
  const y = layer.apply(keras.Input({ shape: [4, 5, 3] }));
  assert.deepEqual(y.shape, [null, 4, 5, 3]);
  assert.deepEqual(layer.weights[0].shape, [1, 1, 3]);
  assert.equal(layer.countParams(), 3);
  // alpha = 1 makes it the identity
  assertClose(layer.apply(ops.full([1, 4, 5, 3], -2)), ops.full([1, 4, 5, 3], -2).arraySync());
  // Shared axes may change size; the channel axis may not.
  assert.deepEqual(layer.apply(ops.ones([2, 7, 1, 3])).shape, [2, 7, 1, 3]);
  assert.throws(() => layer.apply(ops.ones([2, 4, 5, 2])), /Input 0 of layer "p_re_lu" is incompatible with the layer: expected axis 3 of input shape to have value 3/);
  assert.throws(() => new layers.PReLU().apply(keras.Input({ shape: [null, 3] })), /PReLU layer 'p_re_lu_1': axis 1 of the input shape \(None, None, 3\) must be known/);
});

test("PReLU: default config (Zeros initializer) and round trip", () => {
  keras.utils.clearSession();
  const layer = new layers.PReLU();
  assert.deepEqual(layer.getConfig(), {
    ...baseConfig("p_re_lu"),
    alpha_initializer: { module: "keras.initializers", class_name: "Zeros", config: {}, registered_name: null },
    alpha_regularizer: null,
    alpha_constraint: null,
    shared_axes: null,
  });
  assertRoundTrip(layer);
  const custom = assertRoundTrip(new layers.PReLU({ alphaInitializer: keras.initializers.get("ones"), alphaRegularizer: "l2", alphaConstraint: "non_neg", sharedAxes: 1 }));
  assert.deepEqual(custom.sharedAxes, [1]);
  assert.ok(custom.alphaRegularizer !== null && custom.alphaConstraint !== null);
});

test("PReLU: alpha receives the gradient sum(min(x, 0)) per slope", () => {
  const layer = new layers.PReLU({ sharedAxes: [1] });
  const x = f32([[[-1, 2], [-3, -4]]]); // [1, 2, 2]; alpha has shape [1, 2]
  layer.apply(x);
  const [g] = keras.grad(() => ops.sum(layer.apply(x)), { variables: layer.trainableWeights })() as keras.Tensor[];
  // d/d alpha_c of sum(-alpha_c * relu(-x)) = sum over shared axis of min(x, 0)
  assertClose(g, [[-4, -4]]);
});
