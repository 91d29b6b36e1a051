/**
 * Op throughput on the active backend: `npm run bench:ops`.
 *
 * Matmul GFLOP/s (2*m*k*n flops) through `keras.ops.matmul`, so op overhead (dtype checks, output
 * tensor) counts, beside naive JavaScript loops on the same inputs; then elementwise and reduction
 * throughput in M elements/s. Each figure is the median of several timed runs after warmup.
 * The naive loops are single-threaded; the native backend runs its pool (KERAS_TS_NUM_THREADS) at
 * its instruction set (KERAS_TS_ISA), both printed on the backend line. Takes well under a minute.
 */
import { readFileSync } from "node:fs";
import os from "node:os";
import * as ops from "../src/ops/index.js";
import { backendName, getBackend } from "../src/backend/backend.js";
import type { Tensor } from "../src/backend/tensor.js";
import { median, randomValues } from "./peers/common.js";

function cpuModel(): string {
  try {
    const line = readFileSync("/proc/cpuinfo", "utf8").split("\n").find((l) => l.startsWith("model name"));
    if (line !== undefined) return line.split(":").slice(1).join(":").trim();
  } catch {
    // Not Linux: fall back to what Node reports.
  }
  return os.cpus()[0]?.model ?? "unknown";
}

/** " (avx2, 1 thread)": the native backend's instruction set and threads (KERAS_TS_ISA, KERAS_TS_NUM_THREADS). */
function isaOf(): string {
  const backend = getBackend() as unknown as { info?: () => { isa?: unknown; threads?: unknown } };
  if (typeof backend.info !== "function") return "";
  const info = backend.info();
  return typeof info.isa === "string" ? ` (${info.isa}, ${String(info.threads)} thread${info.threads === 1 ? "" : "s"} in the pool)` : "";
}

/** Median wall time in ms of `runs` calls after `warmup` untimed ones. */
function time(fn: () => unknown, runs: number, warmup: number): number {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

function randomTensor(shape: number[], seed: number): Tensor {
  return ops.reshape(ops.convertToTensor(randomValues(shape.reduce((a, b) => a * b, 1), seed)), shape);
}

/** The textbook i-k-j loop, accumulating straight into the Float32Array output. */
function naiveIkj(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float32Array {
  const c = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    const cRow = i * n;
    for (let p = 0; p < k; p++) {
      const av = a[i * k + p];
      const bRow = p * n;
      for (let j = 0; j < n; j++) c[cRow + j] += av * b[bRow + j];
    }
  }
  return c;
}

/** i-k-j with a Float64Array row accumulator (what the reference kernel did before blocking). */
function naiveIkjRow(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float32Array {
  const c = new Float32Array(m * n);
  const row = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    row.fill(0);
    for (let p = 0; p < k; p++) {
      const av = a[i * k + p];
      const bRow = p * n;
      for (let j = 0; j < n; j++) row[j] += av * b[bRow + j];
    }
    c.set(row, i * n);
  }
  return c;
}

const pad = (s: string | number, w: number) => String(s).padStart(w);
const padEnd = (s: string | number, w: number) => String(s).padEnd(w);

console.log("keras-ts op benchmark");
console.log(`  cpu      ${cpuModel()}`);
console.log(`  cores    ${os.cpus().length}`);
console.log(`  node     ${process.version} (${process.platform}/${process.arch})`);
console.log(`  backend  ${backendName()}${isaOf()}`);
console.log("");

const started = performance.now();

console.log("matmul float32, GFLOP/s (median; higher is better)");
console.log(`  ${padEnd("m x k x n", 18)}${pad("ops.matmul", 12)}${pad("naive ikj", 12)}${pad("ratio", 8)}${pad("ikj+f64 row", 13)}${pad("ratio", 8)}`);
for (const [m, k, n] of [[32, 784, 128], [128, 784, 512], [1024, 1024, 1024]]) {
  const a = randomTensor([m, k], 1);
  const b = randomTensor([k, n], 2);
  const av = a.dataSync() as Float32Array;
  const bv = b.dataSync() as Float32Array;
  const flops = 2 * m * k * n;
  const big = flops > 1e9;
  // Check the op against the naive loop once before timing anything.
  const got = ops.matmul(a, b).dataSync();
  const ref = naiveIkjRow(av, bv, m, k, n);
  let worst = 0;
  for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(got[i] - ref[i]));
  if (worst > 1e-3) throw new Error(`matmul ${m}x${k}x${n} disagrees with the naive loop by ${worst}`);
  const tOp = time(() => ops.matmul(a, b), big ? 5 : 15, big ? 1 : 3);
  const tNaive = time(() => naiveIkj(av, bv, m, k, n), big ? 2 : 5, 1);
  const tRow = time(() => naiveIkjRow(av, bv, m, k, n), big ? 2 : 5, 1);
  const gf = (t: number) => flops / (t * 1e6);
  console.log(
    `  ${padEnd(`${m} x ${k} x ${n}`, 18)}${pad(gf(tOp).toFixed(2), 12)}${pad(gf(tNaive).toFixed(2), 12)}${pad(`${(tNaive / tOp).toFixed(1)}x`, 8)}` +
      `${pad(gf(tRow).toFixed(2), 13)}${pad(`${(tRow / tOp).toFixed(1)}x`, 8)}`,
  );
}
console.log("");

console.log("elementwise / reduction float32, M elements/s (median; higher is better)");
const x = randomTensor([1000, 1000], 3);
const y = randomTensor([1000, 1000], 4);
const row = randomTensor([1000], 5);
const cases: [string, () => unknown][] = [
  ["add [1000,1000] + [1000,1000]", () => ops.add(x, y)],
  ["add [1000,1000] + [1000] (row broadcast)", () => ops.add(x, row)],
  ["exp [1000,1000]", () => ops.exp(x)],
  ["relu [1000,1000]", () => ops.relu(x)],
  ["sum [1000,1000] over axis 0", () => ops.sum(x, 0)],
  ["sum [1000,1000] over axis 1", () => ops.sum(x, 1)],
  ["softmax [1000,1000] over axis -1", () => ops.softmax(x)],
];
for (const [name, fn] of cases) {
  const t = time(fn, 15, 3);
  console.log(`  ${padEnd(name, 44)}${pad((x.size / (t * 1e3)).toFixed(1), 10)}  (${t.toFixed(2)} ms)`);
}
console.log("");
console.log(`total ${((performance.now() - started) / 1000).toFixed(1)} s`);
