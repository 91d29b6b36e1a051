/**
 * The tests npm run test:browser runs in Chromium (scripts/test_browser.ts drives the page, /test/):
 * ops and layers on each fast backend the page has (WebAssembly, WebGPU) against the reference
 * backend, the seed-001 MLP trained for a few hundred steps, MNIST by URL, model files (by URL,
 * IndexedDB, a corrupt HDF5 file in the Web Worker), pictures into a canvas.
 *
 * `window.kerasTests.run(filter)` runs them and resolves to the results.
 */
import * as keras from "keras-ts";
import { test } from "node:test";
import assert from "node:assert/strict";
import { run, type TestResult } from "./node_test.js";
import { fastBackends } from "./backends.js";

type Backend = keras.backend.Backend;
type Tensor = keras.Tensor;

const reference = new keras.backend.ReferenceBackend();
// ?backends=wasm (default) or webgpu: which fast backends this page checks.
const kinds = (new URLSearchParams(location.search).get("backends") ?? "wasm").split(",");
// The page's own backend, as a page would choose it: the fastest one that loads (in the WebGPU
// page, SwiftShader's software adapter too).
const chosen = await keras.backend.ready({ wasm: { baseUrl: "/wasm/" }, webgpu: { allowFallbackAdapter: kinds.includes("webgpu") } });
keras.saving.setHdf5WorkerUrl("/h5_worker.js");

/** Runs `fn` with `backend` active, then restores the previous one. */
function on<T>(backend: Backend, fn: () => T): T {
  const previous = keras.backend.getBackend();
  keras.backend.setBackend(backend);
  try {
    return fn();
  } finally {
    keras.backend.setBackend(previous);
  }
}

async function onAsync<T>(backend: Backend, fn: () => Promise<T>): Promise<T> {
  const previous = keras.backend.getBackend();
  keras.backend.setBackend(backend);
  try {
    return await fn();
  } finally {
    keras.backend.setBackend(previous);
  }
}

