import { platform, textOutput } from "../platform/platform.js";
import { Progbar, type OutputStream } from "../utils/progbar.js";
import { Callback, type Logs } from "./callback.js";

/**
 * Prints `Epoch i/n` and the progress bar; `fit` adds one when `verbose` is not 0. In a browser it
 * also lets the page draw (the bar, a live plot) and answer between batches, every ~50 ms.
 */
export class ProgbarLogger extends Callback {
  private progbar?: Progbar;
  private seen = 0;
  private readonly stream?: OutputStream;
  private mode: "train" | "test" | "predict" = "train";

  constructor(options: { stream?: OutputStream } = {}) {
    super();
    this.stream = options.stream;
  }

  private get verbose(): number {
    return this.params.verbose ?? 1;
  }

  private reset(): void {
    this.seen = 0;
    this.progbar = undefined;
  }

  private bar(): Progbar {
    this.progbar ??= new Progbar({ target: this.params.steps, verbose: this.verbose, unitName: "step", stream: this.stream });
    return this.progbar;
  }

  override onEpochBegin(epoch: number): void {
    this.reset();
    this.mode = "train";
    if (this.verbose && (this.params.epochs ?? 1) > 0) (this.stream ?? textOutput()).write(`Epoch ${epoch + 1}/${this.params.epochs}\n`);
  }

  override onTrainBatchEnd(batch: number, logs: Logs = {}): void | Promise<void> {
    this.seen = batch + 1;
    this.bar().update(this.seen, Object.entries(logs), false);
    return platform().maybeYield();
  }

  override onEpochEnd(_epoch: number, logs: Logs = {}): void {
    this.bar().update(this.seen, Object.entries(logs), true);
  }

  override onTestBegin(): void {
    // Validation inside fit is silent; a direct evaluate() shows its own bar.
    if (this.mode === "train" && this.progbar !== undefined) return;
    this.reset();
    this.mode = "test";
  }

  override onTestBatchEnd(batch: number, logs: Logs = {}): void | Promise<void> {
    if (this.mode !== "test") return;
    this.seen = batch + 1;
    this.bar().update(this.seen, Object.entries(logs), false);
    return platform().maybeYield();
  }

  override onTestEnd(logs: Logs = {}): void {
    if (this.mode !== "test") return;
    this.bar().update(this.seen, Object.entries(logs), true);
  }

  override onPredictBegin(): void {
    this.reset();
    this.mode = "predict";
  }

  override onPredictBatchEnd(batch: number): void | Promise<void> {
    this.seen = batch + 1;
    this.bar().update(this.seen, [], false);
    return platform().maybeYield();
  }

  override onPredictEnd(): void {
    this.bar().update(this.seen, [], true);
  }
}
