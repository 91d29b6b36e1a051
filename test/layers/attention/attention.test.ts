import { test } from "node:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { assertClose, f32 } from "../helpers.js";
import { getKerasMask, setKerasMask } from "../../../src/backend/masking.js";
import { checkGradients, randomTensor } from "../../helpers/gradcheck.js";
import type { Tensor } from "../../../src/backend/tensor.js";

const { layers, ops } = keras;

test("Attention: dot scores by hand, value mask, causal mask, returned scores", () => {
  const layer = new layers.Attention();
  const q = f32([[[1, 0]]]);
  const v = f32([[[1, 0], [0, 1]]]);
  // scores [1, 0] -> weights [e, 1] / (e + 1); output = weights @ v.
  const w = Math.E / (Math.E + 1);
  const [out, scores] = layer.apply([q, v], { returnAttentionScores: true } as keras.layers.AttentionCallOptions) as Tensor[];
  assertClose(out, [[[w, 1 - w]]]);
  assertClose(scores, [[[w, 1 - w]]]);
  setKerasMask(v, ops.convertToTensor([[false, true]]));
  assertClose(layer.apply([q, v]) as Tensor, [[[0, 1]]]);
  const causal = layer.apply([f32([[[1, 0], [0, 1]]]), f32([[[1, 0], [0, 1]]])], { useCausalMask: true } as keras.layers.AttentionCallOptions) as Tensor;
  // The first query sees only the first value.
  assertClose(ops.slice(causal, [0, 0, 0], [1, 1, 2]), [[[1, 0]]]);
});

test("Attention / AdditiveAttention: the query mask zeroes masked steps and passes on; configs; gradients", () => {
  for (const layer of [new layers.Attention({ useScale: true, scoreMode: "concat" }), new layers.AdditiveAttention()]) {
    const q = randomTensor([2, 3, 4], 1);
    const v = randomTensor([2, 5, 4], 2);
    setKerasMask(q, ops.convertToTensor([[true, true, false], [true, false, false]]));
    const y = layer.apply([q, v]) as Tensor;
    assert.deepEqual([...y.shape], [2, 3, 4]);
    assert.deepEqual((y.arraySync() as number[][][])[0][2].map((v) => v + 0), [0, 0, 0, 0]);
    assert.deepEqual(getKerasMask(y)!.arraySync(), [[true, true, false], [true, false, false]]);
    const config = layer.getConfig();
    const rebuilt = (layer.constructor as typeof layers.Attention).fromConfig(JSON.parse(JSON.stringify(config)));
    assert.deepEqual(rebuilt.getConfig(), config);
    checkGradients((a, b) => layer.apply([a, b]) as Tensor, [randomTensor([1, 2, 4], 3), randomTensor([1, 3, 4], 4)]);
  }
  assert.equal("score_mode" in new layers.AdditiveAttention().getConfig(), false);
  assert.throws(() => new layers.Attention().apply(f32([[[1]]])), /must be called on a list of inputs/);
});

test("MultiHeadAttention: Keras's weight shapes and parameter count, symbolic shapes, scores", () => {
  const mha = new layers.MultiHeadAttention(2, 3);
  const x = randomTensor([2, 4, 5], 1);
  const y = mha.apply([x, x]) as Tensor;
  assert.deepEqual([...y.shape], [2, 4, 5]);
  assert.deepEqual(mha.weights.map((w) => w.shape), [[5, 2, 3], [2, 3], [5, 2, 3], [2, 3], [5, 2, 3], [2, 3], [2, 3, 5], [5]]);
  assert.equal(mha.countParams(), 3 * (5 * 6 + 6) + 6 * 5 + 5);
  const [, scores] = mha.apply([x, randomTensor([2, 6, 5], 2)], { returnAttentionScores: true } as keras.layers.MultiHeadAttentionCallOptions) as Tensor[];
  assert.deepEqual([...scores.shape], [2, 2, 4, 6]);
  const input = keras.Input({ shape: [7, 5] });
  const sym = new layers.MultiHeadAttention(4, 2, { outputShape: 3 }).apply([input, input]) as keras.KerasTensor;
  assert.deepEqual(sym.shape, [null, 7, 3]);
  assert.equal(new layers.MultiHeadAttention(1, 2).getConfig().attention_axes, null);
  assert.deepEqual(mha.getConfig().attention_axes, [1]);
});

