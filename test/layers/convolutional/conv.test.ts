import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { assertClose, assertRoundTrip, baseConfig, f32 } from "../helpers.js";
import { runLayerTest } from "../harness.js";
import { checkLayerGradients, randomTensor } from "../../helpers/gradcheck.js";

const { layers, ops } = keras;

/** A Conv1D on one channel with kernel `w` (and bias), applied to the sequence `x`. */
function conv1d(x: number[], w: number[], options: Omit<keras.layers.ConvArgs, "filters" | "kernelSize"> = {}, bias = 0): number[] {
  const layer = new layers.Conv1D(1, w.length, options);
  const input = ops.reshape(f32(x), [1, x.length, 1]);
  layer.apply(input);
  layer.setWeights([ops.reshape(f32(w), [w.length, 1, 1]), f32([bias])]);
  return Array.from(layer.apply(input).dataSync() as Float32Array, (v) => Number(v.toFixed(5)));
}

test("Conv1D/2D/3D: the harness (shapes, Keras's parameter counts, config, .keras save/load, training)", async () => {
  await runLayerTest({ make: () => new layers.Conv1D(4, 3, { padding: "causal", dilationRate: 2 }), inputShape: [2, 7, 3], expectedOutputShape: [null, 7, 4], expectedNumTrainableWeights: 2, expectedParams: 3 * 3 * 4 + 4 });
  await runLayerTest({
    make: () => new layers.Conv2D(4, [3, 2], { strides: [2, 1], activation: "relu" }),
    inputShape: [2, 7, 5, 3],
    expectedOutputShape: [null, 3, 4, 4],
    expectedParams: 3 * 2 * 3 * 4 + 4,
    expectedConfig: { filters: 4, kernel_size: [3, 2], strides: [2, 1], padding: "valid", dilation_rate: [1, 1], groups: 1, activation: "relu", activity_regularizer: null },
  });
  await runLayerTest({ make: () => new layers.Conv2D(6, 3, { padding: "same", groups: 2, useBias: false, dataFormat: "channels_first" }), inputShape: [2, 4, 5, 5], expectedOutputShape: [null, 6, 5, 5], expectedNumTrainableWeights: 1, expectedParams: 3 * 3 * 2 * 6 });
  await runLayerTest({ make: () => new layers.Conv3D(2, 2, { padding: "same", strides: 2 }), inputShape: [1, 4, 3, 4, 2], expectedOutputShape: [null, 2, 2, 2, 2], expectedParams: 8 * 2 * 2 + 2 });
});

test("Conv1D: padding, strides, dilation, causal padding and groups (hand-computed)", () => {
  // out[t] = 1 * x[t] + 2 * x[t + 1] + 0.5
  assert.deepEqual(conv1d([1, 2, 3, 4], [1, 2], {}, 0.5), [5.5, 8.5, 11.5]);
  assert.deepEqual(conv1d([1, 2, 3, 4], [1, 2], { strides: 2 }, 0.5), [5.5, 11.5]);
  // "same" with a window of 3 pads one zero on each side
  assert.deepEqual(conv1d([1, 2, 3, 4], [1, 1, 1], { padding: "same" }), [3, 6, 9, 7]);
  // "same" with stride 2: output ceil(4 / 2) = 2, the padding (1) goes after
  assert.deepEqual(conv1d([1, 2, 3, 4], [1, 1], { padding: "same", strides: 2 }), [3, 7]);
  // dilation 2: out[t] = x[t] + x[t + 2]
  assert.deepEqual(conv1d([1, 2, 3, 4, 5], [1, 1], { dilationRate: 2 }), [4, 6, 8]);
  // causal: one zero before, out[t] = 1 * x[t - 1] + 2 * x[t]
  assert.deepEqual(conv1d([1, 2, 3, 4], [1, 2], { padding: "causal" }), [2, 5, 8, 11]);
  assert.deepEqual(conv1d([1, 2, 3, 4], [1, 2], { padding: "causal", dilationRate: 2 }), [2, 4, 7, 10]);
  // groups 2: each output channel sees its own input channel
  const grouped = new layers.Conv1D(2, 1, { groups: 2, useBias: false });
  grouped.apply(ops.zeros([1, 1, 2]));
  assert.deepEqual(grouped.kernel!.shape, [1, 1, 2]);
  grouped.setWeights([f32([[[3, 5]]])]);
  assert.deepEqual(grouped.apply(f32([[[1, 10]]])).arraySync(), [[[3, 50]]]);
});

