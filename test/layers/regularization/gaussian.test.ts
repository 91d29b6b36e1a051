import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { assertRoundTrip, baseConfig } from "../helpers.js";
import { runLayerTest } from "../harness.js";

const { layers, ops } = keras;

function meanAndStd(values: ArrayLike<number>): [number, number] {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  const mean = sum / values.length;
  let sq = 0;
  for (let i = 0; i < values.length; i++) sq += (values[i] - mean) ** 2;
  return [mean, Math.sqrt(sq / values.length)];
}

test("GaussianNoise and GaussianDropout: the harness", async () => {
  await runLayerTest({ make: () => new layers.GaussianNoise(0.1), inputShape: [2, 3], expectedOutputShape: [null, 3], expectedParams: 0, supportsMasking: true, expectedConfig: { stddev: 0.1, seed: null } });
  await runLayerTest({ make: () => new layers.GaussianDropout(0.2, { seed: 5 }), inputShape: [2, 3, 2], expectedOutputShape: [null, 3, 2], supportsMasking: true, expectedConfig: { rate: 0.2, seed: 5 } });
});

test("GaussianNoise: x + N(0, stddev) in training, identity at inference", () => {
  const layer = new layers.GaussianNoise(0.5, { seed: 11 });
  const x = ops.full([20000], 3);
  assert.deepEqual(layer.apply(x).dataSync(), x.dataSync());
  const [mean, std] = meanAndStd(layer.apply(x, { training: true }).dataSync());
  assert.ok(Math.abs(mean - 3) < 0.02 && Math.abs(std - 0.5) < 0.02, `mean ${mean}, std ${std}`);
  assert.throws(() => new layers.GaussianNoise(1.5, { name: "gn" }), /argument `stddev` of GaussianNoise layer 'gn'. Expected a float value between 0 and 1. Received: stddev=1.5/);
  assert.deepEqual(new layers.GaussianNoise(0.2, { name: "g" }).getConfig(), { ...baseConfig("g"), stddev: 0.2, seed: null });
  assertRoundTrip(new layers.GaussianNoise(0.3, { seed: 2 }));
});

test("GaussianDropout: x * N(1, sqrt(rate / (1 - rate))) in training, identity at inference", () => {
  const layer = new layers.GaussianDropout(0.2, { seed: 12 });
  const x = ops.full([20000], 2);
  assert.deepEqual(layer.apply(x, { training: false }).dataSync(), x.dataSync());
  const [mean, std] = meanAndStd(layer.apply(x, { training: true }).dataSync());
  // stddev of the noise sqrt(0.2 / 0.8) = 0.5, times 2
  assert.ok(Math.abs(mean - 2) < 0.03 && Math.abs(std - 1) < 0.03, `mean ${mean}, std ${std}`);
  assert.throws(() => new layers.GaussianDropout(1, { name: "gd" }).apply(x, { training: true }), /GaussianDropout layer 'gd': rate=1/);
  assert.throws(() => new layers.GaussianDropout(-0.1), /Expected a float value between 0 and 1. Received: rate=-0.1/);
  assertRoundTrip(new layers.GaussianDropout(0.4, { seed: 3 }));
});