test("MultiHeadAttention: masks (query, value, causal) as Keras combines them; padded keys do not matter", () => {
  keras.utils.setRandomSeed(2);
  const mha = new layers.MultiHeadAttention(2, 4);
  const x = randomTensor([1, 3, 4], 5);
  const padded = ops.concatenate([x, randomTensor([1, 2, 4], 6)], 1);
  setKerasMask(padded, ops.convertToTensor([[true, true, true, false, false]]));
  const a = mha.apply([x, x]) as Tensor;
  const b = mha.apply([padded, padded]) as Tensor;
  assertClose(ops.slice(b, [0, 0, 0], [1, 3, 4]), a.arraySync() as keras.NestedArray, 5);
  assert.deepEqual(getKerasMask(b)!.arraySync(), [[true, true, true, false, false]]);
  // Causal: the first output depends on the first step only.
  const c1 = mha.apply([x, x], { useCausalMask: true } as keras.layers.MultiHeadAttentionCallOptions) as Tensor;
  const changed = ops.concatenate([ops.slice(x, [0, 0, 0], [1, 1, 4]), randomTensor([1, 2, 4], 9)], 1);
  const c2 = mha.apply([changed, changed], { useCausalMask: true } as keras.layers.MultiHeadAttentionCallOptions) as Tensor;
  assertClose(ops.slice(c2, [0, 0, 0], [1, 1, 4]), ops.slice(c1, [0, 0, 0], [1, 1, 4]).arraySync() as keras.NestedArray, 5);
});

test("MultiHeadAttention: config round trip, .keras save/load of a model, a training step, gradients", async () => {
  keras.utils.setRandomSeed(3);
  const input = keras.Input({ shape: [4, 6] });
  const attended = new layers.MultiHeadAttention(2, 3, { dropout: 0.1 }).apply([input, input]) as keras.KerasTensor;
  const output = new layers.Dense(1).apply(new layers.Flatten().apply(attended)) as keras.KerasTensor;
  const model = new keras.Model({ inputs: input, outputs: output });
  const x = randomTensor([3, 4, 6], 10);
  const before = (await model.predict(x, { verbose: 0 })) as Tensor;
  const dir = mkdtempSync(path.join(tmpdir(), "keras-ts-mha-"));
  try {
    await model.save(path.join(dir, "m.keras"));
    const loaded = await keras.models.loadModel(path.join(dir, "m.keras"));
    assert.deepEqual(Array.from(((await loaded.predict(x, { verbose: 0 })) as Tensor).dataSync()), Array.from(before.dataSync()));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  model.compile({ optimizer: "adam", loss: "mse" });
  const target = ops.zeros([3, 1]);
  const first = (await model.evaluate(x, target, { verbose: 0 })) as number;
  await model.fit(x, target, { epochs: 5, batchSize: 3, verbose: 0 });
  assert.ok(((await model.evaluate(x, target, { verbose: 0 })) as number) < first);

  const mha = new layers.MultiHeadAttention(2, 3, { valueDim: 2, outputShape: [4] });
  const config = mha.getConfig();
  const rebuilt = layers.MultiHeadAttention.fromConfig(JSON.parse(JSON.stringify(config)));
  assert.deepEqual(rebuilt.getConfig(), config);
  const q = randomTensor([1, 2, 3], 7);
  const v = randomTensor([1, 3, 3], 8);
  mha.apply([q, v]);
  const [qk, qb] = mha.queryDense!.getWeights();
  checkGradients((kk, bb, qq) => {
    mha.queryDense!.setWeights([kk, bb]);
    return mha.apply([qq, v]) as Tensor;
  }, [qk, qb, q]);
});