/** |a - b| <= atol + rtol |b| elementwise, NaN matching NaN; the message names the worst element. */
function assertClose(actual: Tensor | ArrayLike<number>, expected: Tensor | ArrayLike<number>, what: string, rtol = 1e-4, atol = 1e-5): void {
  const a = "dataSync" in actual ? (actual.dataSync() as ArrayLike<number>) : actual;
  const b = "dataSync" in expected ? (expected.dataSync() as ArrayLike<number>) : expected;
  if ("shape" in actual && "shape" in expected) assert.deepEqual([...actual.shape], [...expected.shape], `${what}: shape`);
  assert.equal(a.length, b.length, `${what}: length`);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < a.length; i++) {
    const x = Number(a[i]);
    const y = Number(b[i]);
    if (Number.isNaN(x) && Number.isNaN(y)) continue;
    if (x === y) continue;
    const excess = Math.abs(x - y) - (atol + rtol * Math.abs(y));
    if (!(excess <= 0) && (worst < 0 || excess > worstExcess || Number.isNaN(excess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) assert.fail(`${what}: element ${worst} is ${a[worst]}, the reference backend gives ${b[worst]} (of ${a.length})`);
}

/** Deterministic uniform values in [lo, hi). */
function values(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = lo + ((s >>> 0) / 2 ** 32) * (hi - lo);
  }
  return out;
}

function tensor(shape: number[], seed: number, lo = -1, hi = 1): Tensor {
  return keras.ops.reshape(keras.ops.convertToTensor(values(shape.reduce((a, b) => a * b, 1), seed, lo, hi)), shape);
}

// ---------------------------------------------------------------------------------------------
// Ops: each case computed on the backend and on the reference backend

const { ops } = keras;
const OP_CASES: [string, () => Tensor | Tensor[]][] = [
  ["matmul 33x65 @ 65x17", () => ops.matmul(tensor([33, 65], 1), tensor([65, 17], 2))],
  ["matmul 128x784 @ 784x128", () => ops.matmul(tensor([128, 784], 3, 0, 1), tensor([784, 128], 4))],
  ["batched matmul 3x7x9 @ 9x5", () => ops.matmul(tensor([3, 7, 9], 5), tensor([9, 5], 6))],
  ["matmul with a transpose", () => ops.matmul(ops.transpose(tensor([40, 31], 7)), tensor([40, 12], 8))],
  ["add with broadcasting", () => ops.add(tensor([6, 1, 17], 9), tensor([5, 17], 10))],
  ["subtract, multiply, divide", () => [ops.subtract(tensor([301], 11), tensor([301], 12)), ops.multiply(tensor([7, 9], 13), tensor([9], 14)), ops.divide(tensor([50], 15), tensor([50], 16, 0.5, 2))]],
  ["maximum, minimum, power", () => [ops.maximum(tensor([64], 17), 0.1), ops.minimum(tensor([64], 18), tensor([64], 19)), ops.power(tensor([64], 20, 0.1, 3), 1.7)]],
  ["relu, sigmoid, tanh, exp, log, sqrt", () => [ops.relu(tensor([257], 21)), ops.sigmoid(tensor([257], 22, -8, 8)), ops.tanh(tensor([257], 23, -4, 4)), ops.exp(tensor([257], 24, -5, 5)), ops.log(tensor([257], 25, 0.01, 9)), ops.sqrt(tensor([257], 26, 0, 9))]],
  ["softmax and logSoftmax over rows", () => [ops.softmax(tensor([31, 10], 27, -9, 9)), ops.logSoftmax(tensor([31, 10], 28, -9, 9))]],
  ["sum, mean, max, min along axes", () => [ops.sum(tensor([9, 33, 5], 29), 1), ops.mean(tensor([9, 33, 5], 30), [0, 2]), ops.max(tensor([9, 33], 31), -1), ops.min(tensor([9, 33], 32), 0)]],
  ["argmax and argmin", () => [ops.argmax(tensor([20, 10], 33), -1), ops.argmin(tensor([20, 10], 34), 0)]],
  ["transpose, reshape, concatenate, slice", () => [ops.transpose(tensor([4, 5, 6], 35), [2, 0, 1]), ops.concatenate([tensor([3, 4], 36), tensor([3, 2], 37)], 1), ops.slice(tensor([10, 10], 38), [2, 3], [5, 4])]],
  ["take rows and one-hot", () => [ops.take(tensor([50, 6], 39), ops.convertToTensor(new Int32Array([3, 0, 49, 7])), 0), ops.oneHot(ops.convertToTensor(new Int32Array([1, 9, 0])), 10)]],
  ["cast and comparisons", () => [ops.cast(tensor([40], 40, -5, 5), "int32"), ops.cast(ops.greater(tensor([40], 41), tensor([40], 42)), "float32")]],
];

/** Layers and training steps: each model trained three steps on the backend and on the reference. */
const MODEL_CASES: [string, () => { model: keras.Model; x: Tensor; y: Tensor }][] = [
  [
    "Dense relu/softmax, Adam, sparse categorical cross-entropy",
    () => {
      const model = new keras.Sequential([keras.Input({ shape: [28, 28] }), new keras.layers.Flatten(), new keras.layers.Dense(32, { activation: "relu" }), new keras.layers.Dense(10, { activation: "softmax" })]);
      model.compile({ optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });
      return { model, x: tensor([16, 28, 28], 50, 0, 1), y: ops.cast(ops.floor(tensor([16], 51, 0, 10)), "int32") };
    },
  ],
  [
    "Dense sigmoid/tanh, SGD with momentum, mean squared error",
    () => {
      const model = new keras.Sequential([keras.Input({ shape: [12] }), new keras.layers.Dense(25, { activation: "sigmoid" }), new keras.layers.Dense(7, { activation: "tanh" }), new keras.layers.Dense(3)]);
      model.compile({ optimizer: new keras.optimizers.SGD({ learningRate: 0.05, momentum: 0.9 }), loss: "mse" });
      return { model, x: tensor([20, 12], 52), y: tensor([20, 3], 53) };
    },
  ],
  [
    "Rescaling, Reshape, Permute, LeakyReLU, ELU, PReLU, Softmax; RMSprop, categorical cross-entropy",
    () => {
      const model = new keras.Sequential([
        keras.Input({ shape: [24] }),
        new keras.layers.Rescaling(0.5, { offset: -0.25 }),
        new keras.layers.Reshape([4, 6]),
        new keras.layers.Permute([2, 1]),
        new keras.layers.Flatten(),
        new keras.layers.Dense(16),
        new keras.layers.LeakyReLU(),
        new keras.layers.Dense(16),
        new keras.layers.ELU(),
        new keras.layers.Dense(8),
        new keras.layers.PReLU(),
        new keras.layers.Dense(5),
        new keras.layers.Softmax(),
      ]);
      model.compile({ optimizer: "rmsprop", loss: "categorical_crossentropy" });
      return { model, x: tensor([10, 24], 54), y: ops.oneHot(ops.cast(ops.floor(tensor([10], 55, 0, 5)), "int32"), 5) };
    },
  ],
  [
    "a functional model: Add, Concatenate, Multiply, Dropout",
    () => {
      const input = keras.Input({ shape: [10] });
      const a = new keras.layers.Dense(8, { activation: "relu" }).apply(input);
      const b = new keras.layers.Dense(8, { activation: "tanh" }).apply(input);
      const merged = new keras.layers.Concatenate().apply([new keras.layers.Add().apply([a, b]), new keras.layers.Multiply().apply([a, b])]);
      const output = new keras.layers.Dense(2, { activation: "softmax" }).apply(new keras.layers.Dropout(0.25, { seed: 3 }).apply(merged));
      const model = new keras.Model({ inputs: input, outputs: output });
      model.compile({ optimizer: "adam", loss: "sparse_categorical_crossentropy" });
      return { model, x: tensor([12, 10], 56), y: ops.cast(ops.floor(tensor([12], 57, 0, 2)), "int32") };
    },
  ],
];

async function trainThreeSteps(backend: Backend, make: () => { model: keras.Model; x: Tensor; y: Tensor }): Promise<{ outputs: Tensor; losses: number[]; weights: Tensor[] }> {
  return onAsync(backend, async () => {
    keras.utils.setRandomSeed(11);
    const { model, x, y } = make();
    const outputs = (await model.predict(x, { verbose: 0 })) as Tensor;
    const losses: number[] = [];
    for (let step = 0; step < 3; step++) {
      const logs = await model.trainOnBatch(x, y, { returnDict: true });
      losses.push(logs.loss);
    }
    const weights = model.weights.map((w) => w.value);
    await keras.backend.readback([outputs, ...weights]);
    return { outputs, losses, weights };
  });
}

for (const candidate of await fastBackends(kinds)) {
  const skip = "error" in candidate ? `${candidate.name}: ${candidate.error}` : false;
  test(`${candidate.name}: ops against the reference backend`, { skip }, async () => {
    const backend = (candidate as { backend: Backend }).backend;
    for (const [what, compute] of OP_CASES) {
      const expected = on(reference, compute);
      const list = (t: Tensor | Tensor[]): Tensor[] => (Array.isArray(t) ? t : [t]);
      const actual = list(on(backend, compute));
      // A device backend (WebGPU) keeps results on the GPU until they are read back.
      await keras.backend.readback(actual);
      actual.forEach((t, k) => assertClose(t, list(expected)[k], `${what} [${k}]`));
    }
  });
  test(`${candidate.name}: a dense layer's gradients against the reference backend`, { skip }, async () => {
    const backend = (candidate as { backend: Backend }).backend;
    const gradients = () => {
      const w = tensor([64, 32], 60);
      const b = tensor([32], 61);
      const x = tensor([48, 64], 62);
      const loss = (kernel: Tensor, bias: Tensor) => ops.mean(ops.square(ops.relu(ops.add(ops.matmul(x, kernel), bias))));
      const [value, grads] = keras.valueAndGrad(loss, { argnums: [0, 1] })(w, b) as unknown as [Tensor, Tensor[]];
      return [value, ...grads];
    };
    const expected = on(reference, gradients);
    const actual = on(backend, gradients);
    await keras.backend.readback(actual);
    actual.forEach((t, k) => assertClose(t, expected[k], `gradient ${k}`));
  });
  for (const [what, make] of MODEL_CASES) {
    test(`${candidate.name}: layers against the reference backend: ${what}`, { skip }, async () => {
      const backend = (candidate as { backend: Backend }).backend;
      const expected = await trainThreeSteps(reference, make);
      const actual = await trainThreeSteps(backend, make);
      assertClose(actual.outputs, expected.outputs, "predictions before training");
      assertClose(actual.losses, expected.losses, "losses of three steps", 1e-4, 1e-5);
      actual.weights.forEach((w, k) => assertClose(w, expected.weights[k], `weight ${k} after three steps`, 1e-3, 1e-5));
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Training, data, files, pictures: on the page's chosen backend

let mnist: Awaited<ReturnType<typeof keras.datasets.mnist.loadData>> | undefined;

/** MNIST, loaded once (by the first test that needs it). */
async function mnistData(): Promise<NonNullable<typeof mnist>> {
  mnist ??= await keras.datasets.mnist.loadData({ url: "/mnist/" });
  return mnist;
}

test("mnist.loadData({ url }) reads the IDX files the server has", async () => {
  const [[xTrain, yTrain], [xTest, yTest]] = await mnistData();
  assert.deepEqual([...xTrain.shape], [60000, 28, 28]);
  assert.deepEqual([...yTrain.shape], [60000]);
  assert.deepEqual([...xTest.shape], [10000, 28, 28]);
  assert.equal(xTrain.dtype, "uint8");
  assert.deepEqual([...ops.slice(yTest, [0], [5]).dataSync()], [7, 2, 1, 0, 4]);
});

test("the seed-001 MLP trains for 300 steps in the page", async (t) => {
  const [[xTrain, yTrain], [xTest, yTest]] = await mnistData();
  const steps = 300;
  // The data is prepared on the host, as a page loads it: fit takes each batch from there.
  const [x, y] = on(reference, () => [keras.utils.normalize(ops.slice(xTrain, [0, 0, 0], [steps * 32, 28, 28]), 1), ops.slice(yTrain, [0], [steps * 32])]);
  keras.utils.setRandomSeed(1);
  const model = new keras.Sequential([
    keras.Input({ shape: [28, 28] }),
    new keras.layers.Flatten(),
    new keras.layers.Dense(128, { activation: "relu" }),
    new keras.layers.Dense(128, { activation: "relu" }),
    new keras.layers.Dense(10, { activation: "softmax" }),
  ]);
  model.compile({ optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });
  const started = performance.now();
  const history = await model.fit(x, y, { epochs: 1, batchSize: 32, verbose: 0 });
  const seconds = (performance.now() - started) / 1000;
  const [xt, yt] = on(reference, () => [keras.utils.normalize(ops.slice(xTest, [0, 0, 0], [2000, 28, 28]), 1), ops.slice(yTest, [0], [2000])]);
  const { accuracy } = await model.evaluate(xt, yt, { returnDict: true, verbose: 0 });
  t.diagnostic(`${keras.backend.backend()}: ${steps} steps in ${seconds.toFixed(2)} s (${((seconds / steps) * 1000).toFixed(2)} ms/step), loss ${history.history.loss[0].toFixed(4)}, test accuracy ${accuracy.toFixed(4)} on 2000 images`);
  assert.ok(history.history.loss[0] < 0.6, `loss ${history.history.loss[0]}`);
  assert.ok(accuracy > 0.88, `test accuracy ${accuracy}`);
});

test("loadModel by URL: the .keras file trained in Node predicts in the page as in Node", async () => {
  const model = await keras.saving.loadModel("/models/mnist_mlp.keras");
  const [, [xTest, yTest]] = await mnistData();
  const { accuracy } = await model.evaluate(keras.utils.normalize(xTest, 1), yTest, { returnDict: true, verbose: 0 });
  assert.ok(accuracy > 0.93, `test accuracy ${accuracy}`);
  assert.equal(model.optimizer?.name, "adam");
});

test("IndexedDB: a model saved as indexeddb://name loads back with the same predictions, optimizer state included", async () => {
  keras.utils.setRandomSeed(5);
  const model = new keras.Sequential([keras.Input({ shape: [6] }), new keras.layers.Dense(4, { activation: "relu" }), new keras.layers.Dense(3, { activation: "softmax" })]);
  model.compile({ optimizer: "adam", loss: "sparse_categorical_crossentropy" });
  const x = tensor([8, 6], 70);
  await model.trainOnBatch(x, ops.convertToTensor(new Int32Array([0, 1, 2, 0, 1, 2, 0, 1])));
  await model.save("indexeddb://browser-test");
  const loaded = await keras.saving.loadModel("indexeddb://browser-test");
  assertClose((await loaded.predict(x, { verbose: 0 })) as Tensor, (await model.predict(x, { verbose: 0 })) as Tensor, "predictions", 0, 0);
  assert.equal(loaded.optimizer?.iterations, 1);
  await assert.rejects(keras.saving.loadModel("indexeddb://no-such-model"), /IndexedDB holds nothing named "no-such-model" \(it holds: .*"browser-test"/);
  const bytes = await keras.saving.saveModelToBytes(model, "h5");
  const fromBytes = await keras.saving.loadModelFromBytes(bytes);
  assertClose((await fromBytes.predict(x, { verbose: 0 })) as Tensor, (await model.predict(x, { verbose: 0 })) as Tensor, "predictions from .h5 bytes", 0, 0);
});

test("HDF5 in the Web Worker: a corrupt file is refused in words and the next file still loads", async () => {
  const good = await keras.saving.saveModelToBytes(new keras.Sequential([keras.Input({ shape: [3] }), new keras.layers.Dense(2)]), "h5");
  const bad = good.slice();
  // Garble the middle of the file: object headers and B-trees.
  for (let i = Math.floor(bad.length / 3); i < Math.floor((2 * bad.length) / 3); i += 7) bad[i] ^= 0x5a;
  await assert.rejects(keras.saving.loadModelFromBytes(bad, { source: "garbled.h5" }), /garbled\.h5/);
  const model = await keras.saving.loadModelFromBytes(good, { source: "good.h5" });
  assert.equal(model.layers.length, 1);
});

test("pictures: plotHistory, plotModel and drawImageGrid draw into the page and into canvases", async () => {
  const div = document.createElement("div");
  document.body.append(div);
  await keras.utils.plotHistory({ loss: [1, 0.6, 0.4], accuracy: [0.6, 0.8, 0.9] }, { element: div });
  assert.equal(div.firstElementChild?.tagName.toLowerCase(), "svg");
  const canvas = document.createElement("canvas");
  document.body.append(canvas);
  const [, [xTest, yTest]] = await mnistData();
  await keras.utils.drawImageGrid(canvas, ops.slice(xTest, [0, 0, 0], [8, 28, 28]), { labels: ops.slice(yTest, [0], [8]) });
  assert.ok(canvas.width > 100 && canvas.height > 50, `${canvas.width}x${canvas.height}`);
  const pixels = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
  let dark = 0;
  for (let i = 0; i < pixels.length; i += 4) if (pixels[i + 3] > 0 && pixels[i] < 80) dark++;
  assert.ok(dark > 200, `the digits are drawn (${dark} dark pixels)`);
  const model = new keras.Sequential([keras.Input({ shape: [4] }), new keras.layers.Dense(2)]);
  const graph = document.createElement("canvas");
  await keras.utils.plotModel(model, { element: graph, showShapes: true });
  assert.ok(graph.width > 50);
});

declare global {
  interface Window {
    kerasTests: { run(filter?: string): Promise<TestResult[]>; backend: string };
  }
}

// The runner's own checks (a download) use the page's keras-ts.
Object.assign(window, { keras });
window.kerasTests = {
  backend: chosen.name,
  run: (filter) => run(filter === undefined ? /.*/ : new RegExp(filter)),
};
document.body.dataset.ready = "yes";
