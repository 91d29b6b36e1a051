import { Tensor } from "../../backend/tensor.js";
import { Variable } from "../../backend/variable.js";
import * as ops from "../../ops/index.js";
import { convertToTensor, type TensorLike } from "../../ops/core.js";

/** What `fit`/`evaluate`/`predict` accept for x, y or sample weights: one array, a list (several inputs or outputs), or an object keyed by name. */
export type DataStructure = TensorLike | TensorLike[] | Record<string, TensorLike>;

/** The same structure of tensors: what the data adapters yield inside a batch. */
export type TensorStructure = Tensor | Tensor[] | Record<string, Tensor>;

/**
 * One batch as the data adapters yield it and `trainStep` / `testStep` / `predictStep` receive it
 * (Keras's `data`): `x` alone, or `[x]`, `[x, y]`, `[x, y, sampleWeight]`. A list of inputs alone
 * always comes wrapped (`[[a, b]]`), as Keras's `pack_x_y_sample_weight` does, so that it is not
 * read as `[x, y]`.
 */
export type StepData =
  | TensorStructure
  | [TensorStructure]
  | [TensorStructure, TensorStructure | undefined]
  | [TensorStructure, TensorStructure | undefined, TensorStructure | undefined];

/** A batch as a user's generator or `PyDataset` gives it: arrays, nested number arrays or tensors. */
export type DataBatch = [DataStructure] | [DataStructure, DataStructure | undefined] | [DataStructure, DataStructure | undefined, DataStructure | undefined];

/**
 * Keras's `keras.utils.unpack_x_y_sample_weight`: `[x, y, sampleWeight]` from `x`, `[x]`,
 * `[x, y]` or `[x, y, sampleWeight]`, with undefined for what is missing. For `trainStep`,
 * `testStep` and `predictStep` overrides.
 */
export function unpackXYSampleWeight<X = TensorStructure, Y = TensorStructure, W = TensorStructure>(data: StepData | readonly unknown[]): [X, Y | undefined, W | undefined] {
  if (!Array.isArray(data)) return [data as X, undefined, undefined];
  if (data.length >= 1 && data.length <= 3) return [data[0] as X, data[1] as Y | undefined, data[2] as W | undefined];
  throw new Error(`Data is expected to be in format \`x\`, \`[x]\`, \`[x, y]\`, or \`[x, y, sampleWeight]\`, found: an array of ${data.length} elements`);
}

/**
 * Keras's `keras.utils.pack_x_y_sample_weight`: the batch `fit` would give for x, y and sample
 * weights. A single input comes alone; a list of inputs alone is wrapped so it is not taken for
 * `[x, y]`.
 */
export function packXYSampleWeight(x: TensorStructure, y?: TensorStructure, sampleWeight?: TensorStructure): StepData {
  if (y === undefined) return Array.isArray(x) ? [x] : x;
  if (sampleWeight === undefined) return [x, y];
  return [x, y, sampleWeight];
}

/** True for one array-like value (a tensor, a typed array, a number or a nested array of numbers) rather than a list or object of them. */
export function isSingleArray(data: unknown): boolean {
  if (data instanceof Tensor || data instanceof Variable || ArrayBuffer.isView(data) || typeof data === "number" || typeof data === "boolean") return true;
  return Array.isArray(data) && !data.some((d) => d instanceof Tensor || d instanceof Variable || ArrayBuffer.isView(d));
}

/** One array with a batch axis as a tensor. */
export function toBatchedTensor(data: TensorLike, what: string): Tensor {
  const t = convertToTensor(data);
  if (t.rank === 0) throw new Error(`${what}: expected an array with a batch axis, got a scalar`);
  return t;
}

/**
 * A user's structure (one array, a list of arrays, an object of arrays) as the same structure of
 * tensors, each with a batch axis. `what` names it in errors (`x`, `y[1]`, ...).
 */
