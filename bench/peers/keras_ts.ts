/**
 * keras-ts peer of `npm run bench`, on whatever backend KERAS_TS_BACKEND selects (set by bench.ts).
 *
 *   node --import tsx bench/peers/keras_ts.ts '{"mode":"probe"}'
 *   node --import tsx bench/peers/keras_ts.ts '{"mode":"model","seed":"001","epochs":3,"predictRuns":3}'
 *   node --import tsx bench/peers/keras_ts.ts '{"mode":"gemm"}'
 *
 * The model mode is the seed program itself (keras.datasets.mnist.loadData, the seed's layers,
 * compile and fit with verbose 0, no validation data) with epoch timing through a LambdaCallback.
 */
import * as keras from "../../src/index.js";
import { SEEDS, cpuSeconds, log, median, peakRssMb, printResult, randomValues, rssMb, type GemmResult, type ModelRunConfig, type ModelRunResult } from "./common.js";

type Config = ({ mode: "probe" } | ({ mode: "model" } & ModelRunConfig) | { mode: "gemm"; quick?: boolean });

function threadsDescription(): string {
  if (keras.backend.backend() === "reference") return "1";
  const backend = keras.backend.getBackend() as unknown as Record<string, unknown>;
  const env = process.env.KERAS_TS_NUM_THREADS;
  const envText = env === undefined || env === "" ? "KERAS_TS_NUM_THREADS unset" : `KERAS_TS_NUM_THREADS=${env}`;
  // The native backend tells its thread pool size and instruction set.
  if (typeof backend.info === "function") {
    try {
      const info = (backend.info as () => unknown).call(backend) as { threads?: unknown; isa?: unknown };
      if (typeof info.threads === "number") return `${info.threads}${typeof info.isa === "string" ? ` (${info.isa}, ${envText})` : ` (${envText})`}`;
    } catch {
      // Fall through to the generic answers.
    }
  }
  for (const key of ["numThreads", "threads", "threadCount"]) {
    const v = backend[key];
    if (typeof v === "number") return String(v);
    if (typeof v === "function") {
      try {
        const r = (v as () => unknown).call(backend);
        if (typeof r === "number") return String(r);
      } catch {
        // Not a getter we understand.
      }
    }
  }
  return `default (${envText})`;
}

/** The instruction set of the kernels: the native backend's (avx512, avx2 or c), else the backend's name. */
function isaDescription(): string {
  const backend = keras.backend.getBackend() as unknown as Record<string, unknown>;
  if (typeof backend.info === "function") {
    try {
      const info = (backend.info as () => unknown).call(backend) as { isa?: unknown };
      if (typeof info.isa === "string") return info.isa;
    } catch {
      // Fall through.
    }
  }
  return keras.backend.backend() === "reference" ? "TypeScript" : keras.backend.backend();
}

function probe(): void {
  const name = keras.backend.backend();
  // One small op, so a backend that loads lazily has really loaded.
  const r = keras.ops.matmul(keras.ops.ones([4, 4]), keras.ops.ones([4, 4])).dataSync()[0];
  if (r !== 4) throw new Error(`matmul of ones gave ${r}, not 4`);
  printResult({ kind: "probe", backend: name, threads: threadsDescription(), isa: isaDescription() });
}

