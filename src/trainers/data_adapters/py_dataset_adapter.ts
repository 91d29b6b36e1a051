import { Tensor } from "../../backend/tensor.js";
import * as ops from "../../ops/index.js";
import * as random from "../../random/index.js";
import { DataAdapter, type BatchIterator } from "./data_adapter.js";
import { classWeightToSampleWeights, standardizeBatch, type DataBatch, type StepData, type TensorStructure } from "./data_adapter_utils.js";
import type { TensorLike } from "../../ops/core.js";

/** What `PyDataset.getItem` returns: `[x]`, `[x, y]` or `[x, y, sampleWeight]`, or the inputs alone (one array or an object of arrays). */
export type PyDatasetBatch = DataBatch | Tensor | Exclude<TensorLike, unknown[]> | Record<string, TensorLike>;

/**
 * Keras's `keras.utils.PyDataset`: a dataset that makes its batches in code. A subclass defines
 * `get length()` (the number of batches, Keras's `__len__`) and `getItem(index)` (the batch at
 * `index`, Keras's `__getitem__`; it may return a promise), and may define `onEpochBegin` and
 * `onEpochEnd` (to reshuffle its samples, for instance). For an endless dataset, define
 * `get numBatches()` returning null instead of `length`.
 *
 * `fit` visits every batch once per epoch, in a new random order when `shuffle` is on (the
 * default). Keras's `workers`, `useMultiprocessing` and `maxQueueSize` are left out: batches are
 * made one at a time, on the main thread.
 *
 * ```ts
 * class Batches extends keras.utils.PyDataset {
 *   constructor(private x: Tensor, private y: Tensor, private batchSize: number) { super(); }
 *   get length() { return Math.ceil(this.x.shape[0] / this.batchSize); }
 *   getItem(i: number) {
 *     const start = i * this.batchSize, size = Math.min(this.batchSize, this.x.shape[0] - start);
 *     return [ops.slice(this.x, [start, 0], [size, this.x.shape[1]]), ops.slice(this.y, [start], [size])];
 *   }
 * }
 * ```
 */
export abstract class PyDataset {
  /** The number of batches (Keras's `__len__`). */
  get length(): number {
    throw new Error(`${this.constructor.name}: a PyDataset must define \`get length()\` (its number of batches), or \`get numBatches()\` returning null for an endless dataset`);
  }

  /** Batches per epoch, or null for an endless dataset (Keras's `num_batches`); `length` by default. */
  get numBatches(): number | null {
    return this.length;
  }

  /** The batch at position `index` (Keras's `__getitem__`). */
  abstract getItem(index: number): PyDatasetBatch | Promise<PyDatasetBatch>;

  /** Called at the start of every epoch. */
  onEpochBegin(): void | Promise<void> {}

  /** Called at the end of every epoch. */
  onEpochEnd(): void | Promise<void> {}
}

/** Keras's `PyDatasetAdapter`: the batches of a `PyDataset`, in order or (with `shuffle`) in a new random order every epoch. */
export class PyDatasetAdapter extends DataAdapter {
  private readonly dataset: PyDataset;
  private readonly shuffle: boolean;
  private readonly classWeight?: Record<number, number>;
  private withinEpoch = false;

  constructor(dataset: PyDataset, options: { shuffle?: boolean; classWeight?: Record<number, number> } = {}) {
    super();
    this.dataset = dataset;
    this.shuffle = options.shuffle ?? false;
    this.classWeight = options.classWeight;
    // Read the size now, so that a bad `length` fails before training starts.
    void this.numBatches;
  }

  get numBatches(): number | undefined {
    const n = this.dataset.numBatches;
    if (n === null || n === undefined) return undefined;
    if (!Number.isInteger(n) || n < 0) {
      throw new RangeError(`${this.dataset.constructor.name}: the number of batches (\`length\` / \`numBatches\`) must be a non-negative integer, or null for an endless dataset; got ${n}`);
    }
    return n;
  }

  get batchSize(): undefined {
    return undefined;
  }

  getIterator(): BatchIterator {
    const n = this.numBatches;
    let order: Int32Array | undefined;
    if (n !== undefined && this.shuffle && n > 1) order = ops.cast(random.shuffle(ops.arange(n)), "int32").dataSync() as Int32Array;
    let position = 0;
    return {
      next: () => {
        if (n !== undefined && position >= n) return undefined;
        const index = order === undefined ? position : order[position];
        position++;
        const item = this.dataset.getItem(index);
        return item instanceof Promise ? item.then((batch) => this.standardize(batch, index)) : this.standardize(item, index);
      },
    };
  }

  private standardize(batch: PyDatasetBatch, index: number): StepData {
    const source = `${this.dataset.constructor.name}.getItem(${index})`;
    // As Keras: an array (not a list) or an object alone is the inputs; a list is [x, y, sw].
    const tuple = batch instanceof Tensor || ArrayBuffer.isView(batch) || (typeof batch === "object" && batch !== null && !Array.isArray(batch)) ? [batch] : batch;
    const data = standardizeBatch(tuple, source) as TensorStructure[];
    if (this.classWeight === undefined) return data as StepData;
    if (data.length === 3) throw new Error(`${source}: you cannot give \`classWeight\` and sample weights at the same time.`);
    if (data.length === 1 || !(data[1] instanceof Tensor)) throw new Error(`${source}: \`classWeight\` needs one target array per batch to weight the samples by their class.`);
    return [data[0], data[1], classWeightToSampleWeights(data[1], this.classWeight)];
  }

  override async onEpochBegin(): Promise<void> {
    if (this.withinEpoch) throw new Error("`onEpochBegin` was called twice without `onEpochEnd` having been called.");
    this.withinEpoch = true;
    await this.dataset.onEpochBegin();
  }

  override async onEpochEnd(): Promise<void> {
    await this.dataset.onEpochEnd();
    this.withinEpoch = false;
  }
}
