import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as keras from "../../../src/index.js";
import { assertClose, baseConfig, f32 } from "../helpers.js";
import { runLayerTest } from "../harness.js";
import { fixturePath, fixturesMissing } from "../../helpers/fixtures.js";
import { getKerasMask, setKerasMask } from "../../../src/backend/masking.js";

const { layers, ops } = keras;

test("LSTM: the layer test (shapes, params, config, .keras save/load, masking, training)", async () => {
  // Without returnSequences the mask ends here (Keras's compute_mask gives None).
  await runLayerTest({ make: () => new layers.LSTM(3), inputShape: [2, 4, 5], expectedOutputShape: [null, 3], expectedParams: 4 * 3 * (5 + 3 + 1), supportsMasking: false, expectedNumTrainableWeights: 3 });
  await runLayerTest({ make: () => new layers.LSTM(3, { returnSequences: true, goBackwards: true }), inputShape: [2, 4, 5], expectedOutputShape: [null, 4, 3], supportsMasking: true });
  await runLayerTest({
    make: () => new layers.LSTM(2, { returnState: true, returnSequences: true }),
    inputShape: [2, 3, 4],
    expectedOutputShape: [[null, 3, 2], [null, 2], [null, 2]],
    runSavingCheck: false,
    runTrainingCheck: false,
  });
  await runLayerTest({ make: () => new layers.LSTM(3, { dropout: 0.2, recurrentDropout: 0.3, unroll: true }), inputShape: [2, 4, 5], expectedOutputShape: [null, 3] });
});

test("LSTM: Keras's parameter count and weight layout (kernel [in, 4u] i f c o, unit forget bias)", () => {
  const lstm = new layers.LSTM(128);
  lstm.apply(ops.zeros([1, 28, 28]));
  assert.equal(lstm.countParams(), 80384);
  const [kernel, recurrent, bias] = lstm.weights;
  assert.deepEqual([kernel.shape, recurrent.shape, bias.shape], [[28, 512], [128, 512], [512]]);
  assert.deepEqual([kernel.name, recurrent.name, bias.name], ["kernel", "recurrent_kernel", "bias"]);
  const b = Array.from(bias.value.dataSync());
  assert.deepEqual([b.slice(0, 128).every((v) => v === 0), b.slice(128, 256).every((v) => v === 1), b.slice(256).every((v) => v === 0)], [true, true, true]);
  // The recurrent kernel is orthogonal: R Rᵀ = I for [128, 512] (orthonormal rows).
  const gram = ops.matmul(recurrent.value, ops.transpose(recurrent.value)).dataSync();
  for (let i = 0; i < 128; i++) for (let j = 0; j < 128; j++) assert.ok(Math.abs(gram[i * 128 + j] - (i === j ? 1 : 0)) < 1e-4);
});

test("LSTM: two timesteps by hand through the layer, states returned", () => {
  const lstm = new layers.LSTM(1, { returnSequences: true, returnState: true });
  lstm.apply(ops.zeros([1, 2, 1]));
  lstm.setWeights([f32([[0.5, -0.25, 1.0, 0.75]]), f32([[0.1, 0.2, -0.3, 0.4]]), f32([0, 1, 0, 0])]);
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  let h = 0;
  let c = 0;
  const hs: number[] = [];
  for (const x of [0.8, -1.5]) {
    const z = [0.5 * x + 0.1 * h, -0.25 * x + 0.2 * h + 1, 1.0 * x - 0.3 * h, 0.75 * x + 0.4 * h];
    c = sig(z[1]) * c + sig(z[0]) * Math.tanh(z[2]);
    h = sig(z[3]) * Math.tanh(c);
    hs.push(h);
  }
  const [seq, hState, cState] = lstm.apply(f32([[[0.8], [-1.5]]])) as keras.Tensor[];
  assertClose(seq, [[[hs[0]], [hs[1]]]]);
  assertClose(hState, [[h]]);
  assertClose(cState, [[c]]);
});

test("LSTM: config keys as Keras 3 writes them; fromConfig of a Keras config", () => {
  keras.utils.clearSession();
  const lstm = new layers.LSTM(4, { returnSequences: true });
  const config = lstm.getConfig();
  assert.deepEqual(Object.keys(config).sort(), [
    ...Object.keys(baseConfig("lstm")), "return_sequences", "return_state", "go_backwards", "stateful", "unroll", "zero_output_for_mask", "units", "activation",
    "recurrent_activation", "use_bias", "kernel_initializer", "recurrent_initializer", "bias_initializer", "unit_forget_bias", "kernel_regularizer",
    "recurrent_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout", "seed",
  ].sort());
  assert.deepEqual(config.recurrent_initializer, { module: "keras.initializers", class_name: "Orthogonal", config: { seed: null, gain: 1 }, registered_name: null });
  assert.equal(config.name, "lstm");
  const cell = (lstm.cell.getConfig());
  assert.equal(cell.name, "lstm_cell");
});