export function toTensorStructure(data: DataStructure, what: string): TensorStructure {
  if (isSingleArray(data)) return toBatchedTensor(data as TensorLike, what);
  if (Array.isArray(data)) return data.map((d, i) => toBatchedTensor(d, `${what}[${i}]`));
  if (typeof data === "object" && data !== null) {
    return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, toBatchedTensor(v, `${what}.${k}`)]));
  }
  throw new TypeError(`${what}: expected a tensor, an array of tensors or an object of tensors, got ${data === null ? "null" : typeof data}`);
}

/** The tensors of a structure, in its order. */
export function flattenStructure(data: TensorStructure): Tensor[] {
  if (data instanceof Tensor) return [data];
  if (Array.isArray(data)) return data;
  return Object.values(data);
}

/** Keras's check that x, y and sample weights agree on the number of samples; returns it. */
export function checkDataCardinality(parts: { name: string; tensors?: readonly Tensor[] }[]): number {
  const sizes = parts.filter((p) => p.tensors !== undefined).map((p) => ({ name: p.name, sizes: p.tensors!.map((t) => t.shape[0]) }));
  const all = sizes.flatMap((s) => s.sizes);
  for (let i = 1; i < all.length; i++) {
    if (all[i] !== all[0]) {
      const detail = sizes.map((s) => `'${s.name}' sizes: ${s.sizes.join(", ")}`).join("\n");
      throw new Error(`Data cardinality is ambiguous. Make sure all arrays contain the same number of samples.\n${detail}`);
    }
  }
  return all[0] ?? 0;
}

/** Class weights to per-sample weights, from sparse labels or one-hot targets (Keras's `class_weight_to_sample_weights`). */
export function classWeightToSampleWeights(y: Tensor, classWeight: Record<number, number>): Tensor {
  const labels = y.rank > 1 && y.shape[y.rank - 1] > 1 ? ops.argmax(y, -1) : ops.reshape(ops.cast(y, "int32"), [y.shape[0]]);
  const maxClass = Math.max(...Object.keys(classWeight).map(Number));
  const table = Array.from({ length: maxClass + 1 }, (_, i) => classWeight[i] ?? 1);
  return ops.take(ops.convertToTensor(table, "float32"), labels);
}

/**
 * A batch a generator or `PyDataset` gave, checked and converted: `[x]`, `[x, y]` or
 * `[x, y, sampleWeight]` of tensors, whose arrays agree on the batch size. `source` names where
 * it came from in errors.
 */
export function standardizeBatch(batch: unknown, source: string): StepData {
  if (!Array.isArray(batch) || batch.length < 1 || batch.length > 3) {
    throw new TypeError(
      `${source} must give an array, either [inputs] or [inputs, targets] or [inputs, targets, sampleWeights]. ` +
        `Received: ${describeValue(batch)}`,
    );
  }
  const [x, y, sw] = batch as [DataStructure, DataStructure | undefined | null, DataStructure | undefined | null];
  const xs = toTensorStructure(x, `${source}: inputs`);
  const ys = y === undefined || y === null ? undefined : toTensorStructure(y, `${source}: targets`);
  const sws = sw === undefined || sw === null ? undefined : toTensorStructure(sw, `${source}: sample weights`);
  checkDataCardinality([
    { name: "x", tensors: flattenStructure(xs) },
    { name: "y", tensors: ys === undefined ? undefined : flattenStructure(ys) },
    { name: "sampleWeight", tensors: sws === undefined ? undefined : flattenStructure(sws) },
  ]);
  if (ys === undefined) return [xs];
  return sws === undefined ? [xs, ys] : [xs, ys, sws];
}

/** A short description of a value for error messages. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (value instanceof Tensor) return `a tensor of shape [${value.shape.join(", ")}]`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  if (Array.isArray(value)) return `an array of ${value.length} element(s)`;
  if (typeof value === "object") return `an object (${value.constructor?.name ?? "Object"})`;
  return `${typeof value} ${String(value).slice(0, 50)}`;
}