test("Conv2D: a 2x2 window, stride 2 with 'same' padding, activation, channels_first (hand-computed)", () => {
  const x = ops.reshape(ops.arange(1, 10), [1, 3, 3, 1]);
  const layer = new layers.Conv2D(1, 2, { activation: "relu" });
  layer.apply(x);
  layer.setWeights([ops.ones([2, 2, 1, 1]), f32([-13])]);
  // window sums 12, 16, 24, 28, minus 13, relu
  assertClose(ops.reshape(layer.apply(x), [2, 2]), [[0, 3], [11, 15]]);
  const strided = new layers.Conv2D(1, 2, { strides: 2, padding: "same", useBias: false });
  strided.apply(x);
  strided.setWeights([ops.ones([2, 2, 1, 1])]);
  // output 2x2; the padding row/column goes after: sums of [1 2 4 5], [3 6], [7 8], [9]
  assertClose(ops.reshape(strided.apply(x), [2, 2]), [[12, 9], [15, 9]]);
  // Two input channels, two filters; channels_first gives the same numbers transposed.
  const two = ops.concatenate([x, ops.multiply(x, 10)], -1);
  const last = new layers.Conv2D(2, 2, { useBias: false });
  const first = new layers.Conv2D(2, 2, { useBias: false, dataFormat: "channels_first" });
  last.apply(two);
  first.apply(ops.transpose(two, [0, 3, 1, 2]));
  const kernel = randomTensor([2, 2, 2, 2], 4);
  last.setWeights([kernel]);
  first.setWeights([kernel]);
  const a = last.apply(two);
  const b = ops.transpose(first.apply(ops.transpose(two, [0, 3, 1, 2])), [0, 2, 3, 1]);
  assertClose(b, a.arraySync(), 4);
  // filter 0 = kernel[..., 0]: sum over window and channels
  const k = kernel.arraySync() as number[][][][];
  const x0 = [[1, 2], [4, 5]];
  let expected = 0;
  for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) expected += x0[i][j] * k[i][j][0][0] + 10 * x0[i][j] * k[i][j][1][0];
  assert.ok(Math.abs((a.arraySync() as number[][][][])[0][0][0][0] - expected) < 1e-4);
});

test("Conv2D: gradients through the layer (finite differences; large enough for the native kernels)", () => {
  const layer = new layers.Conv2D(3, 2, { activation: "tanh", padding: "same", strides: [1, 2] });
  const x = randomTensor([2, 6, 7, 2], 6);
  layer.apply(x);
  checkLayerGradients(layer, x);
});

test("Conv3D: one window sums a 2x2x2 block (hand-computed)", () => {
  const layer = new layers.Conv3D(1, 2, { useBias: false });
  const x = ops.reshape(ops.arange(8), [1, 2, 2, 2, 1]);
  layer.apply(x);
  layer.setWeights([ops.ones([2, 2, 2, 1, 1])]);
  assertClose(layer.apply(x), [[[[[28]]]]]);
});

test("Conv layers: the mnist_convnet architecture has Keras's 34,826 parameters and output shapes", () => {
  const model = new keras.Sequential([
    keras.Input({ shape: [28, 28, 1] }),
    new layers.Conv2D(32, [3, 3], { activation: "relu" }),
    new layers.MaxPooling2D({ poolSize: [2, 2] }),
    new layers.Conv2D(64, [3, 3], { activation: "relu" }),
    new layers.MaxPooling2D({ poolSize: [2, 2] }),
    new layers.Flatten(),
    new layers.Dropout(0.5),
    new layers.Dense(10, { activation: "softmax" }),
  ]);
  assert.equal(model.countParams(), 34826);
  assert.deepEqual(model.layers.map((l) => l.countParams()), [320, 0, 18496, 0, 0, 0, 16010]);
  let text = "";
  model.summary({ printFn: (line) => (text += `${line}\n`) });
  for (const shape of ["(None, 26, 26, 32)", "(None, 13, 13, 32)", "(None, 11, 11, 64)", "(None, 5, 5, 64)", "(None, 1600)", "(None, 10)"]) assert.ok(text.includes(shape), `summary shows ${shape}:\n${text}`);
  assert.ok(text.includes("34,826"), text);
});

