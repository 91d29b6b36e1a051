import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { assertClose, assertRoundTrip, baseConfig, f32 } from "../helpers.js";
import { runLayerTest } from "../harness.js";
import { checkLayerGradients, randomTensor } from "../../helpers/gradcheck.js";

const { layers, ops } = keras;

test("DepthwiseConv1D/2D and SeparableConv1D/2D: the harness", async () => {
  await runLayerTest({ make: () => new layers.DepthwiseConv2D(3, { depthMultiplier: 2 }), inputShape: [2, 5, 5, 3], expectedOutputShape: [null, 3, 3, 6], expectedParams: 9 * 3 * 2 + 6, expectedConfig: { depth_multiplier: 2, kernel_size: [3, 3] } });
  await runLayerTest({ make: () => new layers.DepthwiseConv1D(2, { padding: "same", dataFormat: "channels_first" }), inputShape: [2, 3, 5], expectedOutputShape: [null, 3, 5], expectedParams: 2 * 3 + 3 });
  await runLayerTest({ make: () => new layers.SeparableConv2D(4, 3, { padding: "same", depthMultiplier: 2 }), inputShape: [2, 4, 4, 3], expectedOutputShape: [null, 4, 4, 4], expectedNumTrainableWeights: 3, expectedParams: 9 * 3 * 2 + 6 * 4 + 4 });
  await runLayerTest({ make: () => new layers.SeparableConv1D(2, 3, { strides: 2 }), inputShape: [2, 7, 2], expectedOutputShape: [null, 3, 2], expectedParams: 3 * 2 + 2 * 2 + 2 });
});

test("DepthwiseConv2D: output channel c * multiplier + m filters input channel c alone (hand-computed)", () => {
  const layer = new layers.DepthwiseConv2D(1, { depthMultiplier: 2 });
  const x = f32([[[[1, 10]]]]);
  layer.apply(x);
  assert.deepEqual(layer.kernel!.shape, [1, 1, 2, 2]);
  // kernel [1, 1, channels, multiplier]: channel 0 -> (2, 3), channel 1 -> (4, 5)
  layer.setWeights([f32([[[[2, 3], [4, 5]]]]), f32([0, 0, 0, 1])]);
  assert.deepEqual(layer.apply(x).arraySync(), [[[[2, 3, 40, 51]]]]);
  // a 2x2 window, dilation 2, per channel: sums of the corners of a 3x3 image
  const dilated = new layers.DepthwiseConv2D(2, { dilationRate: 2, useBias: false });
  const img = ops.concatenate([ops.reshape(ops.arange(1, 10), [1, 3, 3, 1]), ops.ones([1, 3, 3, 1])], -1);
  dilated.apply(img);
  dilated.setWeights([ops.ones([2, 2, 2, 1])]);
  assertClose(dilated.apply(img), [[[[1 + 3 + 7 + 9, 4]]]]);
});

test("SeparableConv2D: depthwise then pointwise (hand-computed), gradients", () => {
  const layer = new layers.SeparableConv2D(1, 1, { activation: "relu" });
  const x = f32([[[[1, 10]]]]);
  layer.apply(x);
  assert.deepEqual(layer.weights.map((w) => `${w.name} ${w.shape.join("x")}`), ["depthwise_kernel 1x1x2x1", "pointwise_kernel 1x1x2x1", "bias 1"]);
  // depthwise: (1 * 2, 10 * 3) = (2, 30); pointwise: 2 * 1 + 30 * -1 = -28; bias 30 -> 2
  layer.setWeights([f32([[[[2], [3]]]]), f32([[[[1], [-1]]]]), f32([30])]);
  assert.deepEqual(layer.apply(x).arraySync(), [[[[2]]]]);
  const g = new layers.SeparableConv2D(2, 2, { activation: "tanh", depthMultiplier: 2 });
  const input = randomTensor([1, 3, 3, 2], 10);
  g.apply(input);
  checkLayerGradients(g, input);
});

test("Depthwise and separable: Keras's config keys, round trip, errors", () => {
  const config = new layers.DepthwiseConv2D(3, { name: "d" }).getConfig();
  assert.deepEqual(Object.keys(config), [
    ...Object.keys(baseConfig("d")), "depth_multiplier", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "activation", "use_bias",
    "depthwise_initializer", "bias_initializer", "depthwise_regularizer", "bias_regularizer", "activity_regularizer", "depthwise_constraint", "bias_constraint",
  ]);
  assert.deepEqual(Object.keys(new layers.SeparableConv2D(2, 3, { name: "s" }).getConfig()), [
    ...Object.keys(baseConfig("s")), "depth_multiplier", "filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "activation", "use_bias",
    "depthwise_initializer", "pointwise_initializer", "bias_initializer", "depthwise_regularizer", "pointwise_regularizer", "bias_regularizer",
    "activity_regularizer", "depthwise_constraint", "pointwise_constraint", "bias_constraint",
  ]);
  assertRoundTrip(new layers.DepthwiseConv1D({ kernelSize: 3, depthMultiplier: 3, strides: 2 }));
  assertRoundTrip(new layers.SeparableConv1D(3, 2, { dilationRate: 2, pointwiseInitializer: "he_normal" }));
  assert.throws(() => new layers.DepthwiseConv2D(3, { depthMultiplier: 0, name: "d0" }), /DepthwiseConv2D layer 'd0': invalid value for argument `depth_multiplier`/);
  assert.throws(() => new layers.SeparableConv2D(0, 3, { name: "s0" }), /SeparableConv2D layer 's0': invalid value for argument `filters`/);
});
