import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { assertClose, assertRoundTrip, f32 } from "../helpers.js";
import { runLayerTest } from "../harness.js";
import { checkLayerGradients, randomTensor } from "../../helpers/gradcheck.js";

const { layers, ops } = keras;

test("Conv1D/2D/3DTranspose: the harness (Keras's kernel layout [..., filters, in])", async () => {
  await runLayerTest({ make: () => new layers.Conv1DTranspose(3, 3, { strides: 2 }), inputShape: [2, 4, 2], expectedOutputShape: [null, 9, 3], expectedParams: 3 * 3 * 2 + 3, expectedConfig: { output_padding: null } });
  await runLayerTest({ make: () => new layers.Conv2DTranspose(4, 3, { strides: 2, padding: "same", activation: "relu" }), inputShape: [2, 3, 3, 2], expectedOutputShape: [null, 6, 6, 4], expectedParams: 9 * 4 * 2 + 4 });
  await runLayerTest({ make: () => new layers.Conv2DTranspose(2, 2, { strides: 2, outputPadding: 1, dataFormat: "channels_first" }), inputShape: [1, 3, 2, 2], expectedOutputShape: [null, 2, 5, 5], expectedConfig: { output_padding: [1, 1] } });
  await runLayerTest({ make: () => new layers.Conv3DTranspose(2, 2, { strides: 2 }), inputShape: [1, 2, 1, 2, 1], expectedOutputShape: [null, 4, 2, 4, 2], expectedParams: 8 * 2 + 2 });
});

test("Conv1DTranspose and Conv2DTranspose: hand-computed values", () => {
  // out[i * stride + k] += x[i] * w[k]
  const one = new layers.Conv1DTranspose(1, 2, { useBias: false });
  const x = f32([[[1], [2]]]);
  one.apply(x);
  assert.deepEqual(one.kernel!.shape, [2, 1, 1]);
  one.setWeights([f32([[[1]], [[2]]])]);
  assertClose(one.apply(x), [[[1], [4], [4]]]);
  // stride 2, window 2: each pixel becomes a 2x2 block (plus the bias)
  const up = new layers.Conv2DTranspose(1, 2, { strides: 2 });
  const img = f32([[[[1], [2]], [[3], [4]]]]);
  up.apply(img);
  up.setWeights([ops.ones([2, 2, 1, 1]), f32([0.5])]);
  assertClose(ops.reshape(up.apply(img), [4, 4]), [[1.5, 1.5, 2.5, 2.5], [1.5, 1.5, 2.5, 2.5], [3.5, 3.5, 4.5, 4.5], [3.5, 3.5, 4.5, 4.5]]);
  // "same" with stride 1 keeps the size
  const same = new layers.Conv1DTranspose(1, 3, { padding: "same", useBias: false });
  same.apply(ops.ones([1, 4, 1]));
  same.setWeights([ops.ones([3, 1, 1])]);
  assertClose(ops.reshape(same.apply(f32([[[1], [2], [3], [4]]])), [4]), [3, 6, 9, 7]);
});

test("Conv2DTranspose: gradients through the layer (finite differences)", () => {
  const layer = new layers.Conv2DTranspose(2, 3, { strides: 2, padding: "same", activation: "tanh" });
  const x = randomTensor([1, 2, 3, 2], 9);
  layer.apply(x);
  checkLayerGradients(layer, x);
});

test("Conv transpose: config round trip and errors", () => {
  assertRoundTrip(new layers.Conv2DTranspose(4, [3, 2], { strides: [2, 3], outputPadding: [1, 0], dilationRate: 1, kernelRegularizer: keras.regularizers.l1(0.1) }));
  assert.throws(() => new layers.Conv2DTranspose(4, 3, { strides: 2, outputPadding: 2, name: "t" }), /Conv2DTranspose layer 't': `output_padding` must be strictly less than `strides` for all dimensions. At dimension 0, `output_padding` is 2 but `strides` is 2/);
  assert.throws(() => new layers.Conv1DTranspose(4, 3, { padding: "causal" as "same", name: "t1" }), /Conv1DTranspose layer 't1': `padding` must be one of 'valid', 'same'/);
});
