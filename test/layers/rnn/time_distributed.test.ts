import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { assertClose, f32 } from "../helpers.js";
import { runLayerTest } from "../harness.js";
import { getKerasMask, setKerasMask } from "../../../src/backend/masking.js";
import type { Tensor } from "../../../src/backend/tensor.js";

const { layers, ops } = keras;

test("TimeDistributed: the layer test (Dense on every timestep), masks pass through", async () => {
  await runLayerTest({
    make: () => new layers.TimeDistributed(new layers.Dense(3)),
    inputShape: [2, 4, 5], expectedOutputShape: [null, 4, 3], expectedParams: 18, supportsMasking: true,
  });
  await runLayerTest({
    make: () => new layers.TimeDistributed(new layers.Flatten()),
    inputShape: [2, 3, 2, 2], expectedOutputShape: [null, 3, 4], supportsMasking: true,
  });
});

test("TimeDistributed: each timestep gets the same weights", () => {
  const dense = new layers.Dense(1, { useBias: false, kernelInitializer: "ones" });
  const td = new layers.TimeDistributed(dense);
  const y = td.apply(f32([[[1, 2], [3, 4], [5, 6]]])) as Tensor;
  assertClose(y, [[[3], [7], [11]]]);
  assert.equal(td.weights.length, 1);
  const x = f32([[[1, 2], [3, 4]]]);
  setKerasMask(x, ops.convertToTensor([[true, false]]));
  assert.deepEqual(getKerasMask(td.apply(x) as Tensor)!.arraySync(), [[true, false]]);
  assert.throws(() => td.apply(f32([[1, 2]])), /at least 3 dimensions|rank >= 3/);
});
