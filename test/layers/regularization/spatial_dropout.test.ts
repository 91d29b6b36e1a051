import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { assertRoundTrip } from "../helpers.js";
import { runLayerTest } from "../harness.js";

const { layers, ops } = keras;

test("SpatialDropout1D/2D/3D: the harness (identity at inference; Keras's short config)", async () => {
  await runLayerTest({ make: () => new layers.SpatialDropout1D(0.5), inputShape: [2, 3, 4], expectedOutputShape: [null, 3, 4], expectedParams: 0, supportsMasking: true, expectedConfig: { rate: 0.5, seed: null, dtype: "float32" } });
  await runLayerTest({ make: () => new layers.SpatialDropout2D(0.3, { seed: 1 }), inputShape: [2, 3, 3, 2], expectedOutputShape: [null, 3, 3, 2], expectedConfig: { data_format: "channels_last", seed: 1 } });
  await runLayerTest({ make: () => new layers.SpatialDropout3D({ rate: 0.2, dataFormat: "channels_first" }), inputShape: [1, 2, 2, 2, 2], expectedOutputShape: [null, 2, 2, 2, 2] });
});

test("SpatialDropout2D: whole channels are dropped together, the rest scaled by 1/(1 - rate)", () => {
  const layer = new layers.SpatialDropout2D(0.5, { seed: 3 });
  const y = layer.apply(ops.ones([8, 3, 3, 16]), { training: true });
  const v = y.arraySync() as number[][][][];
  let dropped = 0;
  for (let b = 0; b < 8; b++) {
    for (let c = 0; c < 16; c++) {
      const first = v[b][0][0][c];
      assert.ok(first === 0 || first === 2, `value ${first}`);
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) assert.equal(v[b][i][j][c], first, "one draw per sample and channel");
      if (first === 0) dropped++;
    }
  }
  assert.ok(dropped > 20 && dropped < 108, `dropped ${dropped} of 128 channels`);
  const cf = new layers.SpatialDropout2D(0.5, { seed: 3, dataFormat: "channels_first" }).apply(ops.ones([2, 4, 3, 3]), { training: true }).arraySync() as number[][][][];
  for (const sample of cf) for (const channel of sample) assert.ok(channel.flat().every((x) => x === channel[0][0]));
  const seq = new layers.SpatialDropout1D(0.5, { seed: 4 }).apply(ops.ones([4, 5, 6]), { training: true }).arraySync() as number[][][];
  for (const sample of seq) for (let c = 0; c < 6; c++) assert.ok(sample.every((step) => step[c] === sample[0][c]));
});

test("SpatialDropout: config is {rate, seed, name, dtype}, round trip, bad input", () => {
  const layer = new layers.SpatialDropout2D(0.25, { name: "sd", seed: 7 });
  assert.deepEqual(layer.getConfig(), { rate: 0.25, seed: 7, name: "sd", dtype: "float32", data_format: "channels_last" });
  assert.deepEqual(new layers.SpatialDropout1D(0.1, { name: "s1" }).getConfig(), { rate: 0.1, seed: null, name: "s1", dtype: "float32" });
  assertRoundTrip(layer);
  assert.throws(() => new layers.SpatialDropout2D(0.5).apply(ops.ones([2, 3, 4])), /expected ndim=4, found ndim=3/);
  assert.throws(() => new layers.SpatialDropout1D(2), /Expected a float value between 0 and 1. Received: rate=2/);
});
