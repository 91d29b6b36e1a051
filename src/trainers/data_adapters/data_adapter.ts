import type { StepData } from "./data_adapter_utils.js";

/**
 * One pass over the data: `next()` gives the next batch, or undefined when the data has run out.
 * Adapters over synchronous data answer at once; over async data (an async generator, a
 * `PyDataset` whose `getItem` returns a promise) with a promise.
 */
export interface BatchIterator {
  next(): StepData | undefined | Promise<StepData | undefined>;
}

/**
 * Keras's `DataAdapter`: one interface over the kinds of data `fit`, `evaluate` and `predict`
 * take (in-memory arrays, generators and iterables, `PyDataset`s). It yields batches as
 * `StepData`: `x`, `[x]`, `[x, y]` or `[x, y, sampleWeight]` of tensors.
 */
export abstract class DataAdapter {
  /** A new pass over the data (a generator continues where it stopped: it cannot restart). */
  abstract getIterator(): BatchIterator;

  /** Batches in one pass, or undefined when unknown (a generator, an infinite `PyDataset`). */
  abstract get numBatches(): number | undefined;

  /** The batch size, when the adapter makes the batches itself (arrays); undefined otherwise. */
  abstract get batchSize(): number | undefined;

  onEpochBegin(): void | Promise<void> {}

  onEpochEnd(): void | Promise<void> {}
}
