/*
 * keras on the webgpu backend against keras on the reference backend, in the page: ops, a forward
 * pass, and a model trained with fit / evaluate / predict from the same weights and data. Losses
 * and metrics must agree to 1e-3 relative after training (float32 GEMMs summed in another order
 * drift apart a little over steps), predictions to 1e-3.
 */
import * as keras from "../../../src/index.js";
import { ReferenceBackend } from "../../../src/backend/reference/index.js";
import { fallbacks, resetFallbacks, type Fallback } from "../../../src/backend/fallbacks.js";
import { getBackend } from "../../../src/backend/backend.js";
import type { WebGpuBackend } from "../../../src/backend/webgpu/index.js";
import { batchNormalizationTraining } from "../../../src/ops/batch_normalization.js";

export interface EndToEndResult {
  name: string;
  ok: boolean;
  detail: string;
}

function close(a: ArrayLike<number>, b: ArrayLike<number>, rtol: number, atol = 1e-6): string | undefined {
  if (a.length !== b.length) return `length ${a.length} vs ${b.length}`;
  for (let i = 0; i < a.length; i++) {
    const err = Math.abs(a[i] - b[i]);
    if (!(err <= rtol * Math.abs(b[i]) + atol)) return `[${i}] ${a[i]} vs ${b[i]}`;
  }
  return undefined;
}

interface Run {
  logs: number[];
  evaluate: number[];
  predictions: Float32Array;
  onGpu: boolean;
  syncReadError: string;
  seconds: number;
}

async function train(backendName: "reference" | "webgpu"): Promise<Run> {
  if (backendName === "webgpu") await keras.backend.setBackend("webgpu");
  else keras.backend.setBackend(new ReferenceBackend());
  keras.utils.setRandomSeed(7);
  // Inputs made on the host, as a data set is; the labels as int32 class indices.
  const n = 256;
  const x = keras.random.normal([n, 20], { seed: 1 });
  const labels = keras.ops.argmax(keras.ops.matmul(x, keras.random.normal([20, 4], { seed: 2 })), -1);
  const model = new keras.Sequential([
    new keras.layers.Dense(32, { activation: "relu" }),
    new keras.layers.Dense(16, { activation: "tanh" }),
    new keras.layers.Dense(4, { activation: "softmax" }),
  ]);
  model.compile({ optimizer: new keras.optimizers.Adam({ learningRate: 0.01 }), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });
  const started = performance.now();
  const history = await model.fit(x, labels, { epochs: 3, batchSize: 64, verbose: 0, shuffle: false });
  const evaluate = (await model.evaluate(x, labels, { verbose: 0 })) as number[];
  const predicted = (await model.predict(x, { verbose: 0 })) as keras.Tensor;
  const seconds = (performance.now() - started) / 1000;
  let syncReadError = "";
  try {
    predicted.dataSync();
  } catch (error) {
    syncReadError = (error as Error).message;
  }
  const predictions = (await predicted.data()) as Float32Array;
  const logs = [...history.history.loss, ...history.history.accuracy];
  return { logs, evaluate, predictions, onGpu: syncReadError !== "", syncReadError, seconds };
}

