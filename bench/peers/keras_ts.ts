/**
 * keras-ts peer of `npm run bench`, on whatever backend KERAS_TS_BACKEND selects (set by bench.ts).
 *
 *   node --import tsx bench/peers/keras_ts.ts '{"mode":"probe"}'
 *   node --import tsx bench/peers/keras_ts.ts '{"mode":"model","model":"convnet","spec":{...},"epochs":3,"predictRuns":3}'
 *   node --import tsx bench/peers/keras_ts.ts '{"mode":"gemm"}'
 *   node --import tsx bench/peers/keras_ts.ts '{"mode":"conv"}'
 *
 * The model mode is a user's program (keras.datasets.mnist.loadData, the model's layers in a
 * Sequential, compile and fit with verbose 0, no validation data) with epoch timing through a
 * LambdaCallback. The gemm and conv modes time keras.ops.matmul and a Conv2D layer's forward +
 * backward through keras.valueAndGrad, as user code calls them.
 */
import type * as kt from "../../src/index.js";

import {
  CONV_SHAPES,
  GEMM_SHAPES,
  convFlops,
  cpuSeconds,
  gemmName,
  log,
  median,
  peakRssMb,
  printResult,
  randomValues,
  rssMb,
  type KernelResult,
  type ModelRunConfig,
  type ModelRunResult,
  type ModelSpec,
} from "./common.js";

// The package as npm users run it: the compiled dist/ (bench.ts rebuilds it when src/ is newer).
// Through tsx, src/ would carry esbuild's keepNames helper, a call per closure made, ~0.5 µs on
// every op of a training step.
const keras: typeof kt = await import(new URL("../../dist/index.js", import.meta.url).href);

type Config = { mode: "probe" } | ({ mode: "model" } & ModelRunConfig) | { mode: "gemm" | "conv"; quick?: boolean };

interface BackendInfo {
  threads?: number;
  isa?: string;
}

/** The backend's own description (the native backend tells its thread pool size and instruction set). */
function backendInfo(): BackendInfo | undefined {
  const backend = keras.backend.getBackend() as unknown as { info?: () => BackendInfo };
  if (typeof backend.info !== "function") return undefined;
  try {
    return backend.info();
  } catch {
    return undefined;
  }
}

function threadsDescription(): string {
  if (keras.backend.backend() === "reference") return "1";
  const env = process.env.KERAS_TS_NUM_THREADS;
  const envText = env === undefined || env === "" ? "KERAS_TS_NUM_THREADS unset" : `KERAS_TS_NUM_THREADS=${env}`;
  const info = backendInfo();
  if (typeof info?.threads === "number") return `${info.threads}${typeof info.isa === "string" ? ` (${info.isa}, ${envText})` : ` (${envText})`}`;
  return `default (${envText})`;
}

/** The instruction set of the kernels: the backend's own answer (native: avx512, avx2 or c), else the backend's name. */
function isaDescription(): string {
  const isa = backendInfo()?.isa;
  if (typeof isa === "string") return isa;
  return keras.backend.backend() === "reference" ? "TypeScript" : keras.backend.backend();
}

function probe(): void {
  const name = keras.backend.backend();
  // One small op, so a backend that loads lazily has really loaded.
  const r = keras.ops.matmul(keras.ops.ones([4, 4]), keras.ops.ones([4, 4])).dataSync()[0];
  if (r !== 4) throw new Error(`matmul of ones gave ${r}, not 4`);
  printResult({ kind: "probe", backend: name, threads: threadsDescription(), isa: isaDescription() });
}

/** The model of a MODELS row, as a Keras user writes it. */
function buildModel(spec: ModelSpec): kt.Sequential {
  const { layers } = keras;
  const body: kt.layers.Layer[] = [];
  switch (spec.kind) {
    case "mlp":
      if (spec.inputs === "normalize") body.push(new layers.Flatten());
      for (const h of spec.hidden) body.push(new layers.Dense(h.units, { activation: h.activation }));
      break;
    case "convnet":
      for (const filters of spec.filters) {
        body.push(new layers.Conv2D(filters, [spec.kernelSize, spec.kernelSize], { activation: "relu" }));
        body.push(new layers.MaxPooling2D({ poolSize: [spec.poolSize, spec.poolSize] }));
      }
      body.push(new layers.Flatten(), new layers.Dropout(spec.dropout));
      break;
    case "rnn":
      body.push(spec.cell === "lstm" ? new layers.LSTM(spec.units) : new layers.GRU(spec.units));
      break;
  }
  return new keras.Sequential([keras.Input({ shape: spec.inputShape }), ...body, new layers.Dense(10, { activation: "softmax" })]);
}

