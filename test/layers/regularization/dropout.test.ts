import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { assertRoundTrip, baseConfig } from "../helpers.js";

const { layers, ops } = keras;

test("Dropout: identity at inference (and by default)", () => {
  keras.utils.clearSession();
  const layer = new layers.Dropout(0.5);
  assert.equal(layer.name, "dropout");
  const x = ops.ones([4, 5]);
  assert.deepEqual(layer.apply(x).arraySync(), x.arraySync());
  assert.deepEqual(layer.apply(x, { training: false }).arraySync(), x.arraySync());
  assert.deepEqual(layer.weights, []);
});

test("Dropout: at training drops about `rate` and scales the rest by 1/(1-rate)", () => {
  const rate = 0.25;
  const layer = new layers.Dropout(rate, { seed: 1337 });
  const n = 20000;
  const y = layer.apply(ops.full([n], 2), { training: true });
  const values = [...y.dataSync()];
  const kept = values.filter((v) => v !== 0);
  for (const v of kept) assert.ok(Math.abs(v - 2 / (1 - rate)) < 1e-5, `kept value ${v} should be 2 / (1 - ${rate})`);
  const dropped = (n - kept.length) / n;
  assert.ok(Math.abs(dropped - rate) < 0.02, `dropped fraction ${dropped} should be near ${rate}`);
  // The seed generator advances: a second call draws a different mask.
  const again = layer.apply(ops.full([n], 2), { training: true }).dataSync();
  assert.ok(values.some((v, i) => v !== again[i]));
  // The same seed gives the same sequence of masks.
  const twin = new layers.Dropout(rate, { seed: 1337 });
  assert.deepEqual([...twin.apply(ops.full([n], 2), { training: true }).dataSync()], values);
});

test("Dropout: rate 0 is the identity even in training; noiseShape shares the mask", () => {
  const x = ops.ones([3, 4]);
  assert.deepEqual(new layers.Dropout(0).apply(x, { training: true }).arraySync(), x.arraySync());
  const layer = new layers.Dropout(0.5, { noiseShape: [null, 1], seed: 3 });
  const rows = layer.apply(ops.ones([50, 6]), { training: true }).arraySync() as number[][];
  for (const row of rows) assert.ok(row.every((v) => v === row[0]) && (row[0] === 0 || row[0] === 2));
  assert.ok(rows.some((r) => r[0] === 0) && rows.some((r) => r[0] === 2));
});

test("Dropout: symbolic shape, training inside a functional model", () => {
  const input = keras.Input({ shape: [100] });
  const y = new layers.Dropout(0.5, { seed: 7 }).apply(input);
  assert.deepEqual(y.shape, [null, 100]);
  const model = new keras.Model({ inputs: input, outputs: y });
  const x = ops.ones([2, 100]);
  assert.deepEqual(model.apply(x).arraySync(), x.arraySync());
  const trained = [...model.apply(x, { training: true }).dataSync()];
  assert.ok(trained.some((v) => v === 0) && trained.some((v) => v === 2));
});

test("Dropout: invalid arguments and config round trip", () => {
  keras.utils.clearSession();
  assert.throws(() => new layers.Dropout(1.5), /Invalid value received for argument `rate` of Dropout layer 'dropout'.*between 0 and 1. Received: rate=1.5/);
  assert.throws(() => new layers.Dropout(0.1, { noiseShape: [null, 0] }), /noiseShape entries must be positive integers or null; entry 1 is 0/);
  const layer = new layers.Dropout(0.3, { seed: 42, noiseShape: [null, 1, 8], name: "drop" });
  assert.deepEqual(layer.getConfig(), { ...baseConfig("drop"), rate: 0.3, seed: 42, noise_shape: [null, 1, 8] });
  assertRoundTrip(layer);
  assert.deepEqual(new layers.Dropout({ rate: 0.5 }).getConfig().noise_shape, null);
  assertRoundTrip(new layers.Dropout({ rate: 0.5 }));
});