export async function runEndToEnd(): Promise<{ results: EndToEndResult[]; fallbacks: Fallback[] }> {
  const results: EndToEndResult[] = [];
  const record = (name: string, problem: string | undefined, detail = "") => results.push({ name, ok: problem === undefined, detail: problem ?? detail });
  try {
    // Ops through keras.ops, with values made on the host and on the GPU.
    await keras.backend.setBackend("webgpu");
    const gpu = getBackend() as WebGpuBackend;
    const a = keras.random.uniform([300, 40], { seed: 3 });
    const b = keras.random.uniform([40, 50], { seed: 4 });
    const onGpu = keras.ops.relu(keras.ops.subtract(keras.ops.matmul(a, b), 10));
    const summed = keras.ops.sum(keras.ops.square(onGpu), 1);
    const gpuValues = await summed.data();
    keras.backend.setBackend(new ReferenceBackend());
    const refValues = keras.ops.sum(keras.ops.square(keras.ops.relu(keras.ops.subtract(keras.ops.matmul(a, b), 10))), 1).dataSync();
    record("ops: sum(square(relu(matmul - 10))) on the GPU", close(gpuValues, refValues, 1e-4));
    void gpu;

    // A conv net's loss and gradients, through the ops and autodiff (conv, max pool, batch norm, Dense).
    const images = keras.random.normal([4, 12, 12, 3], { seed: 5 });
    const filters = keras.random.normal([3, 3, 3, 8], { seed: 6 });
    const dense = keras.random.normal([6 * 6 * 8, 3], { seed: 7 });
    const convNet = (k: keras.Tensor, d: keras.Tensor) => {
      const z = keras.ops.relu(keras.ops.conv(images, k, 1, "same"));
      const pooled = keras.ops.maxPool(z, 2, 2, "valid");
      const normed = batchNormalizationTraining(pooled, -1, null, null).output;
      const logits = keras.ops.matmul(keras.ops.reshape(normed, [4, -1]), d);
      return keras.ops.mean(keras.ops.square(logits));
    };
    const gradients = async (backend: "webgpu" | "reference") => {
      if (backend === "webgpu") await keras.backend.setBackend("webgpu");
      else keras.backend.setBackend(new ReferenceBackend());
      const [loss, [gk, gd]] = keras.valueAndGrad(convNet, { argnums: [0, 1] })(filters, dense) as [keras.Tensor, keras.Tensor[]];
      return [...(await loss.data()), ...(await gk.data()), ...(await gd.data())];
    };
    resetFallbacks();
    const convGpu = await gradients("webgpu");
    const convFallbacks = fallbacks();
    const convRef = await gradients("reference");
    record("conv net: loss and gradients (conv, maxPool, batch norm, matmul)", close(convGpu, convRef, 1e-3, 1e-5),
      `fallbacks: ${convFallbacks.map((f) => `${f.kernel} x${f.count}`).join(", ") || "none"}`);

    // A small conv net trained with fit (Conv2D, BatchNormalization, MaxPooling2D, Dense).
    const trainCnn = async (backend: "webgpu" | "reference") => {
      if (backend === "webgpu") await keras.backend.setBackend("webgpu");
      else keras.backend.setBackend(new ReferenceBackend());
      keras.utils.setRandomSeed(11);
      const images2 = keras.random.uniform([64, 10, 10, 1], { seed: 8 });
      const classes = keras.ops.cast(keras.ops.greater(keras.ops.mean(images2, [1, 2, 3]), 0.5), "int32");
      const cnn = new keras.Sequential([
        new keras.layers.Conv2D(4, 3, { activation: "relu", padding: "same" }),
        new keras.layers.BatchNormalization(),
        new keras.layers.MaxPooling2D(2),
        new keras.layers.Flatten(),
        new keras.layers.Dense(2, { activation: "softmax" }),
      ]);
      cnn.compile({ optimizer: new keras.optimizers.SGD({ learningRate: 0.05 }), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });
      const h = await cnn.fit(images2, classes, { epochs: 2, batchSize: 16, verbose: 0, shuffle: false });
      return [...h.history.loss, ...h.history.accuracy];
    };
    resetFallbacks();
    const cnnGpu = await trainCnn("webgpu");
    const cnnFallbacks = fallbacks();
    const cnnRef = await trainCnn("reference");
    record("fit a conv net (Conv2D, BatchNormalization, MaxPooling2D, Dense): loss and accuracy per epoch", close(cnnGpu, cnnRef, 1e-3),
      `webgpu ${cnnGpu.map((v) => v.toFixed(5)).join(" ")}; fallbacks: ${cnnFallbacks.map((f) => `${f.kernel} x${f.count}`).join(", ") || "none"}`);

    resetFallbacks();
    const t0 = performance.now();
    const webgpu = await train("webgpu");
    const trainingFallbacks = fallbacks();
    const gpuTime = performance.now() - t0;
    const reference = await train("reference");
    record("fit: loss and accuracy per epoch", close(webgpu.logs, reference.logs, 1e-3), `webgpu ${webgpu.logs.map((v) => v.toFixed(5)).join(" ")}`);
    record("evaluate: loss and accuracy", close(webgpu.evaluate, reference.evaluate, 1e-3), `webgpu ${webgpu.evaluate.map((v) => v.toFixed(5)).join(" ")}`);
    record("predict: probabilities", close(webgpu.predictions, reference.predictions, 1e-3, 1e-5));
    record("predict's output stays on the GPU; dataSync() says to await data()", webgpu.onGpu && /await tensor\.data\(\)/.test(webgpu.syncReadError) ? undefined : `dataSync() did not throw the expected error: ${webgpu.syncReadError || "no error"}`);
    record("fit / evaluate / predict time on SwiftShader (not a speed measurement)", undefined, `${(gpuTime / 1000).toFixed(2)} s webgpu, ${reference.seconds.toFixed(2)} s reference`);
    return { results, fallbacks: trainingFallbacks };
  } catch (error) {
    record("end to end", String((error as Error)?.stack ?? error));
    return { results, fallbacks: fallbacks() };
  }
}