async function model(cfg: ModelRunConfig): Promise<void> {
  const spec = cfg.spec;
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

  // The model's own input pipeline. Rebinding the names, as the seeds do, leaves the uint8 images
  // unreachable once they are converted.
  if (spec.inputs === "normalize") {
    xTrain = keras.utils.normalize(xTrain, 1);
    xTest = keras.utils.normalize(xTest, 1);
  } else {
    xTrain = keras.ops.divide(xTrain.reshape([nTrain, ...spec.inputShape]).astype("float32"), 255);
    xTest = keras.ops.divide(xTest.reshape([nTest, ...spec.inputShape]).astype("float32"), 255);
  }
  if (spec.loss !== "sparse") yTrain = keras.utils.toCategorical(yTrain, 10);

  const m = buildModel(spec);
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
      log(`  keras-ts ${keras.backend.backend()} ${spec.id} epoch ${epoch + 1}/${cfg.epochs}: ${s.toFixed(2)} s, loss ${Number(logs?.loss).toFixed(4)}, accuracy ${Number(logs?.accuracy).toFixed(4)}, rss ${rssMb().toFixed(0)} MB`);
    },
  });
  await m.fit(xTrain, yTrain, { epochs: cfg.epochs, batchSize: spec.batchSize, verbose: 0, callbacks: [timer] });

  const predictSeconds: number[] = [];
  let probs: Float32Array | undefined;
  for (let r = 0; r < cfg.predictRuns; r++) {
    const t = performance.now();
    const out = (await m.predict(xTest, { verbose: 0, batchSize: 32 })) as kt.Tensor;
    predictSeconds.push((performance.now() - t) / 1000);
    probs ??= out.dataSync() as Float32Array;
  }
  let hits = 0;
  const pred = keras.ops.argmax(keras.ops.convertToTensor(probs!).reshape([nTest, 10]), -1).dataSync();
  for (let i = 0; i < nTest; i++) if (pred[i] === testLabels[i]) hits++;

  const result: ModelRunResult = {
    kind: "model",
    peer: `keras-ts ${keras.backend.backend()}`,
    model: spec.id,
    params: m.countParams(),
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

/**
 * Median milliseconds of `fn`: about 0.3 s of warmup, then `budget` seconds of timed runs (at least
 * 3). numpy's and PyTorch's peers time the same way.
 */
function medianMs(fn: () => void, budget: number): { ms: number; runs: number } {
  let t = performance.now();
  fn();
  const first = Math.max((performance.now() - t) / 1000, 1e-6);
  const warm = Math.max(1, Math.min(50, Math.round(0.3 / first)));
  for (let i = 0; i < warm; i++) fn();
  t = performance.now();
  fn();
  const one = Math.max((performance.now() - t) / 1000, 1e-6);
  const runs = Math.max(3, Math.min(500, Math.round(budget / one)));
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return { ms: median(times), runs };
}

/** GFLOP/s of keras.ops.matmul (output allocation included, as numpy's a @ b allocates too). */
function gemm(quick: boolean): void {
  const shapes: KernelResult["shapes"] = [];
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
    const { ms, runs } = medianMs(() => keras.ops.matmul(a, b), quick ? 0.4 : 1.5);
    shapes.push({ name: gemmName([m, k, n]), ms, gflops: flops / (ms * 1e6) });
    log(`  keras-ts ${keras.backend.backend()} (${threadsDescription()}) matmul ${m}x${k}x${n}: ${(flops / (ms * 1e6)).toFixed(2)} GFLOP/s (median of ${runs})`);
  }
  const result: KernelResult = { kind: "gemm", peer: `keras-ts ${keras.backend.backend()}`, detail: `ops.matmul float32, node ${process.version}`, isa: isaDescription(), threads: threadsDescription(), shapes, cpuSeconds: cpuSeconds() };
  printResult(result);
}

