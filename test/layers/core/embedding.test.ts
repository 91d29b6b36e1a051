import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { assertClose, baseConfig, f32 } from "../helpers.js";
import { runLayerTest } from "../harness.js";
import { getKerasMask } from "../../../src/backend/masking.js";
import { checkGradients } from "../../helpers/gradcheck.js";
import type { Tensor } from "../../../src/backend/tensor.js";

const { layers, ops } = keras;

test("Embedding: the layer test", async () => {
  await runLayerTest({ make: () => new layers.Embedding(10, 3), inputShape: [2, 4], inputDtype: "int32", intRange: 10, expectedOutputShape: [null, 4, 3], expectedParams: 30 });
  await runLayerTest({ make: () => new layers.Embedding(10, 3, { maskZero: true }), inputShape: [2, 4], inputDtype: "int32", intRange: 10, expectedOutputShape: [null, 4, 3], supportsMasking: true });
});

test("Embedding: rows by index, mask of the zero index, Keras config", () => {
  keras.utils.clearSession();
  const embed = new layers.Embedding(3, 2, { maskZero: true, weights: f32([[0, 0], [1, 2], [3, 4]]) });
  const y = embed.apply(ops.convertToTensor([[2, 1, 0]], "int32")) as Tensor;
  assertClose(y, [[[3, 4], [1, 2], [0, 0]]]);
  assert.deepEqual(getKerasMask(y)!.arraySync(), [[true, true, false]]);
  assert.equal(getKerasMask(new layers.Embedding(3, 2).apply(ops.convertToTensor([[0]], "int32")) as Tensor), undefined);
  const config = new layers.Embedding(5, 4).getConfig();
  assert.deepEqual(config, {
    ...baseConfig("embedding_2"),
    input_dim: 5, output_dim: 4,
    embeddings_initializer: { module: "keras.initializers", class_name: "RandomUniform", config: { minval: -0.05, maxval: 0.05, seed: null }, registered_name: null },
    embeddings_regularizer: null, activity_regularizer: null, embeddings_constraint: null, mask_zero: false,
  });
  assert.throws(() => new layers.Embedding(0, 2), /`input_dim` must be a positive integer/);
});

test("Embedding: the gradient of the looked-up rows (repeated indices add up)", () => {
  const embed = new layers.Embedding(4, 2);
  const idx = ops.convertToTensor([[1, 3, 1]], "int32");
  embed.apply(idx);
  checkGradients((w) => {
    embed.setWeights([w]);
    return embed.apply(idx) as Tensor;
  }, [embed.getWeights()[0]]);
});
