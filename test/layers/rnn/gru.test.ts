import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { assertClose, f32 } from "../helpers.js";
import { runLayerTest } from "../harness.js";

const { layers, ops } = keras;

test("GRU: the layer test, reset_after both ways, dropout", async () => {
  await runLayerTest({ make: () => new layers.GRU(3), inputShape: [2, 4, 5], expectedOutputShape: [null, 3], expectedParams: 3 * 3 * (5 + 3) + 2 * 9, supportsMasking: false });
  await runLayerTest({ make: () => new layers.GRU(3, { returnSequences: true, resetAfter: false }), inputShape: [2, 4, 5], expectedOutputShape: [null, 4, 3], expectedParams: 3 * 3 * (5 + 3 + 1), supportsMasking: true });
  await runLayerTest({ make: () => new layers.GRU(2, { dropout: 0.3, recurrentDropout: 0.2, goBackwards: true }), inputShape: [2, 3, 4], expectedOutputShape: [null, 2] });
  await runLayerTest({ make: () => new layers.GRU(2, { returnState: true }), inputShape: [2, 3, 4], expectedOutputShape: [[null, 2], [null, 2]], runSavingCheck: false, runTrainingCheck: false });
});

test("GRU: Keras's parameter count (GRU(64) on 28 features: 18,048) and bias layout [2, 3u]", () => {
  const gru = new layers.GRU(64);
  gru.apply(ops.zeros([1, 28, 28]));
  assert.equal(gru.countParams(), 18048);
  assert.deepEqual(gru.weights.map((w) => w.shape), [[28, 192], [64, 192], [2, 192]]);
  assert.equal(gru.getConfig().reset_after, true);
  assert.equal(gru.getConfig().recurrent_activation, "sigmoid");
});

test("GRU: two timesteps by hand (reset_after) through the layer", () => {
  const gru = new layers.GRU(1, { returnSequences: true });
  gru.apply(ops.zeros([1, 2, 1]));
  gru.setWeights([f32([[0.5, -0.25, 1.0]]), f32([[0.1, 0.2, -0.3]]), f32([[0.1, 0, -0.2], [0, 0.3, 0.05]])]);
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  let h = 0;
  const hs: number[] = [];
  for (const x of [0.8, -1.5]) {
    const z = sig(0.5 * x + 0.1 + 0.1 * h);
    const r = sig(-0.25 * x + 0.2 * h + 0.3);
    const hh = Math.tanh(x - 0.2 + r * (-0.3 * h + 0.05));
    h = z * h + (1 - z) * hh;
    hs.push(h);
  }
  assertClose(gru.apply(f32([[[0.8], [-1.5]]])) as keras.Tensor, [[[hs[0]], [hs[1]]]]);
});

test("GRU: the fused path and the cell's step loop agree (recurrent dropout off at inference)", () => {
  keras.utils.setRandomSeed(5);
  const fused = new layers.GRU(4, { returnSequences: true });
  const looped = new layers.GRU(4, { returnSequences: true, recurrentDropout: 0.5 });
  const x = keras.random.normal([3, 5, 2], { seed: 2 });
  fused.apply(x);
  looped.apply(x);
  looped.setWeights(fused.getWeights());
  const a = (fused.apply(x) as keras.Tensor).dataSync();
  const b = (looped.apply(x) as keras.Tensor).dataSync();
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-5));
});
