import { platform, textOutput } from "../platform/platform.js";
import { Progbar, type OutputStream } from "../utils/progbar.js";
import { Callback, type Logs, type TrainingParams } from "./callback.js";

/**
 * Prints `Epoch i/n` (for more than one epoch) and the progress bar; `fit`, `evaluate` and
 * `predict` add one when `verbose` is not 0. The values shown are the logs as given (the model's
 * metrics are running means already). When the number of steps is unknown (a generator), the bar
 * counts `12/Unknown` until the data runs out, and that count becomes its total from then on. In a
 * browser it also lets the page draw (the bar, a live plot) and answer between batches, every
 * ~50 ms.
 */
export class ProgbarLogger extends Callback {
  private progbar?: Progbar;
  private seen = 0;
  private target?: number;
  private calledInFit = false;
  private readonly stream?: OutputStream;

  constructor(options: { stream?: OutputStream } = {}) {
    super();
    this.stream = options.stream;
  }

  override setParams(params: TrainingParams): void {
    super.setParams(params);
    this.target = params.steps;
  }

  private get verbose(): number {
    return this.params.verbose ?? 1;
  }

  private resetProgbar(): void {
    this.seen = 0;
    this.progbar = undefined;
  }

  private bar(): Progbar {
    this.progbar ??= new Progbar({ target: this.target, verbose: this.verbose, unitName: "step", stream: this.stream, statelessMetrics: [] });
    return this.progbar;
  }

  override onTrainBegin(): void {
    // Inside fit, validation is silent.
    this.calledInFit = true;
  }

  override onTestBegin(): void {
    if (this.calledInFit) return;
    this.resetProgbar();
    this.bar();
  }

  override onPredictBegin(): void {
    this.resetProgbar();
    this.bar();
  }

  override onEpochBegin(epoch: number): void {
    this.resetProgbar();
    this.bar();
    const epochs = this.params.epochs ?? 1;
    if (this.verbose && epochs > 1) (this.stream ?? textOutput()).write(`Epoch ${epoch + 1}/${epochs}\n`);
  }

  override onTrainBatchEnd(batch: number, logs: Logs = {}): void | Promise<void> {
    this.updateProgbar(batch, logs);
    return platform().maybeYield();
  }

  override onTestBatchEnd(batch: number, logs: Logs = {}): void | Promise<void> {
    if (!this.calledInFit) this.updateProgbar(batch, logs);
    return platform().maybeYield();
  }

  override onPredictBatchEnd(batch: number): void | Promise<void> {
    this.updateProgbar(batch, {});
    return platform().maybeYield();
  }

  override onEpochEnd(_epoch: number, logs: Logs = {}): void {
    this.finalizeProgbar(logs);
  }

  override onTestEnd(logs: Logs = {}): void {
    if (!this.calledInFit) this.finalizeProgbar(logs);
  }

  override onPredictEnd(): void {
    this.finalizeProgbar({});
  }

  override onTrainEnd(): void {
    this.calledInFit = false;
  }

  private updateProgbar(batch: number, logs: Logs): void {
    this.seen = batch + 1;
    if (this.verbose === 1) this.bar().update(this.seen, Object.entries(logs), false);
  }

  private finalizeProgbar(logs: Logs): void {
    const bar = this.bar();
    if (this.target === undefined) {
      this.target = this.seen;
      bar.target = this.target;
    }
    bar.update(this.target, Object.entries(logs), true);
  }
}