test("LSTM: a masked sequence (trailing padding) predicts exactly as the unpadded one; masks pass through", async () => {
  keras.utils.setRandomSeed(3);
  const embed = new layers.Embedding(10, 4, { maskZero: true });
  const lstm = new layers.LSTM(5);
  const model = new keras.Sequential([keras.Input({ shape: [null], dtype: "int32" }), embed, lstm]);
  const short = (await model.predictOnBatch(ops.convertToTensor([[3, 1, 4]], "int32"))) as keras.Tensor;
  const padded = (await model.predictOnBatch(ops.convertToTensor([[3, 1, 4, 0, 0, 0]], "int32"))) as keras.Tensor;
  assert.deepEqual(Array.from(padded.dataSync()), Array.from(short.dataSync()));
  // returnSequences keeps the mask for the next layer; without it the mask ends here.
  const seq = new layers.LSTM(2, { returnSequences: true });
  const x = embed.apply(ops.convertToTensor([[1, 2, 0]], "int32")) as keras.Tensor;
  assert.deepEqual(getKerasMask(seq.apply(x) as keras.Tensor)!.arraySync(), [[true, true, false]]);
  assert.equal(getKerasMask(new layers.LSTM(2).apply(x) as keras.Tensor), undefined);
});

test("LSTM: stateful layers carry states between calls; resetStates; batch size errors", () => {
  const lstm = new layers.LSTM(2, { stateful: true, batchInputShape: [2, 3, 1] });
  const x = f32([[[1], [2], [3]], [[0], [1], [0]]]);
  const first = lstm.apply(x) as keras.Tensor;
  const second = lstm.apply(x) as keras.Tensor;
  assert.notDeepEqual(Array.from(second.dataSync()), Array.from(first.dataSync()));
  lstm.resetStates();
  assert.deepEqual(Array.from((lstm.apply(x) as keras.Tensor).dataSync()), Array.from(first.dataSync()));
  assert.throws(() => lstm.apply(f32([[[1], [2], [3]]])), /batch size of the input sequences must be the same as the batch size of the initial state/);
  assert.throws(() => new layers.LSTM(2, { stateful: true }).apply(keras.Input({ shape: [3, 1] })), /batch size must be static/);
  assert.throws(() => new layers.LSTM(2).resetStates(), /must be stateful/);
});

test("LSTM: initial states from the call options or as extra inputs; wrong shapes are named", () => {
  const lstm = new layers.LSTM(2, { returnState: true });
  const x = f32([[[1], [2]]]);
  const h0 = f32([[0.5, -0.5]]);
  const c0 = f32([[0.1, 0.2]]);
  const a = lstm.apply(x, { initialState: [h0, c0] } as keras.layers.RNNCallOptions) as keras.Tensor[];
  const b = lstm.apply([x, h0, c0]) as keras.Tensor[];
  assert.deepEqual(Array.from(a[0].dataSync()), Array.from(b[0].dataSync()));
  assert.throws(() => lstm.apply([x, h0]), /expects 2 state tensor\(s\)/);
  assert.throws(() => lstm.apply([x, f32([[1, 2, 3]]), c0]), /state 0 must have shape \(1, 2\)/);
  assert.throws(() => new layers.LSTM(0), /expected a positive integer, got 0/);
});

test("LSTM: the Keras 3 fixture keras3_lstm_timeseries.keras loads and reproduces its reference outputs", { skip: fixturesMissing() }, async () => {
  const file = fixturePath("keras3_lstm_timeseries.keras");
  const reference = JSON.parse(readFileSync(fixturePath("keras3_lstm_timeseries.reference.json"), "utf8"));
  const model = await keras.models.loadModel(file);
  assert.equal(model.countParams(), reference.param_count_all_weights);
  for (const c of reference.cases) {
    const x = ops.reshape(ops.convertToTensor(Float32Array.from(c.input.data)), c.input.shape);
    const y = (await model.predict(x, { verbose: 0 })) as keras.Tensor;
    assert.deepEqual([...y.shape], c.output.shape);
    const got = y.dataSync();
    const { atol, rtol } = reference.suggested_tolerance;
    c.output.data.forEach((want: number, i: number) => assert.ok(Math.abs(got[i] - want) <= atol + rtol * Math.abs(want), `output ${i}: ${got[i]} vs ${want}`));
  }
});

test("LSTM: masks set on the input by hand are honored like Embedding's", () => {
  const lstm = new layers.LSTM(3, { returnSequences: true });
  const x = keras.random.normal([2, 4, 2], { seed: 1 });
  setKerasMask(x, ops.convertToTensor([[true, true, false, false], [true, true, true, true]]));
  const y = lstm.apply(x) as keras.Tensor;
  const rows = y.arraySync() as number[][][];
  // A masked step repeats the previous output.
  assert.deepEqual(rows[0][2], rows[0][1]);
  assert.deepEqual(rows[0][3], rows[0][1]);
});
