import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { runLayerTest } from "../harness.js";
import { checkGradients, randomTensor } from "../../helpers/gradcheck.js";
import type { Tensor } from "../../../src/backend/tensor.js";

const { layers, ops } = keras;

test("ConvLSTM1D / ConvLSTM2D: the layer test (shapes, Keras's parameter count, config, save/load, training)", async () => {
  await runLayerTest({
    make: () => new layers.ConvLSTM1D(3, 2), inputShape: [2, 3, 5, 4], expectedOutputShape: [null, 4, 3],
    expectedParams: 2 * 4 * 12 + 2 * 3 * 12 + 12, expectedNumTrainableWeights: 3,
  });
  await runLayerTest({
    make: () => new layers.ConvLSTM2D(2, 3, { padding: "same", returnSequences: true }), inputShape: [2, 3, 4, 4, 1], expectedOutputShape: [null, 3, 4, 4, 2],
    expectedParams: 9 * 1 * 8 + 9 * 2 * 8 + 8, supportsMasking: true,
  });
  await runLayerTest({
    make: () => new layers.ConvLSTM2D(2, [2, 2], { strides: 2, returnState: true }), inputShape: [1, 2, 4, 4, 3],
    expectedOutputShape: [[null, 2, 2, 2], [null, 2, 2, 2], [null, 2, 2, 2]], runSavingCheck: false, runTrainingCheck: false,
  });
});

test("ConvLSTM1D with a 1-wide kernel on 1 position is an LSTM (same weights, same outputs)", () => {
  const conv = new layers.ConvLSTM1D(3, 1, { returnSequences: true });
  const lstm = new layers.LSTM(3, { returnSequences: true });
  const x = randomTensor([2, 4, 1, 5], 3);
  conv.apply(x);
  lstm.apply(ops.reshape(x, [2, 4, 5]));
  const [k, r, b] = conv.getWeights();
  lstm.setWeights([ops.reshape(k, [5, 12]), ops.reshape(r, [3, 12]), b]);
  const a = (conv.apply(x) as Tensor).dataSync();
  const want = (lstm.apply(ops.reshape(x, [2, 4, 5])) as Tensor).dataSync();
  a.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-5, `${v} vs ${want[i]}`));
});

test("ConvLSTM2D: gradients through time of its kernels match finite differences; config keys", () => {
  const layer = new layers.ConvLSTM2D(1, 2, { padding: "same" });
  const x = randomTensor([1, 2, 3, 3, 1], 5);
  layer.apply(x);
  const [k, r, b] = layer.getWeights();
  checkGradients((kk, rr) => {
    layer.setWeights([kk, rr, b]);
    return layer.apply(x) as Tensor;
  }, [k, r]);
  const config = layer.getConfig();
  assert.deepEqual([config.filters, config.kernel_size, config.padding, config.data_format], [1, [2, 2], "same", "channels_last"]);
  assert.equal("unroll" in config, false);
});
