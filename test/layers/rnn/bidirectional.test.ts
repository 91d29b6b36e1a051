import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { runLayerTest } from "../harness.js";
import { getKerasMask, setKerasMask } from "../../../src/backend/masking.js";
import type { Tensor } from "../../../src/backend/tensor.js";

const { layers, ops } = keras;

test("Bidirectional: the layer test for every merge mode", async () => {
  for (const mergeMode of ["concat", "sum", "mul", "ave"] as const) {
    const units = mergeMode === "concat" ? 6 : 3;
    await runLayerTest({
      make: () => new layers.Bidirectional(new layers.LSTM(3), { mergeMode }),
      inputShape: [2, 4, 5], expectedOutputShape: [null, units], expectedNumTrainableWeights: 6, expectedParams: 2 * 4 * 3 * (5 + 3 + 1), supportsMasking: false,
    });
  }
  await runLayerTest({
    make: () => new layers.Bidirectional(new layers.GRU(3, { returnSequences: true })),
    inputShape: [2, 4, 5], expectedOutputShape: [null, 4, 6], supportsMasking: true,
  });
  await runLayerTest({
    make: () => new layers.Bidirectional(new layers.SimpleRNN(2, { returnSequences: true }), { mergeMode: null }),
    inputShape: [2, 4, 5], expectedOutputShape: [[null, 4, 2], [null, 4, 2]], runSavingCheck: false, runTrainingCheck: false,
  });
  await runLayerTest({
    make: () => new layers.Bidirectional(new layers.LSTM(2, { returnState: true })),
    inputShape: [2, 3, 4], expectedOutputShape: [[null, 4], [null, 2], [null, 2], [null, 2], [null, 2]], runSavingCheck: false, runTrainingCheck: false,
  });
});

test("Bidirectional: forward and backward halves equal the two layers run by hand (backward re-reversed)", () => {
  keras.utils.clearSession();
  const bi = new layers.Bidirectional(new layers.LSTM(2, { returnSequences: true }));
  const x = keras.random.normal([2, 3, 4], { seed: 4 });
  const y = bi.apply(x) as Tensor;
  assert.equal(bi.forwardLayer.name, "forward_lstm");
  assert.equal(bi.backwardLayer.name, "backward_lstm");
  assert.equal(bi.backwardLayer.goBackwards, true);
  const fwd = new layers.LSTM(2, { returnSequences: true });
  const bwd = new layers.LSTM(2, { returnSequences: true, goBackwards: true });
  fwd.apply(x);
  bwd.apply(x);
  fwd.setWeights(bi.forwardLayer.getWeights());
  bwd.setWeights(bi.backwardLayer.getWeights());
  const expected = ops.concatenate([fwd.apply(x) as Tensor, ops.flip(bwd.apply(x) as Tensor, 1)], -1);
  assert.deepEqual(Array.from(y.dataSync()), Array.from(expected.dataSync()));
  assert.throws(() => new layers.Bidirectional(new layers.LSTM(2), { mergeMode: "max" as never }), /Invalid merge mode/);
  assert.throws(() => new layers.Bidirectional(new layers.Dense(2) as never), /recurrent layer/);
});

test("Bidirectional: masked timesteps are zeros in both directions and the mask passes on", () => {
  const bi = new layers.Bidirectional(new layers.GRU(2, { returnSequences: true }));
  const x = keras.random.normal([1, 4, 3], { seed: 6 });
  setKerasMask(x, ops.convertToTensor([[true, true, true, false]]));
  const y = bi.apply(x) as Tensor;
  assert.deepEqual((y.arraySync() as number[][][])[0][3], [0, 0, 0, 0]);
  assert.deepEqual(getKerasMask(y)!.arraySync(), [[true, true, true, false]]);
  // Trailing padding does not change the final states of either direction.
  const last = new layers.Bidirectional(new layers.LSTM(2));
  const short = keras.random.normal([1, 2, 3], { seed: 7 });
  const padded = ops.concatenate([short, ops.zeros([1, 2, 3])], 1);
  setKerasMask(padded, ops.convertToTensor([[true, true, false, false]]));
  const a = (last.apply(short) as Tensor).dataSync();
  const b = (last.apply(padded) as Tensor).dataSync();
  assert.deepEqual(Array.from(b), Array.from(a));
});

test("Bidirectional: config keeps both layers (Keras's layout)", () => {
  const lstm = new layers.LSTM(2);
  const bi = new layers.Bidirectional(lstm, { mergeMode: "sum" });
  bi.apply(ops.zeros([1, 3, 4]));
  const config = bi.getConfig();
  assert.equal(config.merge_mode, "sum");
  assert.equal((config.layer as Record<string, unknown>).class_name, "LSTM");
  assert.equal(((config.backward_layer as Record<string, unknown>).config as Record<string, unknown>).go_backwards, true);
  const rebuilt = layers.Bidirectional.fromConfig(JSON.parse(JSON.stringify(config))) as keras.layers.Bidirectional;
  assert.equal(rebuilt.forwardLayer.name, `forward_${lstm.name}`);
  assert.equal(rebuilt.backwardLayer.name, `backward_${lstm.name}`);
  assert.equal(rebuilt.backwardLayer.goBackwards, true);
});
