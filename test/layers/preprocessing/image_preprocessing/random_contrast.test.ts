import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../../src/index.js";
import { assertClose, assertRoundTrip, baseConfig, f32 } from "../../helpers.js";
import { runLayerTest } from "../../harness.js";

const { layers, ops } = keras;

test("RandomContrast: the harness", async () => {
  await runLayerTest({ make: () => new layers.RandomContrast(0.2, { seed: 1 }), inputShape: [2, 3, 3, 2], expectedOutputShape: [null, 3, 3, 2], expectedParams: 0, expectedConfig: { factor: [0, 0.2], value_range: [0, 255], seed: 1 } });
});

test("RandomContrast: (x - mean) * factor + mean per image and channel, clipped (hand-computed)", () => {
  // A [-0.5, 0.5] range draws from [1 + 0.5, 1 + 0.5]: the factor is exactly 1.5.
  const layer = new layers.RandomContrast([-0.5, 0.5], { valueRange: [0, 30] });
  // channel 0: [10, 20] (mean 15) -> [7.5, 22.5]; channel 1: [0, 20] (mean 10) -> [-5, 25] -> clipped [0, 25]
  assertClose(layer.apply(f32([[[[10, 0], [20, 20]]]])), [[[[7.5, 0], [22.5, 25]]]]);
  const x = f32([[[[10], [20]]]]);
  assert.deepEqual(layer.apply(x, { training: false }).arraySync(), x.arraySync());
  // factor 0.2 (Keras's bounds make it [0, 0.2]): the spread grows by 1 to 1.2
  const spreads = [];
  const random = new layers.RandomContrast(0.2, { seed: 4 });
  for (let i = 0; i < 20; i++) {
    const v = random.apply(x).dataSync();
    spreads.push((v[1] - v[0]) / 10);
  }
  assert.ok(spreads.every((s) => s >= 1 - 1e-6 && s <= 1.2 + 1e-6), JSON.stringify(spreads));
  assert.ok(new Set(spreads.map((s) => s.toFixed(4))).size > 5);
});

test("RandomContrast: config, round trip, errors", () => {
  assert.deepEqual(new layers.RandomContrast(0.3, { name: "c" }).getConfig(), { ...baseConfig("c"), factor: [0, 0.3], value_range: [0, 255], seed: null });
  assertRoundTrip(new layers.RandomContrast([0.1, 0.4], { seed: 2, valueRange: [0, 1] }));
  assert.throws(() => new layers.RandomContrast(1.5, { name: "c2" }), /RandomContrast layer 'c2': the `factor` argument should be a number \(or a list of two numbers\) in the range \[0, 1\]. Received: factor=1.5/);
  assert.throws(() => new layers.RandomContrast(0.1, { valueRange: [1, 0] }), /valueRange must be \[min, max\]/);
  void ops;
});
