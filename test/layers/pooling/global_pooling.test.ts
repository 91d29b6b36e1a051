import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { setKerasMask, getKerasMask } from "../../../src/backend/masking.js";
import { assertClose, assertRoundTrip, baseConfig, f32 } from "../helpers.js";
import { runLayerTest } from "../harness.js";

const { layers, ops } = keras;

test("GlobalMax/GlobalAveragePooling 1D/2D/3D: the harness (keepdims, channels_first)", async () => {
  await runLayerTest({ make: () => new layers.GlobalAveragePooling1D(), inputShape: [2, 5, 3], expectedOutputShape: [null, 3], expectedParams: 0, supportsMasking: false, expectedConfig: { data_format: "channels_last", keepdims: false } });
  await runLayerTest({ make: () => new layers.GlobalMaxPooling1D({ keepdims: true }), inputShape: [2, 5, 3], expectedOutputShape: [null, 1, 3] });
  await runLayerTest({ make: () => new layers.GlobalAveragePooling2D({ dataFormat: "channels_first" }), inputShape: [2, 3, 4, 4], expectedOutputShape: [null, 3] });
  await runLayerTest({ make: () => new layers.GlobalMaxPooling2D({ keepdims: true, dataFormat: "channels_first" }), inputShape: [2, 3, 4, 4], expectedOutputShape: [null, 3, 1, 1] });
  await runLayerTest({ make: () => new layers.GlobalAveragePooling3D({ keepdims: true }), inputShape: [1, 2, 2, 2, 3], expectedOutputShape: [null, 1, 1, 1, 3] });
  await runLayerTest({ make: () => new layers.GlobalMaxPooling3D(), inputShape: [1, 2, 2, 2, 3], expectedOutputShape: [null, 3] });
});

test("Global pooling: hand-computed values", () => {
  // [1, 2, 2, 2]: channel 0 = [1, 2, 3, 4], channel 1 = [-1, 5, 0, 2]
  const x = f32([[[[1, -1], [2, 5]], [[3, 0], [4, 2]]]]);
  assertClose(new layers.GlobalAveragePooling2D().apply(x), [[2.5, 1.5]]);
  assertClose(new layers.GlobalMaxPooling2D().apply(x), [[4, 5]]);
  assertClose(new layers.GlobalMaxPooling2D({ keepdims: true }).apply(x), [[[[4, 5]]]]);
  // channels_first reads axis 1 as channels: [1, 2, 2, 2] -> means over the last two axes
  assertClose(new layers.GlobalAveragePooling2D({ dataFormat: "channels_first" }).apply(x), [[1.75, 2.25]]);
  assertClose(new layers.GlobalAveragePooling1D().apply(f32([[[1, 2], [3, 6]]])), [[2, 4]]);
  assert.deepEqual(new layers.GlobalMaxPooling1D({ name: "g" }).getConfig(), { ...baseConfig("g"), data_format: "channels_last", keepdims: false });
  assertRoundTrip(new layers.GlobalAveragePooling3D({ keepdims: true, dataFormat: "channels_first" }));
  assert.throws(() => new layers.GlobalAveragePooling2D({ dataFormat: "channels_middle" as "channels_last", name: "p" }), /GlobalAveragePooling2D layer 'p': the `data_format` argument must be one of/);
  assert.throws(() => new layers.GlobalMaxPooling2D().apply(ops.ones([2, 3, 4])), /expected ndim=4, found ndim=3/);
});

test("GlobalAveragePooling1D: a mask leaves the masked steps out of the mean, and stops there", () => {
  const x = f32([[[1, 10], [3, 20], [100, 100]], [[2, 2], [4, 4], [6, 6]]]);
  const mask = ops.convertToTensor([[true, true, false], [true, false, false]], "bool");
  const layer = new layers.GlobalAveragePooling1D();
  assertClose(layer.apply(x, { mask }), [[2, 15], [2, 2]]);
  setKerasMask(x, mask);
  const y = layer.apply(x);
  assertClose(y, [[2, 15], [2, 2]]);
  assert.equal(getKerasMask(y), undefined);
  assertClose(new layers.GlobalAveragePooling1D({ keepdims: true }).apply(x), [[[2, 15]], [[2, 2]]]);
});

test("GlobalAveragePooling1D after Embedding({ maskZero }): padding is left out of the mean, in predict and in training", async () => {
  // Row i of the embeddings is [i, 10 i]; the padding row 0 is far off, so counting it would show.
  const table = [[100, -100], [1, 10], [2, 20], [3, 30], [4, 40]];
  const input = keras.Input({ shape: [null], dtype: "int32" });
  const embedding = new layers.Embedding(5, 2, { maskZero: true, embeddingsInitializer: "zeros" });
  const pooled = new layers.GlobalAveragePooling1D().apply(embedding.apply(input));
  const model = new keras.Model({ inputs: input, outputs: new layers.Dense(1, { kernelInitializer: "ones" }).apply(pooled) });
  const pool = new keras.Model({ inputs: input, outputs: pooled });
  embedding.setWeights([table]);
  const ids = ops.convertToTensor([[3, 1, 0, 0], [4, 0, 0, 0]], "int32");
  // means of the kept rows: (e3 + e1) / 2 = [2, 20], e4 = [4, 40]; Dense sums them
  assertClose(await pool.predict(ids, { verbose: 0 }), [[2, 20], [4, 40]]);
  assertClose(await model.predict(ids, { verbose: 0 }), [[22], [44]]);
  // The same sequences without padding give the same outputs.
  assertClose(await model.predict(ops.convertToTensor([[3, 1]], "int32"), { verbose: 0 }), [[22]]);
  assertClose(await model.predict(ops.convertToTensor([[4]], "int32"), { verbose: 0 }), [[44]]);

  // Training: the loss reaches only the rows the mask keeps, so the padding row gets no gradient.
  model.compile({ optimizer: new keras.optimizers.SGD({ learningRate: 0.1 }), loss: "mse" });
  await model.fit(ids, ops.zeros([2, 1]), { epochs: 1, batchSize: 2, verbose: 0 });
  const after = embedding.getWeights()[0].arraySync() as number[][];
  assert.deepEqual(after[0], [100, -100]);
  assert.deepEqual(after[2], [2, 20], "a row no sample reads is unchanged");
  // d loss / d e1 = d loss / d e3 = (1/2) * dmean, with dmean = 2 * 22 / 2 (mse over 2 samples) per feature (Dense kernel ones)
  const step = 0.1 * (2 * 22 / 2) * 0.5;
  assert.ok(Math.abs(after[1][0] - (1 - step)) < 1e-4 && Math.abs(after[3][1] - (30 - step)) < 1e-4, `rows 1 and 3 moved by ${step}: ${JSON.stringify(after)}`);
});
