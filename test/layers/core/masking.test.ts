import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { assertClose, f32 } from "../helpers.js";
import { runLayerTest } from "../harness.js";
import { getKerasMask } from "../../../src/backend/masking.js";
import type { Tensor } from "../../../src/backend/tensor.js";

const { layers, ops } = keras;

test("Masking: the layer test", async () => {
  await runLayerTest({ make: () => new layers.Masking(), inputShape: [2, 3, 4], expectedOutputShape: [null, 3, 4], supportsMasking: true, expectedConfig: { mask_value: 0 } });
});

test("Masking: timesteps equal to maskValue everywhere are zeroed and masked; LSTM skips them", () => {
  const masking = new layers.Masking(-1);
  const x = f32([[[1, 2], [-1, -1], [-1, 3]]]);
  const y = masking.apply(x) as Tensor;
  assertClose(y, [[[1, 2], [0, 0], [-1, 3]]]);
  assert.deepEqual(getKerasMask(y)!.arraySync(), [[true, false, true]]);
  const model = new keras.Sequential([new layers.Masking(0, { inputShape: [null, 2] }), new layers.LSTM(3)]);
  const a = model.apply(f32([[[1, 2], [3, 4]]])) as Tensor;
  const b = model.apply(f32([[[1, 2], [0, 0], [3, 4], [0, 0]]])) as Tensor;
  assert.deepEqual(Array.from(b.dataSync()), Array.from(a.dataSync()));
  void ops;
});
