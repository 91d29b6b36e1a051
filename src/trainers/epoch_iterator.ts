import { warn } from "../callbacks/callback_utils.js";
import type { BatchIterator, DataAdapter } from "./data_adapters/data_adapter.js";
import type { StepData } from "./data_adapters/data_adapter_utils.js";

/**
 * Keras's `EpochIterator`: the batches of one epoch from a data adapter, `steps` at a time.
 *
 * - Without `stepsPerEpoch`, an epoch is one pass over the data: every epoch asks the adapter for
 *   a new pass. Data of unknown size (a generator) runs until it runs out, and the number of
 *   batches it gave becomes the epoch's size from then on.
 * - With `stepsPerEpoch`, an epoch is that many batches, taken from a pass that continues across
 *   epochs (an endless generator feeds every epoch). When a pass ends (data of known size, or a
 *   generator that ran out), the epoch ends early with Keras's "ran out of data" warning, and the
 *   next epoch starts a new pass.
 */
export class EpochIterator {
  readonly adapter: DataAdapter;
  readonly stepsPerEpoch?: number;
  /** Batches in one pass: from the adapter, or counted when a pass of unknown size ran out. */
  private passBatches?: number;
  private current?: BatchIterator;
  /** Batches taken from the current pass. */
  private passSteps = 0;
  /** Batches taken in the current epoch, and the most it may take. */
  private epochSteps = 0;
  private epochLimit = Infinity;

  constructor(adapter: DataAdapter, stepsPerEpoch?: number) {
    this.adapter = adapter;
    this.stepsPerEpoch = stepsPerEpoch;
    this.passBatches = adapter.numBatches;
  }

  /** Steps per epoch when known (Keras's `num_batches`): `stepsPerEpoch`, else the batches of a pass. */
  get numBatches(): number | undefined {
    return this.stepsPerEpoch ?? this.passBatches;
  }

  /** Batches taken in the current epoch. */
  get steps(): number {
    return this.epochSteps;
  }

  /** Drops the current pass: the next epoch starts a new one (each evaluation does, as in Keras). */
  reset(): void {
    this.current = undefined;
    this.passSteps = 0;
  }

  async beginEpoch(): Promise<void> {
    await this.adapter.onEpochBegin();
    this.epochSteps = 0;
    this.epochLimit = this.stepsPerEpoch ?? this.passBatches ?? Infinity;
    if (this.current === undefined || this.stepsPerEpoch === undefined) this.newPass();
  }

  /** The next batch of this epoch, or undefined at its end. */
  next(): StepData | undefined | Promise<StepData | undefined> {
    if (this.epochSteps >= this.epochLimit || this.current === undefined) return undefined;
    if (this.passBatches !== undefined && this.passSteps >= this.passBatches) {
      if (this.stepsPerEpoch !== undefined) ranOutOfData();
      return undefined;
    }
    const batch = this.current.next();
    return batch instanceof Promise ? batch.then((b) => this.took(b)) : this.took(batch);
  }

  private took(batch: StepData | undefined): StepData | undefined {
    if (batch === undefined) {
      // Running out is how a pass of unknown size gets its size; with stepsPerEpoch it is an interruption.
      this.passBatches ??= this.passSteps;
      if (this.stepsPerEpoch !== undefined) ranOutOfData();
      this.current = undefined;
      return undefined;
    }
    this.passSteps++;
    this.epochSteps++;
    return batch;
  }

  async endEpoch(): Promise<void> {
    if (this.passBatches !== undefined && this.passSteps >= this.passBatches) this.current = undefined;
    await this.adapter.onEpochEnd();
  }

  private newPass(): void {
    this.current = this.adapter.getIterator();
    this.passSteps = 0;
  }
}

/** Keras's warning when the data runs out before the steps asked for. */
export function ranOutOfData(): void {
  warn(
    "Your input ran out of data; interrupting training. Make sure that your dataset or generator can generate at least " +
      "`stepsPerEpoch * epochs` batches. A generator can loop over its data (`while (true)`) to never run out.",
  );
}