async function model(cfg: ModelRunConfig): Promise<void> {
  const spec = SEEDS[cfg.seed];
  keras.utils.setRandomSeed(42);
  let [[xTrain, yTrain], [xTest, yTest]] = await keras.datasets.mnist.loadData();
  if (cfg.trainSamples !== undefined) {
    xTrain = keras.ops.slice(xTrain, [0, 0, 0], [cfg.trainSamples, 28, 28]);
    yTrain = keras.ops.slice(yTrain, [0], [cfg.trainSamples]);
  }
  if (cfg.testSamples !== undefined) {
    xTest = keras.ops.slice(xTest, [0, 0, 0], [cfg.testSamples, 28, 28]);
    yTest = keras.ops.slice(yTest, [0], [cfg.testSamples]);
  }
  const nTrain = xTrain.shape[0];
  const nTest = xTest.shape[0];
  const testLabels = yTest.dataSync();

  // The seed's own input pipeline. Rebinding the names, as the seed does, leaves the uint8 images
  // unreachable once they are converted.
  if (spec.inputs === "normalize") {
    xTrain = keras.utils.normalize(xTrain, 1);
    xTest = keras.utils.normalize(xTest, 1);
  } else {
    xTrain = keras.ops.divide(xTrain.reshape([nTrain, 784]).astype("float32"), 255);
    xTest = keras.ops.divide(xTest.reshape([nTest, 784]).astype("float32"), 255);
  }
  if (spec.loss !== "sparse") yTrain = keras.utils.toCategorical(yTrain, 10);

  const m = new keras.Sequential();
  if (spec.inputs === "normalize") m.add(new keras.layers.Flatten());
  for (const h of spec.hidden) m.add(new keras.layers.Dense(h.units, { activation: h.activation }));
  m.add(new keras.layers.Dense(10, { activation: "softmax" }));
  // Keras's defaults, by name as the seeds give them: adam (lr 1e-3), rmsprop (lr 1e-3, rho 0.9), SGD (lr 0.01).
  m.compile({ optimizer: spec.optimizer, loss: spec.loss === "sparse" ? "sparse_categorical_crossentropy" : "categorical_crossentropy", metrics: ["accuracy"] });

  const rssBefore = rssMb();
  const peakBeforeTrain = peakRssMb();
  const epochSeconds: number[] = [];
  const rssAfterEpoch: number[] = [];
  let t0 = 0;
  const timer = new keras.callbacks.LambdaCallback({
    onEpochBegin: () => {
      t0 = performance.now();
    },
    onEpochEnd: (epoch, logs) => {
      const s = (performance.now() - t0) / 1000;
      epochSeconds.push(s);
      rssAfterEpoch.push(rssMb());
      log(`  keras-ts ${keras.backend.backend()} seed ${spec.id} epoch ${epoch + 1}/${cfg.epochs}: ${s.toFixed(2)} s, loss ${Number(logs?.loss).toFixed(4)}, accuracy ${Number(logs?.accuracy).toFixed(4)}, rss ${rssMb().toFixed(0)} MB`);
    },
  });
  await m.fit(xTrain, yTrain, { epochs: cfg.epochs, batchSize: spec.batchSize, verbose: 0, callbacks: [timer] });

  const predictSeconds: number[] = [];
  let probs: Float32Array | undefined;
  for (let r = 0; r < cfg.predictRuns; r++) {
    const t = performance.now();
    const out = (await m.predict(xTest, { verbose: 0, batchSize: 32 })) as keras.Tensor;
    predictSeconds.push((performance.now() - t) / 1000);
    probs ??= out.dataSync() as Float32Array;
  }
  let hits = 0;
  const pred = keras.ops.argmax(keras.ops.convertToTensor(probs!).reshape([nTest, 10]), -1).dataSync();
  for (let i = 0; i < nTest; i++) if (pred[i] === testLabels[i]) hits++;

  const result: ModelRunResult = {
    kind: "model",
    peer: `keras-ts ${keras.backend.backend()}`,
    seed: spec.id,
    detail: `backend ${keras.backend.backend()}, node ${process.version}`,
    isa: isaDescription(),
    threads: threadsDescription(),
    epochs: cfg.epochs,
    trainSamples: nTrain,
    testSamples: nTest,
    epochSeconds,
    predictSeconds,
    testAccuracy: hits / nTest,
    rssBeforeMb: rssBefore,
    peakBeforeTrainMb: peakBeforeTrain,
    rssAfterEpochMb: rssAfterEpoch,
    peakRssMb: peakRssMb(),
    cpuSeconds: cpuSeconds(),
  };
  printResult(result);
}


export const GEMM_SHAPES: [number, number, number][] = [[32, 784, 128], [128, 784, 512], [1024, 1024, 1024]];

/** GFLOP/s of keras.ops.matmul (output allocation included, as numpy's a @ b allocates too). */
function gemm(quick: boolean): void {
  const shapes: GemmResult["shapes"] = [];
  for (const [m, k, n] of GEMM_SHAPES) {
    const a = keras.ops.convertToTensor(randomValues(m * k, 1)).reshape([m, k]);
    const b = keras.ops.convertToTensor(randomValues(k * n, 2)).reshape([k, n]);
    const flops = 2 * m * k * n;
    // A fast wrong answer is no result: check 64 sampled entries against float64 dot products.
    const av = a.dataSync();
    const bv = b.dataSync();
    const cv = keras.ops.matmul(a, b).dataSync();
    for (let t = 0; t < 64; t++) {
      const i = (t * 7919) % m;
      const j = (t * 104729) % n;
      let want = 0;
      for (let p = 0; p < k; p++) want += av[i * k + p] * bv[p * n + j];
      if (Math.abs(cv[i * n + j] - want) > 1e-3 * Math.sqrt(k)) throw new Error(`matmul ${m}x${k}x${n}: C[${i},${j}] = ${cv[i * n + j]}, expected ${want}`);
    }
    // About 0.3 s of warmup and 1.5 s of timed runs per shape (less with --quick).
    const budget = quick ? 0.4 : 1.5;
    const tw = performance.now();
    keras.ops.matmul(a, b);
    const first = Math.max((performance.now() - tw) / 1000, 1e-6);
    const warm = Math.max(1, Math.min(50, Math.round(0.3 / first)));
    for (let i = 0; i < warm; i++) keras.ops.matmul(a, b);
    let probeT = performance.now();
    keras.ops.matmul(a, b);
    probeT = Math.max((performance.now() - probeT) / 1000, 1e-6);
    const runs = Math.max(3, Math.min(500, Math.round(budget / probeT)));
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      keras.ops.matmul(a, b);
      times.push(performance.now() - t);
    }
    const ms = median(times);
    shapes.push({ m, k, n, ms, gflops: flops / (ms * 1e6) });
    log(`  keras-ts ${keras.backend.backend()} (${threadsDescription()}) matmul ${m}x${k}x${n}: ${(flops / (ms * 1e6)).toFixed(2)} GFLOP/s (median of ${runs})`);
  }
  const result: GemmResult = { kind: "gemm", peer: `keras-ts ${keras.backend.backend()}`, detail: `ops.matmul float32, node ${process.version}`, isa: isaDescription(), threads: threadsDescription(), shapes, cpuSeconds: cpuSeconds() };
  printResult(result);
}

const cfg = JSON.parse(process.argv[2] ?? '{"mode":"probe"}') as Config;
if (cfg.mode === "probe") probe();
else if (cfg.mode === "gemm") gemm(cfg.quick === true);
else await model(cfg);
