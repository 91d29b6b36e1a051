import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { assertRoundTrip, baseConfig, f32 } from "../helpers.js";
import { runLayerTest } from "../harness.js";

const { layers } = keras;

test("ActivityRegularization: the harness", async () => {
  await runLayerTest({ make: () => new layers.ActivityRegularization({ l1: 0.1 }), inputShape: [2, 3], expectedOutputShape: [null, 3], expectedParams: 0, supportsMasking: true, expectedConfig: { l1: 0.1, l2: 0 } });
});

test("ActivityRegularization: identity, with (l1 sum|x| + l2 sum x^2) / batch added to the losses", () => {
  const layer = new layers.ActivityRegularization({ l1: 0.5, l2: 2, name: "reg" });
  const x = f32([[1, -2], [3, 0]]);
  assert.deepEqual(layer.apply(x).arraySync(), [[1, -2], [3, 0]]);
  // l1: 0.5 * 6 = 3; l2: 2 * 14 = 28; / batch 2 = 15.5
  assert.equal(layer.losses.length, 1);
  assert.ok(Math.abs((layer.losses[0].dataSync()[0]) - 15.5) < 1e-5);
  assert.deepEqual(layer.getConfig(), { ...baseConfig("reg"), l1: 0.5, l2: 2 });
  assertRoundTrip(layer);
  assert.throws(() => new layers.ActivityRegularization({ l1: Number.NaN, name: "r" }), /ActivityRegularization layer 'r': l1 must be a finite number/);
});