test("Conv layers: Keras's config keys, round trip, positional and options forms", () => {
  const layer = new layers.Conv2D(8, 3, { name: "c" });
  assert.deepEqual(layer.getConfig(), {
    ...baseConfig("c"),
    filters: 8,
    kernel_size: [3, 3],
    strides: [1, 1],
    padding: "valid",
    data_format: "channels_last",
    dilation_rate: [1, 1],
    groups: 1,
    activation: "linear",
    use_bias: true,
    kernel_initializer: { module: "keras.initializers", class_name: "GlorotUniform", config: { seed: null }, registered_name: null },
    bias_initializer: { module: "keras.initializers", class_name: "Zeros", config: {}, registered_name: null },
    kernel_regularizer: null,
    bias_regularizer: null,
    activity_regularizer: null,
    kernel_constraint: null,
    bias_constraint: null,
  });
  assert.deepEqual(new layers.Conv2D({ filters: 8, kernelSize: [3, 3], name: "c" }).getConfig(), layer.getConfig());
  assertRoundTrip(new layers.Conv1D(4, 5, { padding: "causal", strides: 1, dilationRate: 3, activation: "tanh", kernelRegularizer: keras.regularizers.l2(0.01) }));
  assertRoundTrip(new layers.Conv3D(2, [1, 2, 3], { dataFormat: "channels_first", groups: 2, useBias: false }));
});

test("Conv layers: bad arguments and inputs are errors naming the layer and the values", () => {
  assert.throws(() => new layers.Conv2D(0, 3, { name: "c0" }), /Conv2D layer 'c0': invalid value for argument `filters`. Expected a strictly positive integer. Received filters=0/);
  assert.throws(() => new layers.Conv2D(4, [3, 3, 3], { name: "c1" }), /Conv2D layer 'c1': the `kernel_size` argument must be a tuple of 2 integers. Received kernel_size=\[3,3,3\]/);
  assert.throws(() => new layers.Conv2D(4, 3, { strides: 2, dilationRate: 2, name: "c2" }), /`strides > 1` not supported in conjunction with `dilation_rate > 1`/);
  assert.throws(() => new layers.Conv2D(4, 3, { padding: "causal" as "same", name: "c3" }), /Conv2D layer 'c3': `padding` must be one of 'valid', 'same'. Received: padding="causal"/);
  assert.throws(() => new layers.Conv2D(5, 3, { groups: 2, name: "c4" }), /the number of filters must be evenly divisible by the number of groups. Received: groups=2, filters=5/);
  assert.throws(
    () => new layers.Conv2D(4, 3, { groups: 2, name: "c5" }).apply(ops.ones([1, 5, 5, 3])),
    /Conv2D layer 'c5': the number of input channels must be evenly divisible by the number of groups. Received groups=2, but the input has 3 channels \(full input shape is \(1, 5, 5, 3\)\)/,
  );
  assert.throws(() => new layers.Conv2D(4, 5, { name: "c6" }).apply(ops.ones([1, 3, 3, 1])), /Computed output size would be zero or negative/);
  const built = new layers.Conv2D(4, 3, { name: "c7" });
  built.apply(ops.ones([1, 5, 5, 2]));
  assert.throws(() => built.apply(ops.ones([1, 5, 5, 3])), /Input 0 of layer "c7" is incompatible with the layer: expected axis -1 of input shape to have value 2/);
  assert.throws(() => new layers.Conv2D(4, 3, { name: "c8" }).apply(ops.ones([5, 5, 2])), /expected min_ndim=4, found ndim=3/);
});