/**
 * GFLOP/s of a Conv2D layer (relu, Keras's default initializers) forward + backward: the gradient of
 * sum(layer(x)) with respect to its kernel and bias, and to x where the shape asks for it, through
 * keras.valueAndGrad, as a training step takes it.
 */
function conv(quick: boolean): void {
  const shapes: KernelResult["shapes"] = [];
  for (const s of CONV_SHAPES) {
    keras.utils.setRandomSeed(1);
    const layer = new keras.layers.Conv2D(s.outChannels, [s.kernel, s.kernel], { padding: s.padding, activation: "relu" });
    const x = keras.ops.convertToTensor(randomValues(s.batch * s.size * s.size * s.inChannels, 3)).reshape([s.batch, s.size, s.size, s.inChannels]);
    const y = layer.apply(x) as kt.Tensor;
    checkConv(s, x.dataSync(), layer.kernel!.value.dataSync(), y.dataSync());
    const input = s.inputGrad ? new keras.Variable(x) : undefined;
    const variables = [...layer.trainableWeights, ...(input === undefined ? [] : [input])];
    const step = keras.valueAndGrad(() => keras.ops.sum(layer.apply(input?.value ?? x) as kt.Tensor), { variables });
    const { ms, runs } = medianMs(() => step(), quick ? 0.4 : 1.5);
    const gflops = convFlops(s) / (ms * 1e6);
    shapes.push({ name: s.name, ms, gflops });
    log(`  keras-ts ${keras.backend.backend()} (${threadsDescription()}) Conv2D ${s.name}: ${gflops.toFixed(2)} GFLOP/s, ${ms.toFixed(2)} ms (median of ${runs})`);
  }
  const result: KernelResult = {
    kind: "conv",
    peer: `keras-ts ${keras.backend.backend()}`,
    detail: `layers.Conv2D relu + keras.valueAndGrad, channels last, node ${process.version}`,
    isa: isaDescription(),
    threads: threadsDescription(),
    shapes,
    cpuSeconds: cpuSeconds(),
  };
  printResult(result);
}

/** A fast wrong answer is no result: 64 sampled outputs of relu(conv(x, w)) (zero bias) against float64 sums. */
function checkConv(s: (typeof CONV_SHAPES)[number], x: ArrayLike<number>, w: ArrayLike<number>, y: ArrayLike<number>): void {
  const pad = s.padding === "same" ? (s.kernel - 1) >> 1 : 0;
  const out = s.padding === "same" ? s.size : s.size - s.kernel + 1;
  const [cin, cout] = [s.inChannels, s.outChannels];
  for (let t = 0; t < 64; t++) {
    const b = (t * 7) % s.batch;
    const i = (t * 13) % out;
    const j = (t * 29 + (t >> 2)) % out;
    const o = (t * 31) % cout;
    let want = 0;
    for (let di = 0; di < s.kernel; di++) {
      for (let dj = 0; dj < s.kernel; dj++) {
        const r = i + di - pad;
        const c = j + dj - pad;
        if (r < 0 || c < 0 || r >= s.size || c >= s.size) continue;
        for (let ci = 0; ci < cin; ci++) want += x[((b * s.size + r) * s.size + c) * cin + ci] * w[((di * s.kernel + dj) * cin + ci) * cout + o];
      }
    }
    want = Math.max(0, want);
    const got = y[((b * out + i) * out + j) * cout + o];
    if (Math.abs(got - want) > 1e-4 * Math.sqrt(cin * s.kernel * s.kernel) + 1e-5) throw new Error(`Conv2D ${s.name}: output [${b}, ${i}, ${j}, ${o}] = ${got}, expected ${want}`);
  }
}

const cfg = JSON.parse(process.argv[2] ?? '{"mode":"probe"}') as Config;
if (cfg.mode === "probe") probe();
else if (cfg.mode === "model") await model(cfg);
else if (cfg.mode === "gemm") gemm(cfg.quick === true);
else conv(cfg.quick === true);
